"""Writes of the read acknowledgement (art. 14): asking every active employee to confirm the version in force,
confirming, reminding."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.history import record_actor
from apps.core.services import notification_topic, notify
from apps.org.models import Employee
from apps.policy.models import (
    PolicyAcknowledgement,
    PolicyVersion,
)
from apps.policy.selectors import (
    NoPolicyInForce,
    acknowledgement_deadline,
    acknowledgement_list,
    policy_in_force,
    policy_in_force_id,
    policy_today,
)

# Acknowledgement, interpretation, review


NOT_IN_FORCE = _("Version %(label)s is not the version in force; only the version in force is confirmed.")
NOT_AN_EMPLOYEE = _("Only an employee in service confirms the policy.")


def _ack_topic(version: PolicyVersion) -> str:
    return notification_topic("policy-ack", version)


def _active_employees() -> Any:
    return Employee.objects.filter(is_active=True, user__is_active=True)


@transaction.atomic
def policy_acknowledgements_request(
    *, version: PolicyVersion | None = None, on: dt.date | None = None, send: bool = False
) -> int:
    """Ask every active employee to confirm the version in force (or ``version``): one row each, made once.
    Idempotent; return how many were asked. Run when a version takes effect (daily job) and by the reminders.

    The banner asks at once; ``send`` also notifies the newly asked (off by default: the publication itself
    notifies every employee, and the reminders follow)."""
    if version is None:
        try:
            version = policy_in_force(on)
        except NoPolicyInForce:
            return 0
    asked = set(PolicyAcknowledgement.objects.filter(version=version).values_list("user_id", flat=True))
    users = [e.user for e in _active_employees().select_related("user") if e.user_id not in asked]
    PolicyAcknowledgement.objects.bulk_create(
        [PolicyAcknowledgement(version=version, user=u) for u in users], ignore_conflicts=True
    )
    if send and users:
        notify(
            recipients=users,
            topic=_ack_topic(version),
            url=reverse("policy:acknowledge"),
            title=gettext("Policy %(label)s is in force: please read the changes and confirm")
            % {"label": version.label},
            body=gettext("Read the changed articles and confirm “I have read and understood” (我已阅读并知晓)."),
        )
    return len(users)


@transaction.atomic
def policy_acknowledgement_confirm(*, actor: Any, version: PolicyVersion) -> PolicyAcknowledgement:
    """The actor confirms having read the version in force (我已阅读并知晓): the time and version are kept; a second
    confirmation changes nothing. Only an employee in service, only for the version in force."""
    if not actor.has_perm("policy.view_policyacknowledgement"):
        raise PermissionDenied
    if not _active_employees().filter(user=actor).exists():
        raise ValidationError(NOT_AN_EMPLOYEE, code="not_an_employee")
    in_force = policy_in_force()
    if version.pk != in_force.pk:
        raise ValidationError(NOT_IN_FORCE, code="not_in_force", params={"label": version.label})
    if not PolicyAcknowledgement.objects.filter(version=version).exists():
        # The first confirmation of a version asks everyone else too, should the daily job not have run yet.
        policy_acknowledgements_request(version=version)
    ack, _created = PolicyAcknowledgement.objects.select_for_update().get_or_create(version=version, user=actor)
    if ack.confirmed_at is None:
        ack.confirmed_at = timezone.now()
        record_actor(ack, actor, gettext("Confirmed: I have read and understood"))
        ack.save(update_fields=["confirmed_at", "updated_at"])
    return ack


def _remind(acks: list[PolicyAcknowledgement], version: PolicyVersion, actor: Any = None) -> int:
    if not acks:
        return 0
    deadline = acknowledgement_deadline(version)
    body = gettext("Please read the changed articles of policy %(label)s and confirm by %(date)s.") % {
        "label": version.label,
        "date": deadline.isoformat() if deadline else "—",
    }
    notify(
        recipients=[a.user for a in acks],
        topic=_ack_topic(version),
        url=reverse("policy:acknowledge"),
        title=gettext("Reminder: confirm that you have read policy %(label)s") % {"label": version.label},
        body=body,
    )
    now = timezone.now()
    for ack in acks:
        ack.reminded_at = now
        ack.reminder_count += 1
        record_actor(ack, actor, gettext("Reminded"))
        ack.save(update_fields=["reminded_at", "reminder_count", "updated_at"])
    return len(acks)


@transaction.atomic
def policy_acknowledgements_remind(*, actor: Any, version: PolicyVersion) -> int:
    """One click: remind every unconfirmed employee of ``version`` within the actor's scope (managers their
    tree, senior management and the leadership group everyone); return how many were reminded."""
    if not actor.has_perm("policy.remind_policyacknowledgement"):
        raise PermissionDenied
    if version.pk == policy_in_force_id():
        policy_acknowledgements_request(version=version, send=False)  # whoever was not asked yet is reminded too
    acks = list(
        acknowledgement_list(user=actor, version=version)
        .filter(confirmed_at__isnull=True)
        .select_for_update(of=("self",))
    )
    return _remind(acks, version, actor)


@transaction.atomic
def policy_acknowledgements_remind_due(*, on: dt.date | None = None) -> int:
    """Periodic: ask whoever has not been asked yet, then remind the unconfirmed of the version in force every
    ``POLICY_ACK_REMIND_EVERY_DAYS`` days until the deadline (``POLICY_ACK_DEADLINE_DAYS`` after the effective
    date). Return how many were reminded."""
    on = on or policy_today()
    try:
        version = policy_in_force(on)
    except NoPolicyInForce:
        return 0
    policy_acknowledgements_request(version=version, on=on)
    deadline = acknowledgement_deadline(version)
    if deadline is not None and on > deadline:
        return 0
    every = getattr(settings, "POLICY_ACK_REMIND_EVERY_DAYS", 3)
    # The first reminder comes ``every`` days after the request, the next ones ``every`` days after the last.
    cutoff = timezone.now() - dt.timedelta(days=every) + dt.timedelta(hours=1)
    acks = list(
        PolicyAcknowledgement.objects.select_for_update()
        .select_related("user")
        .filter(version=version, confirmed_at__isnull=True, user__is_active=True, user__employee__is_active=True)
        .filter(Q(reminded_at__lte=cutoff) | Q(reminded_at__isnull=True, created_at__lte=cutoff))
    )
    return _remind(acks, version)
