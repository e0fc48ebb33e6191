"""Tickets: the deadline warnings and escalations (periodic task ``service.check_ticket_deadlines``) and following a
change of the working-day calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation

from apps.core.workdays import (
    TZ,
    calendar_preloaded,
    workday_calendar,
    working_hours_between,
)
from apps.org.choices import BuiltinRole
from apps.org.selectors import users_with_role
from apps.policy.models import PolicyVersion
from apps.policy.rules import parse_rules
from apps.service.choices import (
    OPEN_STATUSES,
    EscalationLevel,
    TicketEventKind,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.services import sla
from apps.service.services.tickets.common import (
    BODY_ESCALATED,
    EVENT_ESCALATED_1,
    EVENT_ESCALATED_2,
    EVENT_WARNED,
    NOTE_ESCALATED,
    NOTE_SENIOR,
    NOTE_WARNING,
    _event,
    _lock,
    _notify,
    _params,
    _responsible,
    _save,
    department_manager,
)

#
# Warnings and escalation (periodic)
#


def ticket_check_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Warn once when ``warning_percent`` of the running deadline has passed; escalate a breached deadline to the
    department manager (level 1) and a complaint still open ``senior_after_hours`` working hours later to senior
    management (level 2). Tickets awaiting the customer are skipped. Running twice notifies once.

    The running tickets are read once and judged on one calendar read; only those needing action are locked and
    judged again inside their own transaction (so a concurrent run or a change in between notifies nobody twice).
    """
    now = now or timezone.now()
    counts = {"checked": 0, "warned": 0, "escalated": 0, "escalated_senior": 0}
    running = list(
        Ticket.objects.filter(status__in=sla.RUNNING_STATUSES).only(
            "pk",
            "status",
            "ticket_type",
            "created_at",
            "first_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "waiting_since",
            "paused_hours",
            "warned_at",
            "escalation_level",
            "escalated_at",
            "rules_version_id",
        )
    )
    counts["checked"] = len(running)
    if not running:
        return counts
    rules = {
        pk: parse_rules(data).service_escalation
        for pk, data in PolicyVersion.objects.filter(pk__in={t.rules_version_id for t in running}).values_list(
            "pk", "rules"
        )
    }
    earliest = min(min(t.created_at, t.escalated_at or now) for t in running)
    latest = max(max(t.first_response_due, t.resolution_due, now) for t in running)
    calendar = workday_calendar(earliest.astimezone(TZ).date(), latest.astimezone(TZ).date())
    senior: list[Any] | None = None
    for candidate in running:
        if _deadline_step(candidate, rules[candidate.rules_version_id], now, calendar) is None:
            continue
        with transaction.atomic():
            ticket = _lock(candidate)
            escalation = rules[ticket.rules_version_id]
            step = _deadline_step(ticket, escalation, now, calendar)
            if step == "escalate":
                _escalate_to_manager(ticket, cast(str, sla.breached_deadline(ticket, now)), now)  # breached
                counts["escalated"] += 1
            elif step == "senior":
                if senior is None:
                    senior = list(users_with_role(BuiltinRole.SENIOR_MANAGEMENT))
                _escalate_to_senior(ticket, senior, escalation.senior_after_hours, now)
                counts["escalated_senior"] += 1
            elif step == "warn":
                _warn(
                    ticket,
                    sla.countdown(ticket, now=now, warning_percent=escalation.warning_percent, calendar=calendar),
                    now,
                )
                counts["warned"] += 1
    return counts


def _deadline_step(ticket: Ticket, escalation: Any, now: dt.datetime, calendar: dict) -> str | None:
    """What the deadline check must do with this ticket now: "escalate", "senior", "warn" or nothing."""
    if ticket.status not in sla.RUNNING_STATUSES:
        return None
    breached = sla.breached_deadline(ticket, now)
    if breached and ticket.escalation_level == EscalationLevel.NONE:
        return "escalate"
    if (
        ticket.is_complaint
        and ticket.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
        and ticket.escalated_at is not None
        and working_hours_between(ticket.escalated_at, now, calendar=calendar) >= escalation.senior_after_hours
    ):
        return "senior"
    if not breached and ticket.warned_at is None:
        clock = sla.countdown(ticket, now=now, warning_percent=escalation.warning_percent, calendar=calendar)
        if clock.state == sla.STATE_WARNING:
            return "warn"
    return None


def _due_text(due: dt.datetime) -> str:
    return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")


def _deadline_label(which: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(sla.DEADLINE_LABELS[which])


def _warn(ticket: Ticket, countdown: sla.Countdown, now: dt.datetime) -> None:
    ticket.warned_at = now
    ticket.save(update_fields=["warned_at", "updated_at"])
    due = cast(dt.datetime, countdown.due)  # a warning is only for a deadline that is set
    params = {
        **_params(ticket),
        "deadline": _deadline_label(countdown.which),
        "due": _due_text(due),
        "percent": countdown.elapsed_percent,
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = str(EVENT_WARNED) % params
    _event(ticket, TicketEventKind.WARNED, None, body, at=now)
    _notify(_responsible(ticket), NOTE_WARNING, params, ticket, body=body, kind="escalation")


def _escalate_to_manager(ticket: Ticket, which: str, now: dt.datetime) -> None:
    manager = department_manager(ticket.department)
    due = ticket.first_response_due if which == sla.FIRST_RESPONSE else ticket.resolution_due
    ticket.escalation_level = EscalationLevel.DEPARTMENT_MANAGER
    ticket.escalated_at = now
    ticket.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
    params = {
        **_params(ticket),
        "deadline": _deadline_label(which),
        "due": _due_text(due),
        "manager": manager or "—",
        "department": ticket.department,
        "assignee": ticket.assignee or "—",
    }
    with translation.override(settings.LANGUAGE_CODE):
        event_body = str(EVENT_ESCALATED_1) % params
        body = str(BODY_ESCALATED) % params
    _event(ticket, TicketEventKind.ESCALATED, None, event_body, at=now)
    _notify([manager], NOTE_ESCALATED, params, ticket, body=f"{ticket.title}\n{body}", kind="escalation")


def _escalate_to_senior(ticket: Ticket, senior: list[Any], hours: int, now: dt.datetime) -> None:
    ticket.escalation_level = EscalationLevel.SENIOR_MANAGEMENT
    ticket.escalated_at = now
    ticket.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
    params = {
        **_params(ticket),
        "hours": hours,
        "department": ticket.department,
        "assignee": ticket.assignee or "—",
        "due": _due_text(ticket.resolution_due),
    }
    with translation.override(settings.LANGUAGE_CODE):
        event_body = str(EVENT_ESCALATED_2) % params
        body = str(BODY_ESCALATED) % params
    _event(ticket, TicketEventKind.ESCALATED, None, event_body, at=now)
    _notify(senior, NOTE_SENIOR, params, ticket, body=f"{ticket.title}\n{body}", kind="escalation")


#
# The working-day calendar changed (``core.services.calendar`` registry)
#


def tickets_follow_calendar(change: Any) -> int:
    """Recompute the unmet deadlines of open tickets on the changed calendar: each keeps the working hours it lay
    after the first changed day. Met deadlines (a first response made) and closed tickets stay as they are; each
    moved ticket gets a history row saying why. Returns how many tickets moved."""
    start = dt.datetime.combine(change.first_day, dt.time(0), TZ)
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__gt=start)
            | Q(resolved_at__isnull=True, resolution_due__gt=start)
        )
    )
    if not tickets:
        return 0
    latest = max(max(t.first_response_due, t.resolution_due) for t in tickets).astimezone(TZ).date()
    # A reopened ticket's resolution is counted from its last reopening.
    reopened = dict(
        TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEventKind.REOPENED)
        .values("ticket_id")
        .annotate(last=Max("at"))
        .values_list("ticket_id", "last")
    )
    moved = 0
    with calendar_preloaded(change.first_day, latest + dt.timedelta(days=120)):
        for ticket in tickets:
            fields = []
            if ticket.first_responded_at is None:
                due = change.moved_deadline(ticket.created_at, ticket.first_response_due)
                if due != ticket.first_response_due:
                    ticket.first_response_due = due
                    fields.append("first_response_due")
            if ticket.resolved_at is None:
                due = change.moved_deadline(reopened.get(ticket.pk, ticket.created_at), ticket.resolution_due)
                if due != ticket.resolution_due:
                    ticket.resolution_due = due
                    fields.append("resolution_due")
            if fields:
                _save(ticket, change.actor, fields, reason=change.reason)
                moved += 1
    return moved
