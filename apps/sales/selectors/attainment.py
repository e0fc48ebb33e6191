"""Attainment of sales targets (目标完成度, policy arts. 5 and 9): for every node of a target set and a period, the
target, the actual (by the date the metric defines), completion %, time elapsed %, gap and a forecast (weighted
open pipeline + run rate), and the exact records counted so anyone can see why a number is what it is.

One attribution rule for every node (ATTRIBUTION_RULE): a record belongs to the department stamped on it when it
was recorded (the owner's department on the contract date; a payment or refund follows its contract, an opportunity
its own stamp). A department/team/company node counts the records whose stamped department lies in its subtree; a
person node counts the person's records whose stamped department lies in the subtree of the node's department. So
when a person moves team, what they signed before stays with the old team (and their node there), what they sign
after goes to the new one, and every department still equals the records of its subtree: one approved contract moves
the person, the team, the department and the company by exactly its amount, before and after a move.

Money dates: a contract counts its amount at signing in the signing month; an approved amendment or termination
counts its change (new − old amount) in the month it was approved; a refund is a negative payment in the month it
was approved (Asia/Shanghai dates).

The whole tree is computed in a constant number of queries: records are grouped by (owner, owner's unit path,
month) once, then rolled up in Python along the tree.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, ExtractMonth
from django.utils.translation import gettext_lazy as _

from apps.core.periods import DaySpan, month_end
from apps.customers.models import Customer
from apps.policy.selectors import policy_today
from apps.sales.choices import OPEN_STAGES, ContractStatus, RequestStatus, TargetMetric
from apps.sales.models import (
    Contract,
    ContractAdjustment,
    Opportunity,
    Payment,
    StageSetting,
    TargetNode,
    TargetSet,
)

ZERO = Decimal("0")
CENT = Decimal("0.01")
PERIOD_KINDS = ("month", "quarter", "year", "ytd")
MONEY_METRICS = (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS)
_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<rest>Q[1-4]|\d{2}|YTD))?$", re.IGNORECASE)
BAD_PERIOD = _("Give the period as 2026, 2026-Q2, 2026-05 or 2026-YTD.")
ATTRIBUTION_RULE = _(
    "Each record counts for the department stamped on it when it was recorded (its owner's department on the "
    "contract date; payments and refunds follow their contract). A department counts the records of its "
    "sub-departments; a person counts their own records within the department of their node, so after a move "
    "earlier business stays with the old team."
)
FORECAST_RULE = _(
    "Forecast = actual + an estimate for the rest of the period. The estimate blends the run rate (the pace so far "
    "carried over the remaining days) with the pipeline (open opportunities expected to close in the period, "
    "weighted by their stage probability): the run rate weighs by the share of the period elapsed, the pipeline "
    "by the share remaining. Early in a period the pipeline dominates, so one early deal is not extrapolated."
)

MONEY_DATES_RULE = _(
    "Contracts count their amount at signing in the month signed; an approved amendment or termination counts the "
    "change of amount in the month it was approved; a refund counts as a negative payment in the month it was "
    "approved (dates in China Standard Time)."
)


def half_up(value: Decimal, exp: Decimal = Decimal("0.01")) -> Decimal:
    """Round half away from zero (四舍五入), the rounding a finance reader expects."""
    return Decimal(value).quantize(exp, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Period(DaySpan):
    """A month, quarter, the year or year-to-date of a fiscal (= calendar) year; ``months`` are 1-based."""

    kind: str
    year: int
    start: dt.date
    end: dt.date
    months: tuple[int, ...]
    key: str


def make_period(kind: str, year: int, number: int = 1, today: dt.date | None = None) -> Period:
    """Build a period; ``number`` is the month (1–12) or quarter (1–4); YTD ends today (or at year end)."""
    if kind == "month":
        return Period(kind, year, dt.date(year, number, 1), month_end(year, number), (number,), f"{year}-{number:02d}")
    if kind == "quarter":
        first = (number - 1) * 3 + 1
        return Period(
            kind,
            year,
            dt.date(year, first, 1),
            month_end(year, first + 2),
            (first, first + 1, first + 2),
            f"{year}-Q{number}",
        )
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
    return half_up(Decimal(part) * 100 / Decimal(whole), Decimal("0.1"))


#
# Grouped actuals: (owner id, owner unit path, month) → value, one query per metric
#


def _scope_q(node: TargetNode, owner: str = "owner", unit: str = "owner_unit") -> Q:
    """The one attribution rule as a filter: the stamped department in the node's subtree, and for a person node
    also the person as owner."""
    q = Q(**{f"{unit}__path__startswith": node.department.path})
    if node.person_id:
        q &= Q(**{f"{owner}_id": node.person_id})
    return q


def _first_contract_q() -> Any:
    """True for the approved contract that is its customer's first (earliest signed_on, then lowest id)."""
    earlier = Contract.objects.filter(customer=OuterRef("customer"), status=ContractStatus.APPROVED).filter(
        Q(signed_on__lt=OuterRef("signed_on")) | Q(signed_on=OuterRef("signed_on"), pk__lt=OuterRef("pk"))
    )
    return ~Exists(earlier)


def metric_records(metric: str, start: dt.date, end: dt.date) -> QuerySet:
    """The records a metric counts between two dates (contracts, payments, or first contracts of customers)."""
    approved = Contract.objects.filter(status=ContractStatus.APPROVED)
    if metric == TargetMetric.PAYMENTS:
        return Payment.objects.filter(contract__status=ContractStatus.APPROVED, received_on__range=(start, end))
    if metric == TargetMetric.NEW_CUSTOMERS:
        return approved.filter(_first_contract_q(), signed_on__range=(start, end))
    return approved.filter(signed_on__range=(start, end))


def adjustment_records(start: dt.date, end: dt.date) -> QuerySet:
    """Approved amendments and terminations of approved contracts taking effect between two dates."""
    return ContractAdjustment.objects.filter(
        status=RequestStatus.APPROVED, contract__status=ContractStatus.APPROVED, effective_on__range=(start, end)
    )


def _grouped_rows(metric: str, year: int) -> list[tuple[int, str, int, Decimal]]:
    """One query: the metric's values for the year grouped by owner, owner's unit path and month."""
    qs = metric_records(metric, dt.date(year, 1, 1), dt.date(year, 12, 31))
    if metric == TargetMetric.PAYMENTS:
        rows = qs.values(
            o=F("contract__owner_id"), p=F("contract__owner_unit__path"), m=ExtractMonth("received_on")
        ).annotate(v=Sum("amount"))
    elif metric == TargetMetric.NEW_CUSTOMERS:
        rows = qs.values(o=F("owner_id"), p=F("owner_unit__path"), m=ExtractMonth("signed_on")).annotate(
            v=Count("customer_id", distinct=True)
        )
    else:
        rows = qs.values(o=F("owner_id"), p=F("owner_unit__path"), m=ExtractMonth("signed_on")).annotate(
            v=Sum(Coalesce("signed_amount", "amount"))
        )
        changes = (
            adjustment_records(dt.date(year, 1, 1), dt.date(year, 12, 31))
            .values(o=F("contract__owner_id"), p=F("contract__owner_unit__path"), m=ExtractMonth("effective_on"))
            .annotate(v=Sum(F("new_amount") - F("old_amount")))
        )
        rows = [*rows.order_by(), *changes.order_by()]
        return [(r["o"], r["p"], int(r["m"]), Decimal(r["v"] or 0)) for r in rows]
    return [(r["o"], r["p"], int(r["m"]), Decimal(r["v"] or 0)) for r in rows.order_by()]


@dataclass
class Grouped:
    """Per-month values by (owner, stamped unit path), to roll up into any node without another query."""

    by_owner_path: dict[tuple[int, str], dict[int, Decimal]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(Decimal))
    )

    def add(self, owner: int, path: str, key: int, value: Decimal) -> None:
        self.by_owner_path[(owner, path)][key] += value

    def for_node(self, node: TargetNode) -> dict[int, Decimal]:
        """This node's values per key under the one attribution rule: the records stamped within the node's
        department subtree, and for a person node only theirs."""
        prefix = node.department.path
        total: dict[int, Decimal] = defaultdict(Decimal)
        for (owner, path), values in self.by_owner_path.items():
            if not path or not path.startswith(prefix) or (node.person_id and owner != node.person_id):
                continue
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
    qs: Any = Opportunity.objects.filter(stage__in=OPEN_STAGES, expected_close_date__range=(start, end))
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
    days_elapsed: int = 0
    monthly_target: list[Decimal] = field(default_factory=list)
    monthly_actual: list[Decimal] = field(default_factory=list)

    @property
    def completion_pct(self) -> Decimal | None:
        return pct(self.actual, self.target)

    @property
    def gap(self) -> Decimal:
        """Target less actual: positive = still to go (差距), negative = overshoot (超额)."""
        return self.target - self.actual

    @property
    def overshoot(self) -> bool:
        return self.gap < 0

    @property
    def gap_abs(self) -> Decimal:
        return abs(self.gap)

    @property
    def run_rate_weight(self) -> Decimal:
        """The share of the period elapsed: how much the run rate counts in the forecast (the pipeline the rest)."""
        return Decimal(self.days_elapsed) / Decimal(self.period.days)

    @property
    def run_rate_part(self) -> Decimal:
        return _quantize(self.metric, self.run_rate * self.run_rate_weight)

    @property
    def pipeline_part(self) -> Decimal:
        return _quantize(self.metric, self.pipeline * (1 - self.run_rate_weight))

    @property
    def forecast(self) -> Decimal:
        """Actual + run rate weighted by the share elapsed + pipeline weighted by the share remaining."""
        return self.actual + self.run_rate_part + self.pipeline_part

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
            "node": self.node.pk,
            "name": str(self.node),
            "metric": self.metric,
            "period": self.period.key,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "target": str(self.target),
            "actual": str(self.actual),
            "gap": str(self.gap),
            "completion_pct": None if done is None else str(done),
            "elapsed_pct": str(self.elapsed_pct),
            "pipeline": str(self.pipeline),
            "run_rate": str(self.run_rate),
            "forecast": str(self.forecast),
            "pipeline_part": str(self.pipeline_part),
            "run_rate_part": str(self.run_rate_part),
            "forecast_pct": None if self.forecast_pct is None else str(self.forecast_pct),
            "overshoot": self.overshoot,
            "behind": self.behind,
        }


def _quantize(metric: str, value: Decimal) -> Decimal:
    return half_up(value, CENT if metric in MONEY_METRICS else Decimal("0.1"))


def _figures(
    node: TargetNode, metric: str, period: Period, as_of: dt.date, actuals: Grouped, pipeline: Grouped
) -> Figures:
    months = node.months
    per_month = actuals.for_node(node)
    target = half_up(sum((Decimal(months[m - 1]) for m in period.months), ZERO))
    actual = sum((per_month.get(m, ZERO) for m in period.months), ZERO)
    if metric in MONEY_METRICS:
        actual = half_up(actual)
    elapsed = elapsed_days(period, as_of)
    run_rate = ZERO
    if metric in MONEY_METRICS and elapsed:
        run_rate = half_up(actual / elapsed * (period.days - elapsed))
    return Figures(
        node=node,
        period=period,
        metric=metric,
        target=target,
        actual=actual,
        elapsed_pct=half_up(Decimal(elapsed) * 100 / period.days, Decimal("0.1")),
        pipeline=_quantize(metric, pipeline.for_node(node).get(0, ZERO)),
        run_rate=run_rate,
        days_elapsed=elapsed,
        monthly_target=months,
        monthly_actual=[per_month.get(m, ZERO) for m in range(1, 13)],
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
    adjustments: list[ContractAdjustment] = field(default_factory=list)


def counted_records(node: TargetNode, period: Period) -> Counted:
    """The records the node's actual counts for the period: contracts, payments, or customers at their first
    approved contract. Their total equals the actual of ``node_attainment``."""
    metric = node.target_set.metric
    qs = metric_records(metric, period.start, period.end)
    if metric == TargetMetric.PAYMENTS:
        rows = list(
            qs.filter(_scope_q(node, "contract__owner", "contract__owner_unit"))
            .select_related("contract__customer", "contract__owner")
            .order_by("received_on", "pk")
        )
        return Counted(metric, rows, sum((p.amount for p in rows), ZERO))
    rows = list(
        qs.filter(_scope_q(node))
        .select_related("customer", "owner", "owner_unit")
        .annotate(counted_amount=Coalesce("signed_amount", "amount"))
        .order_by("signed_on", "pk")
    )
    if metric == TargetMetric.NEW_CUSTOMERS:
        return Counted(metric, rows, Decimal(len({c.customer_id for c in rows})))
    changes = list(
        adjustment_records(period.start, period.end)
        .filter(_scope_q(node, "contract__owner", "contract__owner_unit"))
        .select_related("contract__customer", "contract__owner")
        .order_by("effective_on", "pk")
    )
    total = sum((c.counted_amount for c in rows), ZERO) + sum((a.delta for a in changes), ZERO)
    return Counted(metric, rows, total, changes)


def counted_customers(node: TargetNode, period: Period) -> QuerySet[Customer]:
    """The customers a new-customers node counts, for lists that show customers rather than contracts."""
    ids = (
        metric_records(TargetMetric.NEW_CUSTOMERS, period.start, period.end)
        .filter(_scope_q(node))
        .values("customer_id")
    )
    return Customer.objects.filter(pk__in=ids)
