"""The tunable rules: defaults, parsing, and validation that names every problem."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.policy.choices import Grade, TicketPriority, TicketType
from apps.policy.rules import DEFAULT_RULES, Rules, describe_changes, parse_rules
from apps.policy.seed_data import RULES as SEED_RULES


def _messages(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    with translation.override("en"):
        return exc.value.message_dict


class DefaultRulesTests:
    def test_nothing_given_means_the_defaults(self) -> None:
        assert parse_rules(None) == DEFAULT_RULES
        assert parse_rules({}) == Rules()

    def test_defaults_are_a_sensible_policy(self) -> None:
        rules = DEFAULT_RULES
        assert rules.kpi_weights.total == 100
        assert [b.grade for b in rules.grade_bands] == Grade.values
        assert len(rules.service_deadlines) == len(TicketType) * len(TicketPriority)
        urgent_complaint = rules.deadline(TicketType.COMPLAINT, TicketPriority.URGENT)
        low_suggestion = rules.deadline(TicketType.SUGGESTION, TicketPriority.LOW)
        assert urgent_complaint.first_response_hours < low_suggestion.first_response_hours
        assert rules.contact_cadence_days("A") < rules.contact_cadence_days("C")
        assert rules.recycle_rule("A").days_without_follow_up < rules.recycle_rule("C").days_without_follow_up

    def test_json_round_trip_keeps_every_rule(self) -> None:
        assert parse_rules(DEFAULT_RULES.to_json()) == DEFAULT_RULES

    def test_the_seeded_version_carries_the_defaults(self) -> None:
        assert parse_rules(SEED_RULES) == DEFAULT_RULES

    def test_amounts_stay_exact(self) -> None:
        data = DEFAULT_RULES.to_json()
        assert data["approval_thresholds"] == {"discount_percent": "10.00", "contract_amount": "500000.00"}
        rules = parse_rules({"approval_thresholds": {"contract_amount": 600000, "discount_percent": "7.5"}})
        assert rules.approval_thresholds.contract_amount == Decimal("600000.00")
        assert rules.approval_thresholds.discount_percent == Decimal("7.50")


class RuleLookupTests:
    @pytest.mark.parametrize(
        ("score", "grade"),
        [
            (100, "excellent"),
            (90, "excellent"),
            (89.99, "good"),
            (80, "good"),
            (60, "pass"),
            (59.5, "needs_improvement"),
            (50, "needs_improvement"),
            (49.99, "fail"),
            (0, "fail"),
        ],
    )
    def test_grade_follows_the_bands(self, score: float, grade: str) -> None:
        assert DEFAULT_RULES.grade_for(score) == grade

    def test_approval_is_needed_only_above_the_thresholds(self) -> None:
        assert not DEFAULT_RULES.needs_discount_approval(Decimal("10.00"))
        assert DEFAULT_RULES.needs_discount_approval(Decimal("10.01"))
        assert not DEFAULT_RULES.needs_contract_approval(Decimal("500000.00"))
        assert DEFAULT_RULES.needs_contract_approval(Decimal("500000.01"))


class PartialRulesTests:
    def test_what_is_left_out_comes_from_the_base(self) -> None:
        base = parse_rules({"contact_cadence_days": {"A": 5}})
        rules = parse_rules({"kpi_weights": {"market_development": 40, "sales_target": 40}}, base=base)
        assert (
            rules.kpi_weights.market_development,
            rules.kpi_weights.sales_target,
            rules.kpi_weights.customer_satisfaction,
        ) == (40, 40, 20)
        assert rules.contact_cadence_days("A") == 5
        assert rules.contact_cadence_days("B") == DEFAULT_RULES.contact_cadence_days("B")

    def test_one_deadline_cell_can_change_alone(self) -> None:
        rules = parse_rules({"service_deadlines": {"repair": {"high": {"first_response_hours": 3}}}})
        cell = rules.deadline("repair", "high")
        assert (cell.first_response_hours, cell.resolution_hours) == (3, 16)


class RulesValidationTests:
    def test_kpi_weights_must_add_up_to_100(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_rules({"kpi_weights": {"market_development": 30, "sales_target": 40, "customer_satisfaction": 20}})
        assert _messages(exc) == {"kpi_weights": ["The KPI weights must add up to 100%; they add up to 90%."]}

    def test_grade_bands_must_descend(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_rules({"grade_bands": {"excellent": 90, "good": 92, "pass": 60, "fail": 0}})
        (message,) = _messages(exc)["grade_bands"]
        assert "Good" in message and "92" in message and "Excellent" in message

    def test_the_lowest_grade_starts_at_zero(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_rules({"grade_bands": {"fail": 10}})
        assert "must be 0" in _messages(exc)["grade_bands"][0]

    def test_negative_deadlines_are_refused(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_rules({"service_deadlines": {"complaint": {"urgent": {"first_response_hours": -2}}}})
        (message,) = _messages(exc)["service_deadlines"]
        assert "Complaint" in message and "Urgent" in message and "-2" in message

    def test_resolution_cannot_be_due_before_the_first_response(self) -> None:
        with pytest.raises(ValidationError) as exc:
            parse_rules({"service_deadlines": {"repair": {"low": {"first_response_hours": 8, "resolution_hours": 4}}}})
        assert "cannot be shorter" in _messages(exc)["service_deadlines"][0]

    def test_every_problem_is_reported_not_just_the_first(self) -> None:
        bad = {
            "kpi_weights": {"sales_target": 40},
            "grade_bands": {"good": 95},
            "service_deadlines": {"consultation": {"low": {"first_response_hours": 0, "resolution_hours": "soon"}}},
            "contact_cadence_days": {"D": 3},
            "public_pool": {"warning_days": 30},
            "approval_thresholds": {"discount_percent": "101", "contract_amount": "1.234"},
            "evaluation_frequencies": {"satisfaction_survey": "weekly"},
            "bonus_rules": {},
        }
        with pytest.raises(ValidationError) as exc:
            parse_rules(bad)
        messages = _messages(exc)
        assert set(messages) == {
            "__all__",
            "kpi_weights",
            "grade_bands",
            "service_deadlines",
            "contact_cadence_days",
            "public_pool",
            "approval_thresholds",
            "evaluation_frequencies",
        }
        assert len(messages["service_deadlines"]) == 2
        assert len(messages["approval_thresholds"]) == 2
        assert "bonus_rules" in messages["__all__"][0]
        assert "Monthly" in messages["evaluation_frequencies"][0]

    @pytest.mark.parametrize("value", [True, None, "ten", 7.5, [], {"x": 1}])
    def test_whole_numbers_are_required(self, value: object) -> None:
        with pytest.raises(ValidationError):
            parse_rules({"contact_cadence_days": {"A": value}})

    def test_zero_switches_a_recycle_rule_off(self) -> None:
        rules = parse_rules({"public_pool": {"recycle": {"C": {"days_without_deal": 0}}}})
        assert rules.recycle_rule("C").days_without_deal == 0

    def test_an_unknown_format_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            parse_rules({"schema": 99})


class DescribeChangesTests:
    def test_changes_read_in_plain_words(self) -> None:
        new = parse_rules(
            {"contact_cadence_days": {"A": 5}, "evaluation_frequencies": {"sales_target_evaluation": "quarterly"}}
        )
        with translation.override("en"):
            changes = describe_changes(DEFAULT_RULES, new)
        assert ("Contact cadence · A (key customer)", "7", "5") in changes
        assert ("Evaluation frequencies · Sales target evaluation", "Monthly", "Quarterly") in changes
        assert len(changes) == 2
