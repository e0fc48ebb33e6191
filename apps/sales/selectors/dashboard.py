"""The sales dashboards (``sales:index``): for managers and senior management target vs actual by month and by
person, the funnel of open opportunities with stage-to-stage conversion, forecast vs target and the leaderboard
(排行榜); for staff their own target, actual, pipeline and next payments due. Every function runs a fixed number
of queries whatever the amount of data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

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


def _reach_counts(visible: QuerySet[Opportunity]) -> dict[str, int]:
    """Of the visible opportunities: ``r<i>`` how many reached funnel stage i (a stage change to it, or in it now)
    and ``n<i>`` how many of those also reached stage i+1. One pass over the opportunities alone: the stages their
    history reached are bits of ``stages_reached`` (kept by each stage change), so neither the stage history is
    joined nor anything grouped (issue 14; before, a grouped join with the history: 72–95 ms at 10k)."""
    bits = {f"b{i}": F("stages_reached").bitand(STAGE_BITS[stage]) for i, stage in enumerate(FUNNEL_STAGES)}
    flags = {
        f"f{i}": Case(
            When(Q(stage=stage) | Q(**{f"b{i}__gt": 0}), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for i, stage in enumerate(FUNNEL_STAGES)
    }
    per_opportunity = visible.order_by().annotate(**bits).values(**flags)
    sql, params = per_opportunity.query.sql_with_params()
    sums = [f"COALESCE(SUM(f{i}), 0)" for i in range(len(FUNNEL_STAGES))]
    sums += [f"COALESCE(SUM(f{i} * f{i + 1}), 0)" for i in range(len(FUNNEL_STAGES) - 1)]
    with connections[per_opportunity.db].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(sums)} FROM ({sql}) AS per_opportunity", params)  # noqa: S608
        row = cursor.fetchone()
    n = len(FUNNEL_STAGES)
    return {**{f"r{i}": int(row[i]) for i in range(n)}, **{f"n{i}": int(row[n + i]) for i in range(n - 1)}}


def funnel(*, user: Any) -> list[FunnelStep]:
    """Open opportunities by stage (count, amount) and, from the stage history, of the opportunities that reached
    stage N how many reached N+1. Two queries."""
    visible = Opportunity.objects.visible_to(user)
    open_rows = {
        r["stage"]: r
        for r in visible.filter(stage__in=OPEN_STAGES)
        .values("stage")
        .annotate(n=Count("pk"), amount=Coalesce(Sum("amount"), Value(ZERO)))
        .order_by()
    }
    counts = _reach_counts(visible)
    steps = []
    for i, stage in enumerate(FUNNEL_STAGES):
        row = open_rows.get(stage, {})
        steps.append(
            FunnelStep(
                stage,
                str(OpportunityStage(stage).label),
                row.get("n", 0),
                row.get("amount", ZERO),
                counts[f"r{i}"],
                counts.get(f"n{i}"),
            )
        )
    return steps


@dataclass
class LeaderRow:
    owner_id: int
    name: str
    value: Decimal


def leaderboard(*, user: Any, metric: str, start: dt.date, end: dt.date, limit: int = 10) -> list[LeaderRow]:
    """排行榜: people ranked by the metric over the period, among the records the user may see. One query."""
    qs = metric_records(metric, start, end)
    if metric == TargetMetric.PAYMENTS:
        allowed = Contract.objects.visible_to(user).values("pk")
        rows = (
            qs.filter(contract__in=allowed)
            .values(o=F("contract__owner_id"), n=F("contract__owner__name"))
            .annotate(v=Sum("amount"))
        )
    elif metric == TargetMetric.NEW_CUSTOMERS:
        rows = (
            qs.filter(pk__in=Contract.objects.visible_to(user).values("pk"))
            .values(o=F("owner_id"), n=F("owner__name"))
            .annotate(v=Count("customer_id", distinct=True))
        )
    else:
        rows = (
            qs.filter(pk__in=Contract.objects.visible_to(user).values("pk"))
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
