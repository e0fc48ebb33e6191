"""Five grades (优秀 / 良好 / 合格 / 待改进 / 不合格) and the scoring rules of a scheme line (linear with a cap, bands,
threshold, deduction per occurrence): the expected scores are worked out here from the definitions, with fractions,
never through the app's scoring code."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from apps.performance import services
from apps.performance.models import Kpi
from apps.performance.tests.factories import sales_world
from apps.performance.tests.test_compute import card_of, compute, lines
from apps.policy.choices import Grade, KpiCode
from apps.policy.rules import DEFAULT_RULES, SchemeLine, parse_rules
from apps.policy.seed_data import RULES as VERSION_1_0
from apps.policy.selectors import policy_today
from apps.policy.tests.factories import new_version

FOUR_BANDS = {"excellent": 90, "good": 80, "pass": 60, "fail": 0}


def rounded(value: Fraction, step: str) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal(step), rounding=ROUND_HALF_UP)


def cents(value: Fraction) -> Decimal:
    return rounded(value, "0.01")


def tenths(value: Fraction) -> Fraction:
    """Completion is kept to one decimal, half up, before it is scored."""
    return Fraction(rounded(value, "0.1"))


def kpi(cap: int = 120, direction: str = "higher") -> Kpi:
    return Kpi(code="x", score_cap=cap, direction=direction)


def scheme_line(**scoring: Any) -> SchemeLine:
    """A scheme line as the rules parse it from JSON."""
    data = {"schemes": {"sales": {"staff": {"new_customers": {"weight": 100, "target": "10", **scoring}}}}}
    return parse_rules({"assessment": data}).assessment.scheme("sales", "staff").lines[0]


class TestFiveGrades:
    def test_the_grades_are_five_best_first(self) -> None:
        assert [b.grade for b in DEFAULT_RULES.grade_bands] == [
            Grade.EXCELLENT,
            Grade.GOOD,
            Grade.PASS,
            Grade.NEEDS_IMPROVEMENT,
            Grade.FAIL,
        ]
        with translation.override("zh-hans"):
            assert [str(Grade(b.grade).label) for b in DEFAULT_RULES.grade_bands] == [
                "优秀",
                "良好",
                "合格",
                "待改进",
                "不合格",
            ]

    @pytest.mark.parametrize("score", ["0", "49.99", "50", "59.99", "60", "79.99", "80", "89.99", "90", "100"])
    def test_each_score_gets_the_best_grade_whose_minimum_it_reaches(self, score: str) -> None:
        minimums = {b.grade: b.min_score for b in DEFAULT_RULES.grade_bands}
        reached = [g for g in Grade.values if Decimal(score) >= minimums[g]]
        assert DEFAULT_RULES.grade_for(Decimal(score)) == reached[0]

    def test_a_stored_version_with_four_bands_stays_valid_and_keeps_its_four_minimums(self) -> None:
        assert VERSION_1_0["grade_bands"] == FOUR_BANDS  # the demo's version 1.0 as stored
        rules = parse_rules(VERSION_1_0)
        bands = {b.grade: b.min_score for b in rules.grade_bands}
        assert {g: bands[g] for g in FOUR_BANDS} == FOUR_BANDS
        assert FOUR_BANDS["fail"] < bands[Grade.NEEDS_IMPROVEMENT] < FOUR_BANDS["pass"]
        assert rules.grade_for(Decimal("55")) == Grade.NEEDS_IMPROVEMENT

    def test_four_bands_without_room_for_a_fifth_keep_their_meaning(self) -> None:
        rules = parse_rules({"grade_bands": {"excellent": 3, "good": 2, "pass": 1, "fail": 0}})
        assert [rules.grade_for(s) for s in (0, Decimal("0.99"), 1, 2, 3)] == [
            Grade.FAIL,
            Grade.FAIL,
            Grade.PASS,
            Grade.GOOD,
            Grade.EXCELLENT,
        ]

    def test_bands_out_of_order_are_refused_in_chinese_naming_both_grades(self) -> None:
        with pytest.raises(ValidationError) as exc, translation.override("zh-hans"):
            parse_rules({"grade_bands": {**FOUR_BANDS, "needs_improvement": 65}})
        with translation.override("zh-hans"):
            (message,) = exc.value.message_dict["grade_bands"]
        assert message == "“待改进”的最低分（65）必须低于“合格”的最低分（60）。"

    def test_a_new_version_with_five_bands_grades_the_next_cycle_by_them(self, personas: dict) -> None:
        sales_world(personas)
        new_version(
            personas["admin"].user,
            "1.1",
            policy_today(),
            grade_bands={"excellent": 99, "good": 98, "pass": 97, "needs_improvement": 1, "fail": 0},
        )
        cycle = compute(personas)
        card = card_of(cycle, personas["rep_alice"].user)
        assert Decimal(1) <= card.total < Decimal(97)
        assert card.grade == Grade.NEEDS_IMPROVEMENT


class TestScoringRules:
    @pytest.mark.parametrize("actual", ["0", "3", "7", "9.5", "10", "13", "30"])
    def test_linear_is_the_completion_capped(self, actual: str) -> None:
        line = scheme_line()
        completion = tenths(Fraction(actual) * 100 / 10)
        assert services.score_line(kpi(cap=120), line, Decimal(actual)) == (
            rounded(completion, "0.1"),
            cents(min(completion, Fraction(120))),
        )

    @pytest.mark.parametrize("actual", ["0", "5", "6", "7.9", "8", "9.99", "10", "12"])
    def test_bands_give_the_score_of_the_first_band_reached(self, actual: str) -> None:
        bands = [["100", "100"], ["80", "85"], ["60", "60"]]
        line = scheme_line(scoring="bands", bands=bands)
        completion = tenths(Fraction(actual) * 10)
        expected = next((Fraction(s) for low, s in bands if completion >= Fraction(low)), Fraction(0))
        assert services.score_line(kpi(), line, Decimal(actual))[1] == cents(expected)

    @pytest.mark.parametrize("actual", ["0", "5.9", "6", "8", "15"])
    def test_below_the_threshold_scores_nothing_and_above_it_linear(self, actual: str) -> None:
        line = scheme_line(scoring="threshold", threshold="60")
        completion = tenths(Fraction(actual) * 10)
        expected = Fraction(0) if completion < 60 else min(completion, Fraction(110))
        assert services.score_line(kpi(cap=110), line, Decimal(actual))[1] == cents(expected)

    @pytest.mark.parametrize("occurrences", [0, 1, 3, 19, 20, 21, 50])
    def test_a_deduction_per_occurrence_from_the_start_never_below_zero(self, occurrences: int) -> None:
        line = scheme_line(scoring="deduction", points="5", start="100")
        expected = max(Fraction(0), 100 - Fraction(5) * occurrences)
        assert services.score_line(kpi(), line, Decimal(occurrences)) == (None, cents(expected))

    def test_a_line_of_a_lower_is_better_kpi_is_scored_on_its_completion(self) -> None:
        line = scheme_line(scoring="bands", bands=[["100", "100"], ["50", "40"]])
        completion = tenths(Fraction(10 * 100, 16))  # target 10, actual 16: 62.5 %
        assert services.score_line(kpi(direction="lower"), line, Decimal(16))[1] == cents(
            Fraction(40) if completion >= 50 else Fraction(0)
        )

    def test_the_scoring_round_trips_through_the_json_and_linear_lines_keep_their_two_keys(self) -> None:
        rules = parse_rules(
            {
                "assessment": {
                    "schemes": {
                        "sales": {
                            "staff": {
                                "new_customers": {
                                    "weight": 40,
                                    "target": "2",
                                    "scoring": "bands",
                                    "bands": [[100, 100], [50, 60]],
                                },
                                "contract_amount_completion": {
                                    "weight": 30,
                                    "target": "100",
                                    "scoring": "threshold",
                                    "threshold": 50,
                                },
                                "payment_completion": {
                                    "weight": 20,
                                    "target": "100",
                                    "scoring": "deduction",
                                    "points": 10,
                                },
                                "manager_rating": {"weight": 10, "target": "100"},
                            }
                        }
                    }
                }
            }
        )
        assert parse_rules(rules.to_json()) == rules
        saved = rules.to_json()["assessment"]["schemes"]["sales"]["staff"]
        assert saved["manager_rating"] == {"weight": 10, "target": "100.00"}
        assert DEFAULT_RULES.to_json()["assessment"] == parse_rules(VERSION_1_0).to_json()["assessment"]

    @pytest.mark.parametrize(
        ("scoring", "message"),
        [
            ({"scoring": "bands"}, "至少"),
            ({"scoring": "bands", "bands": [[80, 60], [90, 100]]}, "[90.00, 100.00]"),
            ({"scoring": "bands", "bands": [[100]]}, "[100]"),
            ({"threshold": 50}, "threshold"),
            ({"scoring": "rounded"}, "rounded"),
        ],
    )
    def test_bad_scoring_is_refused_with_a_chinese_message(self, scoring: dict, message: str) -> None:
        with pytest.raises(ValidationError) as exc:
            scheme_line(**scoring)
        with translation.override("zh-hans"):
            text = " ".join(exc.value.message_dict["assessment"])
        assert message in text and "新增客户数" in text

    def test_a_cycle_scores_a_line_by_the_scoring_of_the_version_in_force(self, personas: dict) -> None:
        """alice wins two new customers in Q3 (target 4: 50 % completion) — by bands that is 60 points."""
        sales_world(personas)
        schemes = {
            "sales": {
                "staff": {
                    "contract_amount_completion": {"weight": 50, "target": "100"},
                    "payment_completion": {"weight": 30, "target": "100"},
                    "new_customers": {"weight": 10, "target": "4", "scoring": "bands", "bands": [[100, 100], [50, 60]]},
                    "manager_rating": {"weight": 10, "target": "100"},
                }
            }
        }
        new_version(personas["admin"].user, "1.1", policy_today(), assessment={"schemes": schemes})
        cycle = compute(personas)
        line = lines(card_of(cycle, personas["rep_alice"].user))[KpiCode.NEW_CUSTOMERS]
        assert line.actual == 2 and line.completion == Decimal("50.0") and line.score == Decimal("60.00")


def test_a_deduction_per_confirmed_violation_scores_the_violations_kpi(personas: dict) -> None:
    """alice: two violations confirmed in Q3 (one of them under appeal), one dismissed, one overturned, one in Q2;
    at 15 points each, her line scores 100 − 15 × (the violations counted, recounted here from the rows)."""
    import datetime as dt

    from apps.performance.choices import ViolationStatus
    from apps.performance.models import Violation

    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    plan = [
        (dt.date(2026, 7, 3), ViolationStatus.CONFIRMED),
        (dt.date(2026, 9, 30), ViolationStatus.APPEALED),
        (dt.date(2026, 8, 1), ViolationStatus.DISMISSED),
        (dt.date(2026, 8, 2), ViolationStatus.OVERTURNED),
        (dt.date(2026, 6, 30), ViolationStatus.CONFIRMED),
    ]
    for day, status in plan:
        Violation.objects.create(
            owner=alice,
            owner_unit=personas["rep_alice"].unit,
            article=9,
            happened_on=day,
            description="违规",
            reported_by=bob,
            created_by=bob,
            status=status,
        )
    schemes = {
        "sales": {
            "staff": {
                "contract_amount_completion": {"weight": 60, "target": "100"},
                "violations": {"weight": 30, "target": "0", "scoring": "deduction", "points": "15"},
                "manager_rating": {"weight": 10, "target": "100"},
            }
        }
    }
    new_version(personas["admin"].user, "1.1", policy_today(), assessment={"schemes": schemes})
    cycle = compute(personas)
    line = lines(card_of(cycle, alice))[KpiCode.VIOLATIONS]
    counted = sum(
        1
        for day, status in plan
        if dt.date(2026, 7, 1) <= day <= dt.date(2026, 9, 30)
        and status in (ViolationStatus.CONFIRMED, ViolationStatus.APPEALED)
    )
    assert line.actual == counted == 2
    assert line.score == cents(max(Fraction(0), 100 - Fraction(15) * counted))
    assert sorted(s["pk"] for s in line.sources) == sorted(
        Violation.objects.filter(happened_on__month__in=(7, 9), status__in=("confirmed", "appealed")).values_list(
            "pk", flat=True
        )
    )
