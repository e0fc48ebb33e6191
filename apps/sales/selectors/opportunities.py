"""Reads of opportunities (商机): the scoped list with scenes and filters, totals, the kanban board, the stage
probabilities (赢单率) and the weighted amount, and the queries of the hooks (timeline, workbench)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from apps.core import excel
from apps.core.scoping import user_scope
from apps.sales.choices import CLOSED_STAGES, OPEN_STAGES, OpportunityStage
from apps.sales.models import Opportunity, OpportunityStageChange, StageSetting

# The defaults the sales manager starts from (CONVENTIONS-CN §1 row 16); StageSetting rows override them.
DEFAULT_PROBABILITIES: dict[str, int] = {
    OpportunityStage.INITIAL: 10,
    OpportunityStage.NEEDS: 25,
    OpportunityStage.PROPOSAL: 50,
    OpportunityStage.NEGOTIATION: 75,
    OpportunityStage.WON: 100,
    OpportunityStage.LOST: 0,
    OpportunityStage.INVALID: 0,
}
BOARD_CARDS_PER_COLUMN = 30
MONEY = DecimalField(max_digits=18, decimal_places=2)
SCENES = ("mine", "team", "all")


def stage_probabilities() -> dict[str, int]:
    """Win probability (%) per stage: the configured StageSetting, else the default."""
    probabilities = dict(DEFAULT_PROBABILITIES)
    probabilities.update(dict(StageSetting.objects.values_list("stage", "probability")))
    return probabilities


def weighted_expression(probabilities: dict[str, int] | None = None) -> Any:
    """SQL for amount × the probability of the row's stage."""
    probabilities = probabilities or stage_probabilities()
    whens = [
        When(stage=stage, then=Value(Decimal(p) / Decimal(100), output_field=MONEY))
        for stage, p in probabilities.items()
    ]
    factor = Case(*whens, default=Value(Decimal(0), output_field=MONEY), output_field=MONEY)
    return ExpressionWrapper(F("amount") * factor, output_field=MONEY)


def weighted_amount(opportunity: Opportunity, probabilities: dict[str, int] | None = None) -> Decimal:
    probabilities = probabilities or stage_probabilities()
    value = opportunity.amount * Decimal(probabilities.get(opportunity.stage, 0)) / Decimal(100)
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def opportunity_visible(*, user: Any, action: str = "view") -> QuerySet[Opportunity]:
    return Opportunity.objects.visible_to(user, action)


def opportunity_get(*, user: Any, pk: Any, action: str = "view") -> Opportunity:
    qs = opportunity_visible(user=user, action=action).select_related(
        "customer", "contact", "owner", "owner_unit", "source_lead", "campaign", "created_by"
    )
    return get_object_or_404(qs, pk=pk)


def apply_scene(qs: QuerySet[Opportunity], user: Any, scene: str) -> QuerySet[Opportunity]:
    """我负责的 (mine), 本团队 (the user's department and below), or everything in scope (all)."""
    if scene == "mine":
        return qs.filter(owner=user)
    if scene == "team":
        path = user_scope(user).unit_path
        return qs.filter(owner_unit__path__startswith=path) if path else qs.none()
    return qs


def opportunity_list(*, user: Any, probabilities: dict[str, int] | None = None) -> QuerySet[Opportunity]:
    """The scoped list with customer and owner joined and the weighted amount annotated (by ``probabilities``, read
    here if not given); its filters are ``sales.filters.OpportunityFilterSet``."""
    weighted = weighted_expression(probabilities)
    return opportunity_visible(user=user).select_related("customer", "owner").annotate(weighted=weighted)


def opportunity_totals(qs: QuerySet[Opportunity], probabilities: dict[str, int] | None = None) -> dict[str, Any]:
    """Count, amount and weighted amount of a (filtered) list, in one query."""
    zero = Value(Decimal(0), output_field=MONEY)
    return qs.order_by().aggregate(
        count=Count("pk"),
        amount_total=Coalesce(Sum("amount"), zero),
        weighted_total=Coalesce(Sum(weighted_expression(probabilities)), zero),
    )


def board_columns(*, qs: QuerySet[Opportunity]) -> list[dict[str, Any]]:
    """The kanban of ``qs`` (the scoped, filtered opportunities): one column per open stage with its newest cards
    (bounded), count and amount; the closed stages as collapsed columns with count and amount only. Three queries
    whatever the data."""
    stats: dict[str, Any] = {
        row["stage"]: row for row in qs.order_by().values("stage").annotate(n=Count("pk"), total=Sum("amount"))
    }
    probabilities = stage_probabilities()
    open_qs = (
        qs.filter(stage__in=OPEN_STAGES)
        .select_related("customer", "owner")
        .order_by("stage", F("expected_close_date").asc(nulls_last=True), "-id")
    )
    cards: dict[str, list[Opportunity]] = {stage: [] for stage in OPEN_STAGES}
    # Per-stage slicing would cost a query per column; one ordered query, trimmed in Python, stays bounded.
    for opp in open_qs.only(
        "id",
        "name",
        "stage",
        "amount",
        "expected_close_date",
        "next_action_on",
        "customer__id",
        "customer__name",
        "owner__id",
        "owner__name",
    )[: BOARD_CARDS_PER_COLUMN * 20]:
        if len(cards[opp.stage]) < BOARD_CARDS_PER_COLUMN:
            cards[opp.stage].append(opp)
    columns = []
    for stage in (*OPEN_STAGES, *CLOSED_STAGES):
        row = stats.get(stage, {})
        columns.append(
            {
                "stage": stage,
                "label": OpportunityStage(stage).label,
                "open": stage in OPEN_STAGES,
                "cards": cards.get(stage, []),
                "count": row.get("n", 0),
                "amount": row.get("total") or Decimal(0),
                "probability": probabilities.get(stage, 0),
            }
        )
    return columns


def stage_history(*, opportunity: Opportunity) -> QuerySet[OpportunityStageChange]:
    return opportunity.stage_changes.select_related("changed_by")


def next_actions_due(*, user: Any, on: dt.date) -> QuerySet[Opportunity]:
    """My open opportunities whose next action is due."""
    return Opportunity.objects.filter(owner=user, stage__in=OPEN_STAGES, next_action_on__lte=on)


def close_dates_passed(*, user: Any, on: dt.date) -> QuerySet[Opportunity]:
    """My open opportunities whose expected close date has passed."""
    return Opportunity.objects.filter(owner=user, stage__in=OPEN_STAGES, expected_close_date__lt=on)


EXPORT_COLUMNS = (
    excel.Column("name", _("Opportunity"), width=30),
    excel.Column("customer", _("Customer"), width=30),
    excel.Column("stage", _("Stage"), choices=OpportunityStage.choices),
    excel.Column("amount", _("Amount (CNY)"), kind=excel.MONEY),
    excel.Column("weighted", _("Weighted (CNY)"), kind=excel.MONEY),
    excel.Column("expected_close_date", _("Expected close"), kind=excel.DATE),
    excel.Column("owner", _("Owner")),
)


def export_rows(opportunities: Iterable[Opportunity]) -> list[dict[str, Any]]:
    """One dict per listed opportunity (from ``opportunity_list``: weighted annotated) for the sheet."""
    return [
        {
            "name": o.name,
            "customer": o.customer.name,
            "stage": o.stage,
            "amount": o.amount,
            "weighted": getattr(o, "weighted", None),
            "expected_close_date": o.expected_close_date,
            "owner": str(o.owner),
        }
        for o in opportunities
    ]
