"""Periodic review (art. 15): the leadership group is reminded before the next review date (once a day), a review
is recorded with the figures considered, "keep" moves the next date, "amend" opens a draft."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import Notification
from apps.policy import review_evidence, selectors, services
from apps.policy.choices import PolicyVersionStatus, ReviewOutcome
from apps.policy.models import PolicyAcknowledgement, PolicyReview, PolicyVersion
from apps.policy.tests.factories import leader, seeded_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(personas: dict) -> Any:
    return leader(personas["auditor_dave"].unit)


def _due_in(days: int) -> PolicyVersion:
    version = seeded_version()
    PolicyVersion.objects.filter(pk=version.pk).update(next_review_on=selectors.policy_today() + dt.timedelta(days))
    version.refresh_from_db()
    return version


def _reminders() -> Any:
    return Notification.objects.filter(topic__startswith="policy-review:")


class ReminderTests:
    def test_the_leadership_group_is_reminded_once_a_day_within_the_window(
        self, personas: dict, member: Any, settings: Any
    ) -> None:
        settings.POLICY_REVIEW_REMIND_DAYS = 30
        today = selectors.policy_today()
        _due_in(31)
        assert services.policy_reviews_remind_due(on=today) == 0
        _due_in(30)
        assert services.policy_reviews_remind_due(on=today) == 1
        assert services.policy_reviews_remind_due(on=today) == 0  # idempotent per day
        assert set(_reminders().values_list("recipient", flat=True)) == {member.pk}
        assert services.policy_reviews_remind_due(on=today + dt.timedelta(days=1)) == 1
        assert _reminders().count() == 2

    def test_an_overdue_review_says_so(self, personas: dict, member: Any) -> None:
        _due_in(-3)
        assert services.policy_reviews_remind_due() == 1
        assert "overdue" in _reminders().get().title.lower() or "逾期" in _reminders().get().title

    def test_nobody_else_is_reminded(self, personas: dict, member: Any) -> None:
        _due_in(0)
        services.policy_reviews_remind_due()
        others = [personas[k].user.pk for k in ("rep_alice", "lead_bob", "auditor_dave")]
        assert not _reminders().filter(recipient__in=others).exists()


class RecordTests:
    def test_keep_records_the_evidence_and_moves_the_next_review(self, personas: dict, member: Any) -> None:
        version = _due_in(-3)
        services.policy_reviews_remind_due()
        services.policy_acknowledgements_request(version=version, send=False)
        services.policy_acknowledgement_confirm(actor=personas["rep_alice"].user, version=version)
        next_on = selectors.policy_today() + dt.timedelta(days=200)
        review = services.policy_review_record(
            actor=member,
            version=version,
            outcome=ReviewOutcome.KEEP,
            reasons="运行良好,暂不调整。",
            next_review_on=next_on,
        )
        version.refresh_from_db()
        assert version.next_review_on == next_on and review.draft is None
        asked = PolicyAcknowledgement.objects.filter(version=version).count()
        confirmed = PolicyAcknowledgement.objects.filter(version=version, confirmed_at__isnull=False).count()
        figures = {row["label"]: row["value"] for row in review.evidence}
        assert any(value.startswith(f"{confirmed} / {asked} ") for value in figures.values())
        assert not _reminders().filter(read_at__isnull=True).exists()  # the reminders are closed
        assert review.reviewed_on.isoformat() in (version.history.first().history_change_reason or "")

    def test_amend_opens_a_draft_based_on_the_version(self, personas: dict, member: Any) -> None:
        version = _due_in(10)
        review = services.policy_review_record(
            actor=member, version=version, outcome=ReviewOutcome.AMEND, reasons="投诉时限需要缩短。"
        )
        assert review.draft is not None
        assert review.draft.status == PolicyVersionStatus.DRAFT and review.draft.label == "1.1"
        assert review.draft.based_on == version and review.draft.articles.count() == 15
        version.refresh_from_db()
        assert version.next_review_on > selectors.policy_today()

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    def test_only_the_leadership_group_records(self, personas: dict, persona: str) -> None:
        with pytest.raises(PermissionDenied):
            services.policy_review_record(
                actor=personas[persona].user, version=seeded_version(), outcome=ReviewOutcome.KEEP, reasons="x"
            )
        response = (
            personas[persona]
            .client()
            .post(reverse("policy:review_create", args=[seeded_version().pk]), {"outcome": "keep", "reasons": "x"})
        )
        assert response.status_code == 403
        assert not PolicyReview.objects.exists()

    def test_reasons_and_a_future_date_are_required(self, personas: dict, member: Any) -> None:
        with pytest.raises(ValidationError):
            services.policy_review_record(actor=member, version=seeded_version(), outcome="keep", reasons=" ")
        with pytest.raises(ValidationError):
            services.policy_review_record(
                actor=member,
                version=seeded_version(),
                outcome="keep",
                reasons="ok",
                next_review_on=selectors.policy_today(),
            )
        assert not PolicyReview.objects.exists()

    def test_a_superseded_version_is_not_reviewed(self, personas: dict, member: Any) -> None:
        PolicyVersion.objects.filter(pk=seeded_version().pk).update(status=PolicyVersionStatus.SUPERSEDED)
        with pytest.raises(ValidationError):
            services.policy_review_record(actor=member, version=seeded_version(), outcome="keep", reasons="ok")

    def test_registered_evidence_is_kept_and_a_broken_source_is_left_out(
        self, personas: dict, member: Any, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(review_evidence, "_SOURCES", {})
        review_evidence.register_review_evidence("fake", lambda since, until: [("投诉数", 7)])

        def broken(since: dt.date, until: dt.date) -> list:
            raise RuntimeError("down")

        review_evidence.register_review_evidence("broken", broken)
        review = services.policy_review_record(actor=member, version=seeded_version(), outcome="keep", reasons="ok")
        assert {"source": "fake", "label": "投诉数", "value": "7"} in review.evidence
        assert not any(row["source"] == "broken" for row in review.evidence)

    def test_the_pages_and_the_api(self, personas: dict, member: Any) -> None:
        client = personas["auditor_dave"].client()
        client.force_login(member)
        response = client.post(
            reverse("policy:review_create", args=[seeded_version().pk]), {"outcome": "keep", "reasons": "运行良好"}
        )
        assert response.status_code == 302
        review = PolicyReview.objects.get()
        body = client.get(reverse("policy:review_detail", args=[review.pk])).content.decode()
        assert 'data-testid="review-evidence"' in body
        dave = personas["auditor_dave"].client()  # senior management reads the reviews
        assert dave.get(reverse("policy:review_list")).status_code == 200
        assert [r["id"] for r in dave.get("/api/v1/policy-reviews/").json()["results"]] == [review.pk]
        assert personas["rep_alice"].client().get("/api/v1/policy-reviews/").json()["results"] == []
        refused = (
            personas["rep_alice"]
            .client()
            .post(
                "/api/v1/policy-reviews/",
                {"version": seeded_version().pk, "outcome": "keep", "reasons": "x"},
                content_type="application/json",
            )
        )
        assert refused.status_code == 403


def test_service_and_performance_figures_are_considered(personas: dict, member: Any) -> None:
    review = services.policy_review_record(actor=member, version=seeded_version(), outcome="keep", reasons="ok")
    sources = {row["source"] for row in review.evidence}
    assert {"policy", "service", "performance"} <= sources
    service = {row["label"]: row["value"] for row in review.evidence if row["source"] == "service"}
    assert len(service) == 3 and all(value.startswith("0") for value in service.values())  # no tickets yet
