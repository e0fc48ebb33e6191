"""Attainment of sales targets (目标完成度, policy arts. 5 and 9): for every node of a target set and a period, the
target, the actual (by the date the metric defines), completion %, time elapsed %, gap and a forecast (weighted
open pipeline + run rate), and the exact records counted so anyone can see why a number is what it is.

Scope of a node: a person node counts records owned by that person; a department/team/company node counts records
whose ``owner_unit`` lies in its department subtree. So one approved contract moves the person, the team, the
department and the company by exactly its amount.

The whole tree is computed in a constant number of queries: records are grouped by (owner, owner's unit path,
month) once, then rolled up in Python along the tree.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Customer
from apps.policy.selectors import policy_today
from apps.sales.choices import OPEN_STAGES, ContractStatus, TargetMetric
from apps.sales.models import Contract, Opportunity, Payment, StageSetting, TargetNode, TargetSet

ZERO = Decimal("0")
CENT = Decimal("0.01")
PERIOD_KINDS = ("month", "quarter", "year", "ytd")
MONEY_METRICS = (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS)
_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<rest>Q[1-4]|\d{2}|YTD))?$", re.IGNORECASE)
BAD_PERIOD = _("Give the period as 2026, 2026-Q2, 2026-05 or 2026-YTD.")


@dataclass(frozen=True)
class Period:
    """A month, quarter, the year or year-to-date of a fiscal (= calendar) year; ``months`` are 1-based."""

    kind: str
    year: int
    start: dt.date
    end: dt.date
    months: tuple[int, ...]
    key: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def make_period(kind: str, year: int, number: int = 1, today: dt.date | None = None) -> Period:
    """Build a period; ``number`` is the month (1–12) or quarter (1–4); YTD ends today (or at year end)."""
    if kind == "month":
        return Period(kind, year, dt.date(year, number, 1), _month_end(year, number), (number,),
                      f"{year}-{number:02d}")
    if kind == "quarter":
        first = (number - 1) * 3 + 1
        return Period(kind, year, dt.date(year, first, 1), _month_end(year, first + 2),
                      (first, first + 1, first + 2), f"{year}-Q{number}")
    if kind == "ytd":
        today = today or policy_today()
        end = min(max(today, dt.date(year, 1, 1)), dt.date(year, 12, 31))
        return Period(kind, year, dt.date(year, 1, 1), end, tuple(range(1, end.month + 1)), f"{year}-YTD")
    return Period("year", year, dt.date(year, 1, 1), dt.date(year, 12, 31), tuple(range(1, 13)), str(year))


def parse_period(key: str, today: dt.date | None = None) -> Period:
    """Parse ``2026``, ``2026-Q2``, ``2026-05`` or ``2026-YTD``; raise ValueError otherwise."""
    match = _PERIOD_RE.match((key or "").strip())
    if not match:
        raise ValueError(str(BAD_PERIOD))
    year, rest = int(match["year"]), (match["rest"] or "").upper()
    if not rest:
        return make_period("year", year)
    if rest == "YTD":
        return make_period("ytd", year, today=today)
    if rest.startswith("Q"):
        return make_period("quarter", year, int(rest[1]))
    if not 1 <= int(rest) <= 12:
        raise ValueError(str(BAD_PERIOD))
    return make_period("month", year, int(rest))


def current_period(kind: str, year: int, today: dt.date | None = None) -> Period:
    """The period of ``kind`` containing today when ``year`` is this year, else the first one of that year."""
    today = today or policy_today()
    in_year = today if today.year == year else dt.date(year, 1, 1)
    if kind == "month":
        return make_period("month", year, in_year.month)
    if kind == "quarter":
        return make_period("quarter", year, (in_year.month - 1) // 3 + 1)
    return make_period(kind if kind in PERIOD_KINDS else "year", year, today=today)


def elapsed_days(period: Period, as_of: dt.date) -> int:
    """Days of the period that have passed by ``as_of`` (inclusive), between 0 and the period's length."""
    return max(0, min(period.days, (as_of - period.start).days + 1))


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` in %, one decimal; None when there is no whole to measure against."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


#
# Grouped actuals: (owner id, owner unit path, month) → value, one query per metric
#


def _scope_q(node: TargetNode, owner: str = "owner", unit: str = "owner_unit") -> Q:
    if node.person_id:
        return Q(**{f"{owner}_id": node.person_id})
    return Q(**{f"{unit}__path__startswith": node.department.path})


def _first_contract_q() -> Exists:
    """True for the approved contract that is its customer's first (earliest signed_on, then lowest id)."""
    earlier = Contract.objects.filter(customer=OuterRef("customer"), status=ContractStatus.APPROVED).filter(
        Q(signed_on__lt=OuterRef("signed_on")) | Q(signed_on=OuterRef("signed_on"), pk__lt=OuterRef("pk")))
    return ~Exists(earlier)


def metric_records(metric: str, start: dt.date, end: dt.date) -> QuerySet:
    """The records a metric counts between two dates (contracts, payments, or first contracts of customers)."""
    approved = Contract.objects.filter(status=ContractStatus.APPROVED)
    if metric == TargetMetric.PAYMENTS:
        return Payment.objects.filter(contract__status=ContractStatus.APPROVED, received_on__range=(start, end))
    if metric == TargetMetric.NEW_CUSTOMERS:
        return approved.filter(_first_contract_q(), signed_on__range=(start, end))
    return approved.filter(signed_on__range=(start, end))


def _grouped_rows(metric: str, year: int) -> list[tuple[int, str, int, Decimal]]:
    """One query: the metric's values for the year grouped by owner, owner's unit path and month."""
    qs = metric_records(metric, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if metric == TargetMetric.PAYMENTS:
        rows = qs.values(o=F("contract__owner_id"), p=F("contract__owner_unit__path"),
                         m=ExtractMonth("received_on")).annotate(v=Sum("amount"))
    elif metric == TargetMetric.NEW_CUSTOMERS:
        rows = qs.values(o=F("owner_id"), p=F("owner_unit__path"), m=ExtractMonth("signed_on")).annotate(
            v=Count("customer_id", distinct=True))
    else:
        rows = qs.values(o=F("owner_id"), p=F("owner_unit__path"), m=ExtractMonth("signed_on")).annotate(
            v=Sum("amount"))
    return [(r["o"], r["p"], int(r["m"]), Decimal(r["v"] or 0)) for r in rows.order_by()]


@dataclass
class Grouped:
    """Per-month values by owner and by unit path, to roll up into any node without another query."""

    by_owner: dict[int, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    by_path: dict[str, dict[int, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))

    def add(self, owner: int, path: str, key: int, value: Decimal) -> None:
        self.by_owner[owner][key] += value
        self.by_path[path][key] += value

    def for_node(self, node: TargetNode) -> dict[int, Decimal]:
        """This node's values per key: its person's, or the sum over the unit paths in its subtree."""
        if node.person_id:
            return self.by_owner.get(node.person_id, {})
        prefix = node.department.path
        total: dict[int, Decimal] = defaultdict(Decimal)
        for path, values in self.by_path.items():
            if path and path.startswith(prefix):
                for key, value in values.items():
                    total[key] += value
        return total


def grouped_actuals(metric: str, year: int) -> Grouped:
    grouped = Grouped()
    for owner, path, month, value in _grouped_rows(metric, year):
        grouped.add(owner, path, month, value)
    return grouped


def grouped_pipeline(metric: str, start: dt.date, end: dt.date) -> Grouped:
    """Weighted open pipeline expected to close between two dates, keyed 0, by owner and unit path (two queries).
    Money metrics weigh the amount; new customers weigh one per opportunity of a customer with no approved
    contract yet."""
    grouped = Grouped()
    if end < start:
        return grouped
    probability = dict(StageSetting.objects.values_list("stage", "probability"))
    qs = Opportunity.objects.filter(stage__in=OPEN_STAGES, expected_close_date__range=(start, end))
    if metric == TargetMetric.NEW_CUSTOMERS:
        signed = Contract.objects.filter(customer=OuterRef("customer"), status=ContractStatus.APPROVED)
        qs = qs.filter(~Exists(signed)).values("owner_id", "owner_unit__path", "stage").annotate(v=Count("pk"))
    else:
        qs = qs.values("owner_id", "owner_unit__path", "stage").annotate(v=Sum("amount"))
    for row in qs.order_by():
        weight = Decimal(probability.get(row["stage"], 0)) / 100
        grouped.add(row["owner_id"], row["owner_unit__path"], 0, Decimal(row["v"] or 0) * weight)
    return grouped


#
# Figures
#


@dataclass
class Figures:
    node: TargetNode
    period: Period
    metric: str
    target: Decimal
    actual: Decimal
    elapsed_pct: Decimal
    pipeline: Decimal
    run_rate: Decimal
    monthly_target: list[Decimal] = field(default_factory=list)
    monthly_actual: list[Decimal] = field(default_factory=list)

    @property
    def completion_pct(self) -> Decimal | None:
        return pct(self.actual, self.target)

    @property
    def gap(self) -> Decimal:
        return self.target - self.actual

    @property
    def forecast(self) -> Decimal:
        return self.actual + self.pipeline + self.run_rate

    @property
    def forecast_pct(self) -> Decimal | None:
        return pct(self.forecast, self.target)

    @property
    def behind(self) -> bool:
        """Behind schedule: completion lags the share of the period already elapsed."""
        done = self.completion_pct
        return done is not None and done < self.elapsed_pct

    def as_json(self) -> dict[str, Any]:
        done = self.completion_pct
        return {
            "node": self.node.pk, "name": str(self.node), "metric": self.metric, "period": self.period.key,
            "start": self.period.start.isoformat(), "end": self.period.end.isoformat(),
            "target": str(self.target), "actual": str(self.actual), "gap": str(self.gap),
            "completion_pct": None if done is None else str(done), "elapsed_pct": str(self.elapsed_pct),
            "pipeline": str(self.pipeline), "run_rate": str(self.run_rate), "forecast": str(self.forecast),
            "behind": self.behind,
        }


def _quantize(metric: str, value: Decimal) -> Decimal:
    return value.quantize(CENT) if metric in MONEY_METRICS else value.quantize(Decimal("0.1"))


def _figures(node: TargetNode, metric: str, period: Period, as_of: dt.date, actuals: Grouped,
             pipeline: Grouped) -> Figures:
    months = node.months
    per_month = actuals.for_node(node)
    target = sum((Decimal(months[m - 1]) for m in period.months), ZERO).quantize(CENT)
    actual = sum((per_month.get(m, ZERO) for m in period.months), ZERO)
    if metric in MONEY_METRICS:
        actual = actual.quantize(CENT)
    elapsed = elapsed_days(period, as_of)
    run_rate = ZERO
    if metric in MONEY_METRICS and elapsed:
        run_rate = (actual / elapsed * (period.days - elapsed)).quantize(CENT)
    return Figures(
        node=node, period=period, metric=metric, target=target, actual=actual,
        elapsed_pct=(Decimal(elapsed) * 100 / period.days).quantize(Decimal("0.1")),
        pipeline=_quantize(metric, pipeline.for_node(node).get(0, ZERO)), run_rate=run_rate,
        monthly_target=months, monthly_actual=[per_month.get(m, ZERO) for m in range(1, 13)],
    )


def tree_nodes(target_set: TargetSet, user: Any | None = None) -> list[TargetNode]:
    """The nodes of a set in tree order (department path, then person), optionally limited to the user's scope."""
    qs = TargetNode.objects.filter(target_set=target_set)
    if user is not None:
        qs = qs.visible_to(user)
    return list(qs.select_related("department", "person", "target_set").order_by("department__path", "person_id"))


def attainment_for_nodes(nodes: list[TargetNode], period: Period, as_of: dt.date | None = None) -> list[Figures]:
    """Figures of each node (all of one target set) for the period: three or four queries whatever their number."""
    if not nodes:
        return []
    as_of = as_of or policy_today()
    metric = nodes[0].target_set.metric
    actuals = grouped_actuals(metric, period.year)
    pipeline = grouped_pipeline(metric, max(period.start, as_of), period.end)
    return [_figures(node, metric, period, as_of, actuals, pipeline) for node in nodes]


def node_attainment(node: TargetNode, period: Period, as_of: dt.date | None = None) -> Figures:
    return attainment_for_nodes([node], period, as_of)[0]


#
# Drill-down: exactly the records counted
#


@dataclass
class Counted:
    metric: str
    rows: list[Any]
    total: Decimal


def counted_records(node: TargetNode, period: Period) -> Counted:
    """The records the node's actual counts for the period: contracts, payments, or customers at their first
    approved contract. Their total equals the actual of ``node_attainment``."""
    metric = node.target_set.metric
    qs = metric_records(metric, period.start, period.end)
    if metric == TargetMetric.PAYMENTS:
        rows = list(qs.filter(_scope_q(node, "contract__owner", "contract__owner_unit"))
                    .select_related("contract__customer", "contract__owner").order_by("received_on", "pk"))
        return Counted(metric, rows, sum((p.amount for p in rows), ZERO))
    rows = list(qs.filter(_scope_q(node)).select_related("customer", "owner", "owner_unit")
                .order_by("signed_on", "pk"))
    if metric == TargetMetric.NEW_CUSTOMERS:
        return Counted(metric, rows, Decimal(len({c.customer_id for c in rows})))
    return Counted(metric, rows, sum((c.amount for c in rows), ZERO))


def counted_customers(node: TargetNode, period: Period) -> QuerySet[Customer]:
    """The customers a new-customers node counts, for lists that show customers rather than contracts."""
    ids = metric_records(TargetMetric.NEW_CUSTOMERS, period.start, period.end).filter(
        _scope_q(node)).values("customer_id")
    return Customer.objects.filter(pk__in=ids)
