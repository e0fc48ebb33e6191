"""The market development dashboard (policy arts. 4, 7, 8): lead funnel, campaign ROI, plan completion and visits
per month over a period, within the viewer's scope (staff see their own figures). Every figure is an aggregate, so
the number of queries does not grow with the number of records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncMonth

from apps.core.periods import (  # noqa: F401 -- the dashboard's period is the shared one
    PERIOD_CHOICES,
    PERIOD_CUSTOM,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YEAR,
    Period,
    resolve_period,
)
from apps.marketing.choices import CampaignStatus, LeadStatus, PlanStatus
from apps.marketing.models import Campaign, Lead, MarketPlan, PlanGoal, Visit
from apps.marketing.selectors.campaigns import attach_metrics, revenue_measurable
from apps.marketing.selectors.plans import GoalLine, goal_actuals_for_plans, period_bounds

PLANS_ON_DASHBOARD = 8
CAMPAIGNS_ON_DASHBOARD = 15


def _pct(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class FunnelStep:
    key: str
    label: str
    count: int
    from_previous_pct: Decimal | None
    from_first_pct: Decimal | None


_REACHED = {
    "contacting": Q(
        status__in=[LeadStatus.CONTACTING, LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER, LeadStatus.CONVERTED]
    ),
    "qualified": Q(qualified_at__isnull=False)
    | Q(status__in=[LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER, LeadStatus.CONVERTED]),
    "handed_over": Q(handed_at__isnull=False) | Q(status__in=[LeadStatus.HANDED_OVER, LeadStatus.CONVERTED]),
    "converted": Q(converted_at__isnull=False) | Q(status=LeadStatus.CONVERTED),
}
_STEP_LABELS = {
    "new": LeadStatus.NEW.label,
    "contacting": LeadStatus.CONTACTING.label,
    "qualified": LeadStatus.QUALIFIED.label,
    "handed_over": LeadStatus.HANDED_OVER.label,
    "converted": LeadStatus.CONVERTED.label,
}


def lead_funnel(*, user: Any, start: dt.date, end: dt.date) -> list[FunnelStep]:
    """Leads created in the period by the furthest stage they reached, with step and overall conversion (1 query)."""
    first, after = period_bounds(start, end)
    counts = (
        Lead.objects.visible_to(user)
        .filter(created_at__gte=first, created_at__lt=after)
        .aggregate(new=Count("id"), **{key: Count("id", filter=q) for key, q in _REACHED.items()})
    )
    steps, previous = [], None
    for key in ("new", "contacting", "qualified", "handed_over", "converted"):
        count = counts[key] or 0
        steps.append(
            FunnelStep(
                key,
                str(_STEP_LABELS[key]),
                count,
                None if previous is None else _pct(count, previous),
                _pct(count, counts["new"]),
            )
        )
        previous = count
    return steps


def campaign_roi(*, user: Any, start: dt.date, end: dt.date) -> list[Campaign]:
    """Campaigns running in the period (not cancelled), each with ``metrics`` attached by the campaign selector
    the campaign pages use (leads, qualified leads, conversions, cost per lead, revenue, ROI): one figure
    everywhere. A constant number of queries."""
    campaigns = (
        Campaign.objects.visible_to(user)
        .filter(start_date__lte=end, end_date__gte=start)
        .exclude(status=CampaignStatus.CANCELLED)
        .select_related("plan")
        .order_by("-start_date", "-pk")[:CAMPAIGNS_ON_DASHBOARD]
    )
    return attach_metrics(campaigns)


def campaign_revenue_available() -> bool:
    return revenue_measurable()


@dataclass(frozen=True)
class PlanCompletion:
    plan: MarketPlan
    lines: list[GoalLine]


def plan_completion(*, user: Any, start: dt.date, end: dt.date) -> list[PlanCompletion]:
    """Approved, executing or closed plans overlapping the period, each goal line's completion over the plan's own
    period (queries grow with distinct plan periods shown, at most ``PLANS_ON_DASHBOARD``)."""
    plans = list(
        MarketPlan.objects.visible_to(user)
        .filter(
            status__in=[PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED],
            period_start__lte=end,
            period_end__gte=start,
        )
        .select_related("owner", "owner_unit")
        .prefetch_related(Prefetch("goals", queryset=PlanGoal.objects.order_by("id")))
        .order_by("-period_start", "pk")[:PLANS_ON_DASHBOARD]
    )
    actuals = goal_actuals_for_plans(plans=plans)
    return [PlanCompletion(plan, actuals[plan.pk]) for plan in plans]


def visits_per_month(*, user: Any, start: dt.date, end: dt.date) -> list[tuple[str, int]]:
    """Visits in the period per calendar month ("2025-03", count), months without visits included (1 query)."""
    rows = (
        Visit.objects.visible_to(user)
        .filter(visited_on__gte=start, visited_on__lte=end)
        .annotate(month=TruncMonth("visited_on"))
        .values("month")
        .annotate(n=Count("id"))
    )
    counts = {row["month"].strftime("%Y-%m"): row["n"] for row in rows}
    months, cursor = [], dt.date(start.year, start.month, 1)
    while cursor <= end:
        key = cursor.strftime("%Y-%m")
        months.append((key, counts.get(key, 0)))
        cursor = dt.date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    return months
