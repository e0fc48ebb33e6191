"""Writes to the policy: drafts copy their base, rules change only in drafts and only when valid, and only
the leadership group (or the administrator) may change or publish."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.policy import selectors, services
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import PolicyVersion
from apps.policy.tests.factories import leader, new_version, seeded_policy, seeded_version

pytestmark = pytest.mark.django_db


class CreateDraftTests:
    def test_a_draft_copies_the_articles_and_rules_of_its_base(self, personas: dict) -> None:
        draft = services.policy_version_create_draft(
            actor=personas["admin"].user,
            policy=seeded_policy(),
            label="1.1",
            based_on=seeded_version(),
            rules={"contact_cadence_days": {"A": 5}},
        )
        assert draft.status == PolicyVersionStatus.DRAFT
        assert draft.articles.count() == 15
        assert draft.articles.get(number=15).text_zh == seeded_version().articles.get(number=15).text_zh
        assert selectors.version_rules(draft).contact_cadence_days("A") == 5
        assert selectors.version_rules(draft).contact_cadence_days("B") == 15
        assert draft.history.get().history_user == personas["admin"].user

    def test_a_label_is_used_once_per_policy(self, personas: dict) -> None:
        with pytest.raises(ValidationError) as exc:
            new_version(personas["admin"].user, "1.0")
        assert "label" in exc.value.message_dict
        assert PolicyVersion.objects.count() == 1

    def test_bad_rules_create_nothing(self, personas: dict) -> None:
        with pytest.raises(ValidationError):
            new_version(personas["admin"].user, "1.1", kpi_weights={"sales_target": 10})
        assert PolicyVersion.objects.count() == 1

    def test_staff_cannot_draft(self, personas: dict) -> None:
        with pytest.raises(PermissionDenied):
            new_version(personas["rep_alice"].user, "1.1")


class UpdateRulesTests:
    def test_a_draft_takes_valid_rules_and_records_them_in_plain_words(self, personas: dict) -> None:
        actor = leader(personas["admin"].unit)
        draft = new_version(actor, "1.1")
        with translation.override("en"):
            services.policy_version_update_rules(actor=actor, version=draft, rules={"contact_cadence_days": {"B": 10}})
        draft.refresh_from_db()
        assert selectors.version_rules(draft).contact_cadence_days("B") == 10
        latest = draft.history.first()
        assert latest.history_user == actor
        assert "Contact cadence · B (regular customer)" in latest.history_change_reason
        assert "15" in latest.history_change_reason and "10" in latest.history_change_reason

    def test_kpi_weights_not_adding_up_change_nothing(self, personas: dict) -> None:
        actor = personas["admin"].user
        draft = new_version(actor, "1.1")
        stored = PolicyVersion.objects.get(pk=draft.pk)
        history_rows = draft.history.count()
        weights = {"market_development": 30, "sales_target": 40, "customer_satisfaction": 20}
        with pytest.raises(ValidationError) as exc, translation.override("en"):
            services.policy_version_update_rules(actor=actor, version=draft, rules={"kpi_weights": weights})
        with translation.override("en"):
            assert "they add up to 90%" in exc.value.message_dict["kpi_weights"][0]
        unchanged = PolicyVersion.objects.get(pk=draft.pk)
        assert unchanged.rules == stored.rules
        assert unchanged.updated_at == stored.updated_at
        assert draft.history.count() == history_rows

    def test_a_version_in_force_cannot_change(self, personas: dict) -> None:
        version = seeded_version()
        with translation.override("en"), pytest.raises(ValidationError, match="Only a draft"):
            services.policy_version_update_rules(
                actor=personas["admin"].user, version=version, rules={"contact_cadence_days": {"A": 1}}
            )
        assert selectors.rules_in_force().rules.contact_cadence_days("A") == 7

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_only_the_leadership_group_may_change_rules(self, personas: dict, persona: str) -> None:
        draft = new_version(personas["admin"].user, "1.1")
        with pytest.raises(PermissionDenied):
            services.policy_version_update_rules(
                actor=personas[persona].user, version=draft, rules={"contact_cadence_days": {"A": 1}}
            )


class PutInForceTests:
    def test_a_published_version_replaces_the_one_before_on_its_date(self, personas: dict) -> None:
        actor = leader(personas["admin"].unit)
        version = new_version(actor, "1.1", dt.date(2026, 7, 1))
        assert version.status == PolicyVersionStatus.IN_FORCE
        assert (version.published_by, version.next_review_on) == (actor, dt.date(2027, 7, 1))
        assert seeded_version().status == PolicyVersionStatus.SUPERSEDED
        assert selectors.policy_in_force() == version

    def test_the_version_before_stays_in_force_until_the_date(self, personas: dict) -> None:
        actor = personas["admin"].user
        future = selectors.policy_today() + dt.timedelta(days=10)
        version = new_version(actor, "2.0", future)
        assert seeded_version().status == PolicyVersionStatus.IN_FORCE
        assert selectors.policy_in_force().label == "1.0"
        assert services.policy_version_supersede_due(on=future) == 1
        assert seeded_version().status == PolicyVersionStatus.SUPERSEDED
        assert selectors.policy_in_force(on=future) == version

    def test_the_past_is_not_rewritten(self, personas: dict) -> None:
        draft = new_version(personas["admin"].user, "0.9")
        with pytest.raises(ValidationError) as exc:
            services.policy_version_put_in_force(
                actor=personas["admin"].user, version=draft, effective_from=dt.date(2026, 1, 1)
            )
        assert "effective_from" in exc.value.message_dict
        draft.refresh_from_db()
        assert draft.status == PolicyVersionStatus.DRAFT

    def test_the_review_must_follow_the_effective_date(self, personas: dict) -> None:
        draft = new_version(personas["admin"].user, "1.1")
        with pytest.raises(ValidationError) as exc:
            services.policy_version_put_in_force(
                actor=personas["admin"].user,
                version=draft,
                effective_from=dt.date(2026, 7, 1),
                next_review_on=dt.date(2026, 6, 1),
            )
        assert "next_review_on" in exc.value.message_dict
        assert PolicyVersion.objects.get(pk=draft.pk).status == PolicyVersionStatus.DRAFT

    def test_a_published_version_cannot_be_published_again(self, personas: dict) -> None:
        with pytest.raises(ValidationError):
            services.policy_version_put_in_force(
                actor=personas["admin"].user, version=seeded_version(), effective_from=dt.date(2027, 1, 1)
            )

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_publishing_needs_the_publish_permission(self, personas: dict, persona: str) -> None:
        draft = new_version(personas["admin"].user, "1.1")
        with pytest.raises(PermissionDenied):
            services.policy_version_put_in_force(
                actor=personas[persona].user, version=draft, effective_from=dt.date(2026, 7, 1)
            )


class SupersedeJobTests:
    def test_the_daily_job_catches_up_once_the_date_is_reached(self, personas: dict) -> None:
        from apps.policy.tasks import supersede_due_versions

        future = selectors.policy_today() + dt.timedelta(days=1)
        new_version(personas["admin"].user, "2.0", future)
        assert supersede_due_versions.apply().result == (0, 0)
        assert seeded_version().status == PolicyVersionStatus.IN_FORCE
        assert services.policy_version_supersede_due(on=future) == 1
        assert services.policy_version_supersede_due(on=future) == 0
