"""Amendments (art. 14): a draft from the version in force, submitted to the leadership group, voted on with a
quorum and a majority, published for a date, put in force by the daily job — and who may do none of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import translation

from apps.core.models import Notification
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import selectors, services
from apps.policy.choices import DecisionOutcome, PolicyVersionStatus, VoteChoice
from apps.policy.models import VERSION_FLOW, PolicyDecision, PolicyVersion
from apps.policy.tasks import supersede_due_versions
from apps.policy.tests.factories import seeded_version

pytestmark = pytest.mark.django_db

S = PolicyVersionStatus
SHORTER_COMPLAINT = {"service_deadlines": {"complaint": {"high": {"resolution_hours": 8}}}}
HIGHER_SALES_WEIGHT = {"kpi_weights": {"market_development": 20, "sales_target": 60, "customer_satisfaction": 20}}


@pytest.fixture(name="group")
def group_fixture(personas: dict) -> list[Any]:
    """Three members of the leadership group (quorum: at least two present)."""
    company = personas["auditor_dave"].unit
    return [make_employee(f"lg{n}", f"领导{n}", company, BuiltinRole.LEADERSHIP_GROUP).user for n in (1, 2, 3)]


def _draft(actor: Any, label: str = "1.1", rules: dict | None = None) -> PolicyVersion:
    draft = services.policy_version_draft_from_in_force(actor=actor, label=label)
    return services.policy_version_update_rules(actor=actor, version=draft, rules=rules or SHORTER_COMPLAINT)


def _approved(group: list[Any], label: str = "1.1", rules: dict | None = None) -> PolicyVersion:
    draft = _draft(group[0], label, rules)
    decision = services.policy_version_submit(actor=group[0], version=draft)
    for member in group[:2]:
        services.policy_vote_cast(actor=member, decision=decision, vote=VoteChoice.IN_FAVOUR)
    services.policy_decision_close(actor=group[0], decision=decision, minutes="一致同意")
    draft.refresh_from_db()
    return draft


def _tomorrow() -> dt.date:
    return selectors.policy_today() + dt.timedelta(days=1)


class FlowTableTests:
    def test_every_status_has_a_row_and_every_move_leads_to_a_status(self) -> None:
        assert set(VERSION_FLOW) == set(S.values)
        for moves in VERSION_FLOW.values():
            for target, who in moves.values():
                assert target in S.values
                assert who in {"editor", "member", "publisher", "system"}

    def test_the_buttons_follow_the_table_and_the_person(self, personas: dict, group: list) -> None:
        draft = _draft(group[0])
        assert selectors.version_allowed(group[0], draft) == ["edit", "submit"]
        assert selectors.version_allowed(personas["rep_alice"].user, draft) == []
        services.policy_version_submit(actor=group[0], version=draft)
        draft.refresh_from_db()
        assert "approve" in selectors.version_allowed(group[1], draft)
        assert selectors.version_allowed(personas["admin"].user, draft) == []  # administrator, not a member
        assert selectors.version_allowed(personas["lead_bob"].user, draft) == []


class DraftTests:
    def test_a_draft_copies_the_version_in_force(self, group: list) -> None:
        draft = services.policy_version_draft_from_in_force(actor=group[0], label="1.1")
        assert draft.based_on == seeded_version()
        assert draft.articles.count() == seeded_version().articles.count()

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_others_cannot_draft_or_edit(self, personas: dict, group: list, persona: str) -> None:
        with pytest.raises(PermissionDenied):
            services.policy_version_draft_from_in_force(actor=personas[persona].user, label="1.1")
        draft = _draft(group[0])
        article = draft.articles.get(number=10)
        with pytest.raises(PermissionDenied):
            services.policy_article_update(actor=personas[persona].user, article=article, data={"text_zh": "x"})
        article.refresh_from_db()
        assert article.text_zh != "x"

    def test_editing_an_article_is_recorded_on_the_version(self, group: list) -> None:
        draft = _draft(group[0])
        article = draft.articles.get(number=10)
        services.policy_article_update(actor=group[0], article=article, data={"text_zh": "投诉须在8工作小时内解决。"})
        article.refresh_from_db()
        assert article.text_zh == "投诉须在8工作小时内解决。"
        assert seeded_version().articles.get(number=10).text_zh != article.text_zh
        assert "第十条" in draft.history.first().history_change_reason

    def test_a_submitted_version_cannot_be_edited(self, group: list) -> None:
        draft = _draft(group[0])
        services.policy_version_submit(actor=group[0], version=draft)
        with pytest.raises(ValidationError):
            services.policy_article_update(actor=group[0], article=draft.articles.get(number=10), data={"text_zh": "x"})


class InvalidDraftTests:
    @pytest.mark.parametrize(
        ("rules", "named"),
        [
            ({"kpi_weights": {"sales_target": 70}}, "考核指标权重"),
            ({"service_deadlines": {"complaint": {"high": {"resolution_hours": -8}}}}, "投诉"),
            ({"grade_bands": {"excellent": 70, "good": 80}}, "优秀"),
        ],
    )
    def test_invalid_rules_are_refused_naming_the_rule_and_nothing_changes(
        self, group: list, rules: dict, named: str
    ) -> None:
        draft = _draft(group[0])
        before = dict(draft.rules)
        with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
            services.policy_version_update_rules(actor=group[0], version=draft, rules=rules)
        with translation.override("zh-hans"):
            assert any(named in str(m) for m in caught.value.messages), caught.value.messages
        draft.refresh_from_db()
        assert draft.rules == before

    def test_a_draft_whose_stored_rules_are_invalid_cannot_be_submitted(self, group: list) -> None:
        draft = _draft(group[0])
        bad = {
            **draft.rules,
            "kpi_weights": {"market_development": 30, "sales_target": 60, "customer_satisfaction": 20},
        }
        PolicyVersion.objects.filter(pk=draft.pk).update(rules=bad)
        with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
            services.policy_version_submit(actor=group[0], version=draft)
        with translation.override("zh-hans"):
            assert any("110" in str(m) for m in caught.value.messages)
        draft.refresh_from_db()
        assert draft.status == S.DRAFT
        assert not PolicyDecision.objects.filter(version=draft).exists()

    def test_a_draft_changing_nothing_is_not_submitted(self, group: list) -> None:
        draft = services.policy_version_draft_from_in_force(actor=group[0], label="1.1")
        with pytest.raises(ValidationError):
            services.policy_version_submit(actor=group[0], version=draft)


class VotingTests:
    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_others_cannot_submit(self, personas: dict, group: list, persona: str) -> None:
        draft = _draft(group[0])
        with pytest.raises(PermissionDenied):
            services.policy_version_submit(actor=personas[persona].user, version=draft)
        draft.refresh_from_db()
        assert draft.status == S.DRAFT

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave", "admin"])
    def test_only_members_vote_or_close(self, personas: dict, group: list, persona: str) -> None:
        decision = services.policy_version_submit(actor=group[0], version=_draft(group[0]))
        with pytest.raises(PermissionDenied):
            services.policy_vote_cast(actor=personas[persona].user, decision=decision, vote=VoteChoice.IN_FAVOUR)
        with pytest.raises(PermissionDenied):
            services.policy_decision_close(actor=personas[persona].user, decision=decision, minutes="x")
        assert not decision.votes.exists()

    def test_submitting_tells_the_members(self, personas: dict, group: list) -> None:
        decision = services.policy_version_submit(actor=group[0], version=_draft(group[0]))
        told = set(
            Notification.objects.filter(topic__contains=f"policydecision:{decision.pk}").values_list(
                "recipient_id", flat=True
            )
        )
        assert told == {u.pk for u in group}

    def test_a_quorum_and_a_majority_approve(self, group: list) -> None:
        version = _approved(group)
        assert version.status == S.APPROVED
        decision = version.decisions.get()
        assert decision.outcome == DecisionOutcome.APPROVED
        tally = selectors.decision_tally(decision)
        assert (tally.group_size, tally.present, tally.in_favour) == (3, 2, 2)

    def test_without_a_quorum_the_draft_goes_back_and_cannot_be_published(self, group: list) -> None:
        draft = _draft(group[0])
        decision = services.policy_version_submit(actor=group[0], version=draft)
        services.policy_vote_cast(actor=group[0], decision=decision, vote=VoteChoice.IN_FAVOUR)
        services.policy_decision_close(actor=group[0], decision=decision, minutes="仅一人出席")
        decision.refresh_from_db()
        draft.refresh_from_db()
        assert decision.outcome == DecisionOutcome.NO_QUORUM
        assert draft.status == S.DRAFT
        with pytest.raises(ValidationError):
            services.policy_version_publish(actor=group[0], version=draft, effective_from=_tomorrow())
        assert selectors.rules_in_force(_tomorrow()).version_label == "1.0"

    def test_without_a_majority_the_draft_is_rejected_with_the_reasons(self, group: list) -> None:
        draft = _draft(group[0])
        decision = services.policy_version_submit(actor=group[0], version=draft)
        services.policy_vote_cast(actor=group[0], decision=decision, vote=VoteChoice.IN_FAVOUR)
        services.policy_vote_cast(actor=group[1], decision=decision, vote=VoteChoice.AGAINST)
        services.policy_vote_cast(actor=group[2], decision=decision, vote=VoteChoice.ABSTAIN)
        services.policy_decision_close(actor=group[1], decision=decision, minutes="时限过紧，客服人手不足")
        draft.refresh_from_db()
        assert draft.status == S.DRAFT
        assert "人手不足" in draft.decision_note
        assert decision.__class__.objects.get(pk=decision.pk).outcome == DecisionOutcome.REJECTED

    @override_settings(POLICY_DECISION_QUORUM="0.75")
    def test_the_quorum_comes_from_the_settings(self, group: list) -> None:
        draft = _draft(group[0])
        decision = services.policy_version_submit(actor=group[0], version=draft)
        for member in group[:2]:  # 2 of 3 is not more than 75 %
            services.policy_vote_cast(actor=member, decision=decision, vote=VoteChoice.IN_FAVOUR)
        services.policy_decision_close(actor=group[0], decision=decision, minutes="x")
        decision.refresh_from_db()
        assert decision.outcome == DecisionOutcome.NO_QUORUM

    def test_a_version_forced_to_approved_without_a_passing_decision_is_not_published(self, group: list) -> None:
        draft = _draft(group[0])
        PolicyVersion.objects.filter(pk=draft.pk).update(status=S.APPROVED)
        with pytest.raises(ValidationError):
            services.policy_version_publish(actor=group[0], version=draft, effective_from=_tomorrow())


class PublicationTests:
    def test_published_for_tomorrow_the_rules_change_tomorrow(self, group: list) -> None:
        version = _approved(group)
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        version.refresh_from_db()
        assert version.status == S.PUBLISHED
        today, tomorrow = selectors.rules_in_force(), selectors.rules_in_force(_tomorrow())
        assert today.version_label == "1.0"
        assert today.rules.deadline("complaint", "high").resolution_hours == 16
        assert tomorrow.version_label == "1.1"
        assert tomorrow.rules.deadline("complaint", "high").resolution_hours == 8

    def test_published_for_today_it_is_in_force_at_once(self, group: list) -> None:
        # 1.0 took effect on its seed date; a new version for today must come after it.
        version = _approved(group)
        if seeded_version().effective_from >= selectors.policy_today():
            pytest.skip("the seed version takes effect in the future")
        services.policy_version_publish(actor=group[0], version=version, effective_from=selectors.policy_today())
        version.refresh_from_db()
        assert version.status == S.IN_FORCE
        assert seeded_version().status == S.SUPERSEDED

    def test_a_date_in_the_past_is_refused(self, group: list) -> None:
        version = _approved(group)
        with pytest.raises(ValidationError):
            services.policy_version_publish(
                actor=group[0], version=version, effective_from=selectors.policy_today() - dt.timedelta(days=1)
            )

    def test_every_active_employee_is_told_once(self, personas: dict, group: list) -> None:
        gone = make_employee("gone", "离职", personas["rep_alice"].unit, BuiltinRole.STAFF)
        gone.is_active = False
        gone.save()
        version = _approved(group)
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        told = list(
            Notification.objects.filter(topic=f"policy_published:policy.policyversion:{version.pk}").values_list(
                "recipient_id", flat=True
            )
        )
        expected = set(selectors.active_employees().values_list("pk", flat=True))
        assert sorted(told) == sorted(expected)
        assert personas["rep_alice"].user.pk in told
        assert gone.user_id not in told

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_others_cannot_publish(self, personas: dict, group: list, persona: str) -> None:
        version = _approved(group)
        with pytest.raises(PermissionDenied):
            services.policy_version_publish(actor=personas[persona].user, version=version, effective_from=_tomorrow())

    def test_two_versions_for_the_same_date_are_refused(self, group: list) -> None:
        first = _approved(group, "1.1")
        services.policy_version_publish(actor=group[0], version=first, effective_from=_tomorrow())
        second = _approved(group, "1.2", HIGHER_SALES_WEIGHT)
        with pytest.raises(ValidationError):
            services.policy_version_publish(actor=group[0], version=second, effective_from=_tomorrow())
        second.refresh_from_db()
        assert second.status == S.APPROVED
        assert selectors.rules_in_force(_tomorrow()).version_label == "1.1"

    def test_the_database_refuses_two_versions_for_one_date(self, group: list) -> None:
        from django.db import IntegrityError, transaction

        first = _approved(group, "1.1")
        services.policy_version_publish(actor=group[0], version=first, effective_from=_tomorrow())
        second = _draft(group[0], "1.2", HIGHER_SALES_WEIGHT)
        with pytest.raises(IntegrityError), transaction.atomic():
            PolicyVersion.objects.filter(pk=second.pk).update(status=S.PUBLISHED, effective_from=_tomorrow())

    def test_a_withdrawn_version_leaves_the_previous_in_force(self, group: list) -> None:
        version = _approved(group)
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        services.policy_version_withdraw(actor=group[0], version=version)
        version.refresh_from_db()
        assert version.status == S.WITHDRAWN
        assert selectors.rules_in_force(_tomorrow()).version_label == "1.0"
        assert supersede_due_versions.apply().result == (0, 0)
        assert services.policy_versions_take_effect(on=_tomorrow()) == (0, 0)
        # the date is free again for another version
        other = _approved(group, "1.2", HIGHER_SALES_WEIGHT)
        services.policy_version_publish(actor=group[0], version=other, effective_from=_tomorrow())
        assert selectors.rules_in_force(_tomorrow()).version_label == "1.2"

    def test_a_version_in_force_cannot_be_withdrawn(self, group: list) -> None:
        version = _approved(group)
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        services.policy_versions_take_effect(on=_tomorrow())
        with pytest.raises(ValidationError):
            services.policy_version_withdraw(actor=group[0], version=version)

    def test_the_daily_job_puts_it_in_force_once(self, group: list) -> None:
        version = _approved(group)
        services.policy_version_publish(actor=group[0], version=version, effective_from=_tomorrow())
        assert services.policy_versions_take_effect() == (0, 0)  # today: nothing yet
        assert services.policy_versions_take_effect(on=_tomorrow()) == (1, 1)
        assert services.policy_versions_take_effect(on=_tomorrow()) == (0, 0)
        version.refresh_from_db()
        assert version.status == S.IN_FORCE
        assert seeded_version().status == S.SUPERSEDED
        assert version.history.filter(status=S.IN_FORCE).count() == 1


class DiffTests:
    def test_the_diff_names_each_changed_rule_and_article(self, group: list) -> None:
        draft = _draft(group[0])
        services.policy_version_update_rules(actor=group[0], version=draft, rules=HIGHER_SALES_WEIGHT)
        services.policy_article_update(
            actor=group[0], article=draft.articles.get(number=10), data={"text_zh": "投诉须在8工作小时内解决。"}
        )
        with translation.override("zh-hans"):
            diff = selectors.version_diff(draft)
            sentences = [line.sentence for line in diff.rules]
        assert [a.number for a in diff.articles] == [10]
        assert diff.articles[0].kind == "changed"
        assert len(diff.rules) == 3  # the complaint deadline and two weights
        complaint = next(s for s in sentences if "投诉" in s)
        assert complaint.startswith("第十条")
        assert "16" in complaint and "8" in complaint
        assert any(s.startswith("第十一条") and "60" in s for s in sentences)
