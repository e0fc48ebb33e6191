"""The service clock (时限): deadlines of a ticket from the rules of its own policy version, in working hours.

- Both deadlines are counted from ``created_at`` on the working-day calendar (``core.workdays``): first response and
  resolution hours per ticket type and priority.
- While a ticket awaits the customer the clock stops; on resume the paused working hours are added to
  ``paused_hours`` and every deadline not yet met moves back by exactly that much.
- ``countdown`` tells a page how much working time is left (negative when overdue) and which colour the badge has:
  green, amber once ``warning_percent`` of the deadline's working time has passed, red when overdue, grey paused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from apps.core.workdays import (
    HOURS_PER_DAY,
    TZ,
    add_working_hours,
    provisional_between,
    workday_calendar,
    working_hours_between,
)
from apps.policy.models import PolicyVersion
from apps.policy.rules import Rules, parse_rules
from apps.service.choices import TicketStatus

FIRST_RESPONSE = "first_response"
RESOLUTION = "resolution"
DEADLINE_LABELS = {FIRST_RESPONSE: _("First response"), RESOLUTION: _("Resolution")}

# The clock runs in these statuses (it is paused while awaiting the customer, stopped once resolved).
RUNNING_STATUSES = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)

STATE_OK = "ok"
STATE_WARNING = "warning"
STATE_OVERDUE = "overdue"
STATE_PAUSED = "paused"
STATE_DONE = "done"
STATE_COLOURS = {
    STATE_OK: "success",
    STATE_WARNING: "warning",
    STATE_OVERDUE: "danger",
    STATE_PAUSED: "secondary",
    STATE_DONE: "light",
}
STATE_LABELS = {
    STATE_OK: _("On time"),
    STATE_WARNING: _("At risk"),
    STATE_OVERDUE: _("Overdue"),
    STATE_PAUSED: _("Paused"),
    STATE_DONE: _("Done"),
}


def ticket_rules(ticket: Any) -> Rules:
    """The rules of the version the ticket was opened under (not the ones in force today)."""
    return parse_rules(ticket.rules_version.rules)


def deadline_hours(rules: Rules, ticket_type: str, priority: str) -> tuple[float, float]:
    deadline = rules.deadline(ticket_type, priority)
    return float(deadline.first_response_hours), float(deadline.resolution_hours)


def compute_deadlines(
    rules: Rules, ticket_type: str, priority: str, start: dt.datetime, paused_hours: float | Decimal = 0
) -> tuple[dt.datetime, dt.datetime]:
    """(first_response_due, resolution_due) counted from ``start`` plus the working hours already paused."""
    response, resolution = deadline_hours(rules, ticket_type, priority)
    paused = float(paused_hours or 0)
    return add_working_hours(start, response + paused), add_working_hours(start, resolution + paused)


def pending_deadline(ticket: Any) -> tuple[str, dt.datetime] | None:
    """The deadline the ticket is running against now: the first response until made, then the resolution."""
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return None
    if ticket.first_responded_at is None:
        return FIRST_RESPONSE, ticket.first_response_due
    return RESOLUTION, ticket.resolution_due


def breached_deadline(ticket: Any, now: dt.datetime) -> str | None:
    """The first deadline the open ticket has missed by ``now`` (first response, then resolution), or None."""
    if ticket.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        return None
    if ticket.first_responded_at is None and ticket.first_response_due <= now:
        return FIRST_RESPONSE
    if ticket.resolution_due <= now:
        return RESOLUTION
    return None


def paused_working_hours(ticket: Any, until: dt.datetime) -> Decimal:
    """Working hours the ticket has been waiting on the customer, up to ``until``, to two decimals."""
    if ticket.waiting_since is None:
        return Decimal("0")
    hours = max(0.0, working_hours_between(ticket.waiting_since, until))
    return Decimal(str(round(hours, 2)))


def push_deadlines(ticket: Any, hours: Decimal) -> list[str]:
    """Move the not-yet-met deadlines back by ``hours`` working hours; return the changed field names."""
    changed: list[str] = []
    if hours <= 0:
        return changed
    if ticket.first_responded_at is None:
        ticket.first_response_due = add_working_hours(ticket.first_response_due, float(hours))
        changed.append("first_response_due")
    if ticket.resolved_at is None:
        ticket.resolution_due = add_working_hours(ticket.resolution_due, float(hours))
        changed.append("resolution_due")
    return changed


def provisional_deadlines(ticket: Any) -> set[str]:
    """The deadlines (first response, resolution) whose count crossed a day of the provisional calendar: the page
    says they are "按暂定日历" until the year's official schedule is entered."""
    return {
        which
        for which, due in ((FIRST_RESPONSE, ticket.first_response_due), (RESOLUTION, ticket.resolution_due))
        if due and provisional_between(ticket.created_at, due)
    }


@dataclass(frozen=True)
class Countdown:
    """What a badge shows: the deadline running, working hours left (negative overdue) and the state."""

    state: str
    which: str = ""
    due: dt.datetime | None = None
    remaining_hours: float | None = None
    elapsed_percent: int | None = None

    @property
    def colour(self) -> str:
        return STATE_COLOURS[self.state]

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def which_label(self) -> str:
        return str(DEADLINE_LABELS.get(self.which, ""))

    @property
    def is_overdue(self) -> bool:
        return self.state == STATE_OVERDUE

    @property
    def remaining_text(self) -> str:
        """Working time left, or overdue by (always positive), in working days of 8 hours and working hours, in
        the reader's language: "1 个工作日 3.5 工作小时" / "1 working day 3.5 h" (one decimal, dropped when whole)."""
        if self.remaining_hours is None:
            return ""
        value = round(abs(self.remaining_hours), 1)
        days, hours = int(value // HOURS_PER_DAY), round(value % HOURS_PER_DAY, 1)
        parts = [ngettext("%(days)d working day", "%(days)d working days", days) % {"days": days}] if days else []
        if hours or not days:
            parts.append(gettext("%(hours)s h") % {"hours": f"{hours:g}"})
        return " ".join(parts)


def countdown(
    ticket: Any,
    *,
    now: dt.datetime | None = None,
    warning_percent: int = 75,
    calendar: dict[dt.date, bool] | None = None,
) -> Countdown:
    """The ticket's countdown at ``now``. Pass ``calendar`` (``workday_calendar`` over the span) to avoid a query."""
    now = now or timezone.now()
    pending = pending_deadline(ticket)
    if pending is None:
        return Countdown(STATE_DONE)
    which, due = pending
    if ticket.status == TicketStatus.WAITING_CUSTOMER and ticket.waiting_since is not None:
        remaining = working_hours_between(ticket.waiting_since, due, calendar=calendar)
        return Countdown(STATE_PAUSED, which, due, remaining)
    remaining = working_hours_between(now, due, calendar=calendar)
    total = working_hours_between(ticket.created_at, due, calendar=calendar) - float(ticket.paused_hours or 0)
    elapsed = 100 if total <= 0 else int(max(0.0, min(1.0, (total - remaining) / total)) * 100)
    if due <= now:
        state = STATE_OVERDUE
    elif elapsed >= warning_percent:
        state = STATE_WARNING
    else:
        state = STATE_OK
    return Countdown(state, which, due, remaining, elapsed)


def warning_percents(tickets: Iterable[Any]) -> dict[int, int]:
    """``warning_percent`` of each rules version the tickets were opened under (one query). Only the escalation
    section is read and parsed (the whole rules took 2–9 ms a version to parse, on every list of tickets)."""
    ids = {t.rules_version_id for t in tickets}
    rows = PolicyVersion.objects.filter(pk__in=ids).values_list("pk", "rules__service_escalation")
    return {
        pk: parse_rules({} if section is None else {"service_escalation": section}).service_escalation.warning_percent
        for pk, section in rows
    }


def countdowns(tickets: list[Any], *, now: dt.datetime | None = None) -> dict[int, Countdown]:
    """Countdowns of many tickets with two queries (the calendar over the whole span, and the rules versions)."""
    now = now or timezone.now()
    if not tickets:
        return {}
    moments = [now]
    for t in tickets:
        moments += [t.created_at, t.first_response_due, t.resolution_due]
        if t.waiting_since:
            moments.append(t.waiting_since)
    local = [m.astimezone(TZ).date() for m in moments]
    calendar = workday_calendar(min(local), max(local))
    percents = warning_percents(tickets)
    return {
        t.pk: countdown(t, now=now, warning_percent=percents.get(t.rules_version_id, 75), calendar=calendar)
        for t in tickets
    }
