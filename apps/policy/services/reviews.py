"""Writes of the policy review (art. 15): recording a review (keep or amend) and the reminders when one is due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.history import record_actor
from apps.core.models import Notification
from apps.core.services import model_save, notifications_close, notify
from apps.org.choices import BuiltinRole
from apps.org.selectors import users_with_role
from apps.policy.choices import InterpretationStatus, PolicyVersionStatus, ReviewOutcome
from apps.policy.models import (
    Interpretation,
    PolicyAcknowledgement,
    PolicyReview,
    PolicyVersion,
)
from apps.policy.review_evidence import review_evidence
from apps.policy.selectors import (
    acknowledgement_by_department,
    policy_today,
    versions_due_for_review,
)
from apps.policy.services.versions import _one_year_after, _require, policy_version_create_draft

REVIEW_NOT_IN_FORCE = _("Only the version in force is reviewed; version %(label)s is %(status)s.")
REVIEW_REASONS_REQUIRED = _("Give the reasons for the review's outcome.")
NEXT_REVIEW_NOT_FUTURE = _("The next review must be after today.")


# Reviews (art. 15)


def _next_label(version: PolicyVersion) -> str:
    """1.0 → 1.1 (then 1.2… while taken); a label that is not "major.minor" gets "-r1", "-r2"…"""
    taken = set(PolicyVersion.objects.filter(policy_id=version.policy_id).values_list("label", flat=True))
    major, _dot, minor = version.label.partition(".")
    if major.isdigit() and (minor.isdigit() or not minor):
        n = int(minor or 0) + 1
        while f"{major}.{n}" in taken:
            n += 1
        return f"{major}.{n}"
    n = 1
    while f"{version.label}-r{n}" in taken:
        n += 1
    return f"{version.label}-r{n}"


def _policy_evidence(version: PolicyVersion, since: dt.date, until: dt.date) -> list[dict[str, str]]:
    """The policy's own figures: read acknowledgements of the version, questions asked and answered."""
    _rows, total = acknowledgement_by_department(
        PolicyAcknowledgement.objects.filter(version=version, user__employee__is_active=True)
    )
    asked = Interpretation.objects.filter(
        version__policy_id=version.policy_id, created_at__date__gte=since, created_at__date__lte=until
    )
    return [
        {
            "source": "policy",
            "label": gettext("Employees who confirmed the version"),
            "value": f"{total.confirmed} / {total.asked} ({total.share}%)",
        },
        {"source": "policy", "label": gettext("Questions asked about the policy"), "value": str(asked.count())},
        {
            "source": "policy",
            "label": gettext("Interpretations published"),
            "value": str(asked.filter(status=InterpretationStatus.PUBLISHED).count()),
        },
    ]


@transaction.atomic
def policy_review_record(
    *,
    actor: Any,
    version: PolicyVersion,
    outcome: str,
    reasons: str,
    next_review_on: dt.date | None = None,
) -> PolicyReview:
    """Record the review of the version in force: the outcome (keep as it is / amend), the reasons and the figures
    considered (computed now, over the period since the last review or the effective date); the version's next
    review moves to ``next_review_on`` (default a year from today). "Amend" opens a draft based on the version."""
    _require(actor, "policy.add_policyreview")
    locked = PolicyVersion.objects.select_for_update().get(pk=version.pk)
    today = policy_today()
    if locked.status != PolicyVersionStatus.IN_FORCE or (locked.effective_from or today) > today:
        raise ValidationError(
            REVIEW_NOT_IN_FORCE,
            code="not_in_force",
            params={"label": locked.label, "status": PolicyVersionStatus(locked.status).label},
        )
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": REVIEW_REASONS_REQUIRED})
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": ValidationError(_("Choose keep or amend."), code="invalid")})
    next_review_on = next_review_on or _one_year_after(today)
    if next_review_on <= today:
        raise ValidationError({"next_review_on": NEXT_REVIEW_NOT_FUTURE})
    last = locked.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    since = last or locked.effective_from or today
    evidence = _policy_evidence(locked, since, today) + review_evidence(since, today)
    draft = None
    if outcome == ReviewOutcome.AMEND:
        draft = policy_version_create_draft(
            actor=actor, policy=locked.policy, label=_next_label(locked), based_on=locked
        )
    review = PolicyReview(
        version=locked,
        reviewed_on=today,
        outcome=outcome,
        reasons=reasons,
        evidence=evidence,
        reviewed_by=actor,
        next_review_on=next_review_on,
        draft=draft,
    )
    model_save(review, actor=actor)
    locked.next_review_on = next_review_on
    record_actor(
        locked,
        actor,
        gettext("Reviewed on %(date)s: %(outcome)s")
        % {"date": today.isoformat(), "outcome": ReviewOutcome(outcome).label},
    )
    locked.save(update_fields=["next_review_on", "updated_at"])
    version.next_review_on = next_review_on
    notifications_for_topic_close(locked)
    return review


def notifications_for_topic_close(version: PolicyVersion) -> None:
    """Close the review reminders of ``version`` once it has been reviewed."""
    notifications_close(topic_prefix=f"policy-review:{version.pk}:")


def policy_reviews_remind_due(*, on: dt.date | None = None) -> int:
    """Daily: remind the leadership group of each version in force whose review is due within
    ``POLICY_REVIEW_REMIND_DAYS`` days (or overdue) — once a day, however often the job runs. Return how many
    versions were reminded about."""
    on = on or policy_today()
    days = getattr(settings, "POLICY_REVIEW_REMIND_DAYS", 30)
    members = list(users_with_role(BuiltinRole.LEADERSHIP_GROUP))
    count = 0
    for version in versions_due_for_review(on, days):
        topic = f"policy-review:{version.pk}:{on.isoformat()}"
        if not members or Notification.objects.filter(topic=topic).exists():
            continue
        assert version.next_review_on is not None
        overdue = version.next_review_on < on
        title = (
            gettext("The review of policy %(label)s is overdue (due %(date)s)")
            if overdue
            else gettext("The review of policy %(label)s is due on %(date)s")
        )
        notify(
            recipients=members,
            topic=topic,
            url=reverse("policy:review_create", args=[version.pk]),
            title=title % {"label": version.label, "date": version.next_review_on.isoformat()},
            body=gettext("Art. 15: evaluate the policy and record whether it is kept as it is or amended."),
        )
        count += 1
    return count
