"""The sales dashboards (``sales:index``): for managers and senior management target vs actual by month and by
person, the funnel of open opportunities with stage-to-stage conversion, forecast vs target and the leaderboard
(排行榜); for staff their own target, actual, pipeline and next payments due. Every function runs a fixed number
of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

from django.db.models import Count, F, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from apps.core.scoping import ScopedQuerySet
from apps.sales.choices import OPEN_STAGES, ContractStatus, OpportunityStage, TargetMetric, TargetStatus, TargetTier
from apps.sales.models import Contract, Opportunity, PaymentPlan, TargetNode, TargetSet
from apps.sales.models.pipeline import STAGE_BITS
from apps.sales.selectors.attainment import ZERO, Figures, metric_records, pct

FUNNEL_STAGES = (*OPEN_STAGES, OpportunityStage.WON)


def dashboard_target_set(year: int, metric: str = TargetMetric.CONTRACT_AMOUNT) -> TargetSet | None:
    """The approved base-tier target set of the fiscal year for the metric, if any."""
    return TargetSet.objects.filter(
        fiscal_year=year, metric=metric, tier=TargetTier.BASE, status=TargetStatus.APPROVED
    ).first()


def top_nodes(nodes: list[TargetNode]) -> list[TargetNode]:
    """The visible nodes no other visible node contains: the company for senior management, the own department
    for a manager, the own person node for staff."""
    ids = {n.pk for n in nodes}
    return [n for n in nodes if n.parent_id not in ids]


@dataclass
class FunnelStep:
    stage: str
    label: str
    open_count: int
    open_amount: Decimal
    reached: int
    to_next: int | None

    @property
    def conversion_pct(self) -> Decimal | None:
        return None if self.to_next is None else pct(Decimal(self.to_next), Decimal(self.reached))


def _funnel_groups(visible: QuerySet[Opportunity]) -> list[tuple[str, int, int, Decimal]]:
    """The visible opportunities grouped by (stage now, stages their history reached): count and amount. One pass
    over the opportunities alone, a few dozen groups whatever their number: the stages a history reached are bits
    of ``stages_reached`` (kept by each stage change), so neither the stage history is joined nor anything but the
    opportunity row read (issue 14; before, two scans, and before those a grouped join with the history)."""
    rows = visible.values("stage", "stages_reached").annotate(n=Count("pk"), amount=Sum("amount")).order_by()
    return [(r["stage"], int(r["stages_reached"] or 0), int(r["n"]), r["amount"]) for r in rows]


def funnel(*, user: Any) -> list[FunnelStep]:
    """Open opportunities by stage (count, amount) and, from the stage history, of the opportunities that reached
    stage N how many reached N+1 (reached = a stage change to N or in N now). One query."""
    n = len(FUNNEL_STAGES)
    open_count: dict[str, int] = {}
    open_amount: dict[str, Decimal] = {}
    reached, to_next = [0] * n, [0] * n
    for stage, bits, count, amount in _funnel_groups(Opportunity.objects.visible_to(user)):
        if stage in OPEN_STAGES:
            open_count[stage] = open_count.get(stage, 0) + count
            open_amount[stage] = amount if stage not in open_amount else open_amount[stage] + amount
        flags = [stage == s or bool(bits & STAGE_BITS[s]) for s in FUNNEL_STAGES]
        for i in range(n):
            if flags[i]:
                reached[i] += count
                if i + 1 < n and flags[i + 1]:
                    to_next[i] += count
    return [
        FunnelStep(
            stage,
            str(OpportunityStage(stage).label),
            open_count.get(stage, 0),
            open_amount.get(stage, ZERO),
            reached[i],
            to_next[i] if i + 1 < n else None,
        )
        for i, stage in enumerate(FUNNEL_STAGES)
    ]


@dataclass
class LeaderRow:
    owner_id: int
    name: str
    value: Decimal


def _contracts(metric: str, start: dt.date, end: dt.date) -> ScopedQuerySet:
    """The contracts a contract metric counts between two dates, as a queryset that can take the viewer's scope."""
    return cast(ScopedQuerySet, metric_records(metric, start, end))


def leaderboard(*, user: Any, metric: str, start: dt.date, end: dt.date, limit: int = 10) -> list[LeaderRow]:
    """排行榜: people ranked by the metric over the period, among the contracts the user may see (payments: of the
    contracts the user may see). One query, from the contracts of the period with the user's scope as a plain
    condition on them, never a list of every contract the user may see (issue 14)."""
    if metric == TargetMetric.PAYMENTS:
        # Filter then annotate over the same join: the sum counts only the payments received in the period.
        rows = (
            Contract.objects.visible_to(user)
            .filter(status=ContractStatus.APPROVED, payments__received_on__range=(start, end))
            .values(o=F("owner_id"), n=F("owner__name"))
            .annotate(v=Sum("payments__amount"))
        )
    elif metric == TargetMetric.NEW_CUSTOMERS:
        rows = (
            _contracts(metric, start, end)
            .visible_to(user)
            .values(o=F("owner_id"), n=F("owner__name"))
            .annotate(v=Count("customer_id", distinct=True))
        )
    else:
        rows = (
            _contracts(metric, start, end)
            .visible_to(user)
            .values(o=F("owner_id"), n=F("owner__name"))
            .annotate(v=Sum("amount"))
        )
    return [LeaderRow(r["o"], r["n"], Decimal(r["v"])) for r in rows.order_by("-v", "o")[:limit]]


def forecast_rows(figures: list[Figures]) -> list[dict[str, Any]]:
    """Forecast vs target per node for the chart: target, actual, pipeline, run rate."""
    return [
        {
            "name": str(f.node),
            "target": float(f.target),
            "actual": float(f.actual),
            "pipeline": float(f.pipeline_part),
            "run_rate": float(f.run_rate_part),
        }
        for f in figures
    ]


def my_pipeline(*, user: Any) -> dict[str, Any]:
    """The user's own open opportunities: count, amount and the next few to close. Two queries."""
    mine = Opportunity.objects.filter(owner=user, stage__in=OPEN_STAGES)
    totals = mine.aggregate(n=Count("pk"), amount=Coalesce(Sum("amount"), Value(ZERO)))
    upcoming = list(mine.select_related("customer").order_by(F("expected_close_date").asc(nulls_last=True), "pk")[:5])
    return {**totals, "upcoming": upcoming}


def next_payments_due(*, user: Any, today: dt.date, limit: int = 5) -> QuerySet[PaymentPlan]:
    """Instalments of the user's approved contracts not yet fully received, the earliest first. One query."""
    return (
        PaymentPlan.objects.filter(contract__owner=user, contract__status=ContractStatus.APPROVED)
        .annotate(received=Coalesce(Sum("payments__amount"), Value(ZERO)))
        .filter(received__lt=F("amount"))
        .select_related("contract__customer")
        .order_by("due_date", "pk")[:limit]
    )


def period_choice(kind: str) -> str:
    return kind if kind in ("month", "quarter", "year") else "month"
