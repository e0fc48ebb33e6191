"""Drill-down of a cockpit figure: department → person → the records, within the viewer's scope.

Each drillable figure names the records it counts, taken from the same selectors as the figure (the sales
leaderboard's records, the lead funnel's stages, the service dashboard's complaints…) and always through
``visible_to``, so a drill-down never lists a record the viewer could not open and its rows add up to the figure.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse

from apps.improvements.models import IMPROVEMENT_OPEN_STATUSES, ImprovementAction
from apps.improvements.selectors import effect_check_due_q, overdue_q
from apps.marketing.models import Lead
from apps.marketing.selectors.dashboard import _REACHED as LEAD_STAGE_REACHED
from apps.reports.selectors.cockpit import bounds
from apps.reports.selectors.periods import ReportPeriod
from apps.sales.choices import TargetMetric
from apps.sales.models import Contract
from apps.sales.selectors.attainment import metric_records
from apps.service.choices import TicketType
from apps.service.models import Ticket


@dataclass(frozen=True)
class DrillSource:
    queryset: QuerySet
    unit: str  # the field of the record's department
    owner: str  # the field of the record's person
    amount: str | None  # summed field, or None to count
    date: str
    url_name: str
    url_arg: str = "pk"


def drill_source(key: str, user: Any, period: ReportPeriod, today: dt.date) -> DrillSource | None:
    first, after = bounds(period)
    if key in ("leads", "qualified", "converted"):
        qs: QuerySet[Any] = Lead.objects.visible_to(user).filter(created_at__gte=first, created_at__lt=after)
        if key != "leads":
            qs = qs.filter(LEAD_STAGE_REACHED[key])
        return DrillSource(qs, "owner_unit", "owner", None, "created_at", "marketing:lead_detail")
    if key == "contract_amount":
        qs = metric_records(TargetMetric.CONTRACT_AMOUNT, period.start, period.end).filter(
            pk__in=Contract.objects.visible_to(user).values("pk")
        )
        return DrillSource(qs, "owner_unit", "owner", "amount", "signed_on", "sales:contract_detail")
    if key == "payments":
        qs = metric_records(TargetMetric.PAYMENTS, period.start, period.end).filter(
            contract__in=Contract.objects.visible_to(user).values("pk")
        )
        return DrillSource(
            qs,
            "contract__owner_unit",
            "contract__owner",
            "amount",
            "received_on",
            "sales:contract_detail",
            "contract_id",
        )
    if key == "complaints":
        qs = Ticket.objects.visible_to(user).filter(
            ticket_type=TicketType.COMPLAINT, created_at__gte=first, created_at__lt=after
        )
        return DrillSource(qs, "department", "assignee", None, "created_at", "service:ticket_detail")
    actions = ImprovementAction.objects.visible_to(user)
    filters = {
        "improvements_raised": Q(created_at__gte=first, created_at__lt=after),
        "improvements_verified": Q(verified_at__gte=first, verified_at__lt=after, status="verified"),
        "improvements_effective": Q(effect_checked_at__gte=first, effect_checked_at__lt=after, effect_moved=True),
        "improvements_not_effective": Q(effect_checked_at__gte=first, effect_checked_at__lt=after, effect_moved=False),
        "improvements_open": Q(status__in=IMPROVEMENT_OPEN_STATUSES),
        "improvements_overdue": overdue_q(today),
        "improvements_checks_due": effect_check_due_q(today),
    }
    if key in filters:
        return DrillSource(
            actions.filter(filters[key]),
            "owner_unit",
            "owner",
            None,
            "due_date",
            "improvements:improvementaction_detail",
        )
    return None


@dataclass
class DrillRow:
    pk: int | None
    name: str
    value: Decimal | int


def _value(source: DrillSource) -> Any:
    return Sum(source.amount) if source.amount else Count("pk")


def by_department(source: DrillSource) -> list[DrillRow]:
    rows = (
        source.queryset.order_by()
        .values(i=F(f"{source.unit}_id"), n=F(f"{source.unit}__name"))
        .annotate(v=_value(source))
        .order_by("-v", "n")
    )
    return [DrillRow(r["i"], r["n"] or "—", r["v"] or 0) for r in rows]


def by_person(source: DrillSource, department_id: int | None) -> list[DrillRow]:
    qs = source.queryset.filter(**{f"{source.unit}_id": department_id})
    rows = (
        qs.order_by()
        .values(i=F(f"{source.owner}_id"), n=F(f"{source.owner}__name"))
        .annotate(v=_value(source))
        .order_by("-v", "n")
    )
    return [DrillRow(r["i"], r["n"] or "—", r["v"] or 0) for r in rows]


@dataclass
class DrillRecord:
    label: str
    date: Any
    value: Decimal | int
    url: str


def records(source: DrillSource, department_id: int | None, person_id: int | None) -> list[DrillRecord]:
    qs = source.queryset.filter(**{f"{source.unit}_id": department_id, f"{source.owner}_id": person_id})
    result = []
    for obj in qs.order_by(source.date, "pk"):
        value = getattr(obj, source.amount) if source.amount else 1
        result.append(
            DrillRecord(
                str(obj),
                getattr(obj, source.date),
                value,
                reverse(source.url_name, args=[getattr(obj, source.url_arg)]),
            )
        )
    return result


def total(rows: list[DrillRow] | list[DrillRecord]) -> Decimal | int:
    return sum((r.value for r in rows), 0)
