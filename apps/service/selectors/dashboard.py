"""The service dashboard (policy arts. 6, 10): open tickets by status, deadline compliance, first-response and
resolution times in working hours, complaints and their resolution, escalations, CSAT/NPS, and what waits on the
department (overdue feedback acknowledgements, due customer contacts).

Every figure counts only the records the viewer may see (``visible_to``) and is computed in a fixed number of
queries, whatever the amount of data: times are read as rows in one query and measured on a working-day calendar
read once (``WorkingClock``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth

from apps.core.periods import (  # noqa: F401 -- the dashboard's period is the shared one
    PERIOD_CHOICES,
    PERIOD_CUSTOM,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YEAR,
    Period,
    period_containing,
    resolve_period,
)
from apps.core.workdays import TZ, WORKING_PERIODS, workday_calendar
from apps.service.choices import (
    OPEN_STATUSES,
    ComplaintCategory,
    DueContactStatus,
    EscalationLevel,
    RoutingStatus,
    TicketStatus,
    TicketType,
)
from apps.service.models import DueContact, Feedback, FeedbackRouting, Ticket
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors.results import satisfaction_summary, satisfaction_trend

TREND_MONTHS = 12
MAX_TREND_MONTHS = 36


def pct(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _mean(values: list[float]) -> Decimal | None:
    if not values:
        return None
    return Decimal(str(sum(values) / len(values))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class WorkingClock:
    """Working hours between moments on the calendar of ``core.workdays``, read once for a span of days: the
    working seconds before each day are summed up front, so each measurement costs no query."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        self.calendar = workday_calendar(first, last)
        self.before: dict[dt.date, float] = {}
        total = 0.0
        for day in sorted(self.calendar):
            self.before[day] = total
            if self.calendar[day]:
                total += sum(
                    (dt.datetime.combine(day, c) - dt.datetime.combine(day, o)).total_seconds()
                    for o, c in WORKING_PERIODS
                )

    def _seconds(self, moment: dt.datetime) -> float:
        local = moment.astimezone(TZ)
        day = local.date()
        seconds = self.before[day]
        if self.calendar[day]:
            for opens, closes in WORKING_PERIODS:
                start = dt.datetime.combine(day, opens, TZ)
                end = min(local, dt.datetime.combine(day, closes, TZ))
                if end > start:
                    seconds += (end - start).total_seconds()
        return seconds

    def hours(self, start: dt.datetime, end: dt.datetime) -> float:
        return (self._seconds(end) - self._seconds(start)) / 3600


@dataclass
class OpenTickets:
    by_status: list[dict[str, Any]]
    total: int
    overdue: int
    escalated: int


def open_tickets(visible: QuerySet[Ticket], *, now: dt.datetime) -> OpenTickets:
    """Open tickets by status now, with those past their resolution deadline and those escalated. One query."""
    counts = visible.filter(status__in=OPEN_STATUSES).aggregate(
        **{f"s_{s}": Count("pk", filter=Q(status=s)) for s in OPEN_STATUSES},
        overdue=Count("pk", filter=Q(resolution_due__lt=now) & ~Q(status=TicketStatus.WAITING_CUSTOMER)),
        escalated=Count("pk", filter=Q(escalation_level__gt=EscalationLevel.NONE)),
    )
    rows = [{"status": str(s), "label": str(TicketStatus(s).label), "count": counts[f"s_{s}"]} for s in OPEN_STATUSES]
    return OpenTickets(rows, sum(r["count"] for r in rows), counts["overdue"], counts["escalated"])


@dataclass
class Compliance:
    first_response_total: int
    first_response_met: int
    resolution_total: int
    resolution_met: int
    escalated: int
    escalated_senior: int

    @property
    def first_response_pct(self) -> Decimal | None:
        return pct(self.first_response_met, self.first_response_total)

    @property
    def resolution_pct(self) -> Decimal | None:
        return pct(self.resolution_met, self.resolution_total)


def compliance(visible: QuerySet[Ticket], *, period: Period, now: dt.datetime) -> Compliance:
    """按时率: of the tickets whose deadline fell in the period (and has passed, or was met already), the share met;
    and the tickets escalated in the period. One query."""
    start, end = period.bounds
    fr_in = Q(first_response_due__gte=start, first_response_due__lt=end)
    res_in = Q(resolution_due__gte=start, resolution_due__lt=end)
    fr_met = Q(first_responded_at__isnull=False, first_responded_at__lte=F("first_response_due"))
    res_met = Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due"))
    counts = visible.aggregate(
        fr_total=Count("pk", filter=fr_in & (Q(first_response_due__lte=now) | Q(first_responded_at__isnull=False))),
        fr_met=Count("pk", filter=fr_in & fr_met),
        res_total=Count("pk", filter=res_in & (Q(resolution_due__lte=now) | Q(resolved_at__isnull=False))),
        res_met=Count("pk", filter=res_in & res_met),
        esc=Count("pk", filter=Q(escalated_at__gte=start, escalated_at__lt=end)),
        esc_senior=Count(
            "pk",
            filter=Q(escalated_at__gte=start, escalated_at__lt=end, escalation_level=EscalationLevel.SENIOR_MANAGEMENT),
        ),
    )
    return Compliance(
        counts["fr_total"],
        counts["fr_met"],
        counts["res_total"],
        counts["res_met"],
        counts["esc"],
        counts["esc_senior"],
    )


@dataclass
class ComplaintRow:
    category: str
    label: str
    count: int
    resolved: int

    @property
    def resolved_pct(self) -> Decimal | None:
        return pct(self.resolved, self.count)


@dataclass
class Times:
    """Average working hours: first response (tickets first answered in the period), resolution (tickets resolved
    in the period, less the time waiting on the customer) and complaint resolution (complaints opened in the
    period and resolved)."""

    first_response_hours: Decimal | None
    first_response_count: int
    resolution_hours: Decimal | None
    resolution_count: int
    complaint_resolution_hours: Decimal | None
    complaints: list[ComplaintRow] = field(default_factory=list)

    @property
    def complaint_total(self) -> int:
        return sum(r.count for r in self.complaints)

    @property
    def complaint_resolved(self) -> int:
        return sum(r.resolved for r in self.complaints)

    @property
    def complaint_resolved_pct(self) -> Decimal | None:
        return pct(self.complaint_resolved, self.complaint_total)


def _resolution_hours(clock: WorkingClock, row: Mapping[str, Any]) -> float:
    return max(clock.hours(row["created_at"], row["resolved_at"]) - float(row["paused_hours"] or 0), 0.0)


def times_and_complaints(visible: QuerySet[Ticket], *, period: Period) -> Times:
    """Response and resolution times and the complaints of the period by category. Three queries (the rows, the
    complaint counts, the calendar)."""
    start, end = period.bounds
    responded = Q(first_responded_at__gte=start, first_responded_at__lt=end)
    resolved = Q(resolved_at__gte=start, resolved_at__lt=end)
    complaint = Q(
        ticket_type=TicketType.COMPLAINT, created_at__gte=start, created_at__lt=end, resolved_at__isnull=False
    )
    rows = list(
        visible.filter(responded | resolved | complaint)
        .values("ticket_type", "created_at", "first_responded_at", "resolved_at", "paused_hours")
        .order_by()
    )
    by_category = {
        r["complaint_category"]: r
        for r in visible.filter(
            ticket_type=TicketType.COMPLAINT,
            created_at__gte=start,
            created_at__lt=end,
        )
        .values("complaint_category")
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(resolved_at__isnull=False)))
        .order_by()
    }
    complaints = []
    for category in ComplaintCategory:
        row = by_category.get(category.value)
        complaints.append(
            ComplaintRow(category.value, str(category.label), row["n"] if row else 0, row["done"] if row else 0)
        )
    uncategorised = by_category.get("")
    if uncategorised:
        other = next(c for c in complaints if c.category == ComplaintCategory.OTHER)
        other.count += uncategorised["n"]
        other.resolved += uncategorised["done"]
    if not rows:
        return Times(None, 0, None, 0, None, complaints)
    moments = [m for r in rows for m in (r["created_at"], r["first_responded_at"], r["resolved_at"]) if m]
    clock = WorkingClock(min(moments).astimezone(TZ).date(), max(moments).astimezone(TZ).date())
    first, resolution, complaint_hours = [], [], []
    for r in rows:
        if r["first_responded_at"] and start <= r["first_responded_at"] < end:
            first.append(max(clock.hours(r["created_at"], r["first_responded_at"]), 0.0))
        if r["resolved_at"] and start <= r["resolved_at"] < end:
            resolution.append(_resolution_hours(clock, r))
        if r["ticket_type"] == TicketType.COMPLAINT and r["resolved_at"] and start <= r["created_at"] < end:
            complaint_hours.append(_resolution_hours(clock, r))
    return Times(_mean(first), len(first), _mean(resolution), len(resolution), _mean(complaint_hours), complaints)


def tickets_per_month(visible: QuerySet[Ticket], *, period: Period) -> list[dict[str, Any]]:
    """Tickets opened and complaints opened per month of the period (at most 36 months). One query."""
    start, end = period.bounds
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        visible.filter(created_at__gte=start, created_at__lt=end)
        .values(month=TruncMonth("created_at", tzinfo=TZ))
        .annotate(n=Count("pk"), c=Count("pk", filter=Q(ticket_type=TicketType.COMPLAINT)))
        .order_by()
    ):
        key = row["month"].strftime("%Y-%m")
        counts[key][0] += row["n"]
        counts[key][1] += row["c"]
    return [{"month": m, "tickets": counts[m][0], "complaints": counts[m][1]} for m in _month_keys(period)]


def _month_keys(period: Period) -> list[str]:
    keys = []
    year, month = period.start.year, period.start.month
    for _i in range(min(period.months, MAX_TREND_MONTHS)):
        keys.append(f"{year}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def satisfaction(user: Any, *, period: Period, today: dt.date) -> dict[str, Any]:
    """CSAT and NPS of the answers the viewer may see: the trend by month up to the period's end, the current
    quarter and the period."""
    responses = SurveyResponse.objects.visible_to(user)
    q_start, q_end = period_containing(today, 3)
    quarter = Period(PERIOD_QUARTER, q_start, q_end)

    def within(p: Period) -> QuerySet[SurveyResponse]:
        first, last = p.bounds
        return responses.filter(submitted_at__gte=first, submitted_at__lt=last)

    months = min(max(TREND_MONTHS, period.months), MAX_TREND_MONTHS)
    return {
        "quarter": satisfaction_summary(within(quarter)),
        "quarter_period": quarter,
        "period": satisfaction_summary(within(period)),
        "trend": satisfaction_trend(responses, months=months, until=period.end),
    }


def waiting_on_us(user: Any, *, now: dt.datetime, today: dt.date) -> dict[str, int]:
    """Feedback acknowledgements overdue — routed to the viewer's departments, or sent from the feedback the viewer
    may see — and customer contacts due by today. Two queries."""
    to_us = FeedbackRouting.objects.visible_to(user).values("pk")
    ours = Feedback.objects.visible_to(user).values("pk")
    routings = (
        FeedbackRouting.objects.filter(status=RoutingStatus.PENDING, acknowledge_due__lt=now)
        .filter(Q(pk__in=to_us) | Q(feedback__in=ours))
        .aggregate(total=Count("pk"), to_us=Count("pk", filter=Q(pk__in=to_us)))
    )
    return {
        "overdue_routings": routings["total"],
        "overdue_routings_to_us": routings["to_us"],
        "due_contacts": DueContact.objects.visible_to(user)
        .filter(status=DueContactStatus.OPEN, due_on__lte=today)
        .count(),
    }


def dashboard(user: Any, *, period: Period, now: dt.datetime, today: dt.date) -> dict[str, Any]:
    """Everything the dashboard shows, for ``user``'s scope."""
    visible = Ticket.objects.visible_to(user)
    return {
        "open": open_tickets(visible, now=now),
        "compliance": compliance(visible, period=period, now=now),
        "times": times_and_complaints(visible, period=period),
        "per_month": tickets_per_month(visible, period=period),
        "satisfaction": satisfaction(user, period=period, today=today),
        **waiting_on_us(user, now=now, today=today),
    }
