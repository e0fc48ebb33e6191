"""Reads of campaigns (推广活动) and their results, computed from the records and never stored: leads, qualified
leads, conversions, revenue (once sales measures it), cost per lead and ROI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Expression, Q, QuerySet

from apps.core.scoping import user_scope
from apps.marketing.models import Campaign

# Revenue is recorded by the sales app (contracts, payments), which sits to the right of marketing: it registers
# an expression giving a campaign's revenue for ``OuterRef("pk")`` (a correlated subquery), so the campaign list
# still runs one query. Until then revenue is "not measured yet", never a fake 0.
RevenueProvider = Callable[[], Expression]
_revenue_provider: list[RevenueProvider] = []
CENT = Decimal("0.01")


def register_campaign_revenue(fn: RevenueProvider) -> None:
    """Called by the sales app at start-up: ``fn()`` returns the revenue expression of a campaign."""
    _revenue_provider[:] = [fn]


def unregister_campaign_revenue() -> None:
    _revenue_provider.clear()


def revenue_measurable() -> bool:
    return bool(_revenue_provider)


def with_metrics(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate each campaign with its lead, qualified and conversion counts (and revenue when measurable)."""
    qs = qs.annotate(
        m_leads=Count("leads", distinct=True),
        m_qualified=Count("leads", filter=Q(leads__qualified_at__isnull=False), distinct=True),
        m_conversions=Count("leads", filter=Q(leads__converted_at__isnull=False), distinct=True),
    )
    if _revenue_provider:
        qs = qs.annotate(m_revenue=_revenue_provider[0]())
    return qs


@dataclass(frozen=True)
class CampaignMetrics:
    leads: int
    qualified: int
    conversions: int
    budget: Decimal
    cost: Decimal
    revenue: Decimal | None  # None: not measurable yet
    cost_per_lead: Decimal | None
    roi: Decimal | None  # (revenue − cost) / cost, as a ratio
    conversion_rate: Decimal | None

    @property
    def over_budget(self) -> bool:
        return self.budget > 0 and self.cost > self.budget

    @property
    def budget_used(self) -> Decimal | None:
        return (self.cost / self.budget * 100).quantize(Decimal("0.1")) if self.budget > 0 else None


def _ratio(numerator: Decimal, denominator: Decimal | int, places: Decimal = CENT) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def campaign_metrics(campaign: Campaign) -> CampaignMetrics:
    """Return the campaign's figures from the annotations of ``with_metrics`` (one query if they are absent)."""
    if not hasattr(campaign, "m_leads"):
        campaign = with_metrics(Campaign.objects.filter(pk=campaign.pk)).get()
    revenue = getattr(campaign, "m_revenue", None) if revenue_measurable() else None
    if revenue_measurable() and revenue is None:
        revenue = Decimal("0")
    cost = campaign.actual_cost or Decimal("0")
    roi = _ratio(Decimal(revenue) - cost, cost, Decimal("0.0001")) if revenue is not None else None
    return CampaignMetrics(
        leads=campaign.m_leads, qualified=campaign.m_qualified, conversions=campaign.m_conversions,
        budget=campaign.budget, cost=cost, revenue=Decimal(revenue).quantize(CENT) if revenue is not None else None,
        cost_per_lead=_ratio(cost, campaign.m_leads), roi=roi,
        conversion_rate=_ratio(Decimal(campaign.m_conversions) * 100, campaign.m_leads, Decimal("0.1")),
    )


def campaign_list(
    *, user: Any, status: str = "", kind: str = "", plan: Any = None, q: str = "",
) -> QuerySet[Campaign]:
    """Return the campaigns the user may see, with their metrics annotated (a bounded number of queries)."""
    qs = Campaign.objects.visible_to(user)
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if plan:
        qs = qs.filter(plan=plan)
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(name__icontains=term) | Q(channel__icontains=term) | Q(target_segment__icontains=term))
    return with_metrics(qs.select_related("plan", "owner", "owner_unit"))


def campaign_choices(*, user: Any) -> QuerySet[Campaign]:
    """Campaigns a lead may be attributed to: those the user sees and those of their own department (a
    colleague's campaign yields leads for everyone in it), newest first."""
    unit_id = user_scope(user).unit_id
    visible = Campaign.objects.visible_to(user)
    if not user.has_perm("marketing.view_campaign") or getattr(user, "is_superuser", False) or unit_id is None:
        return visible.order_by("-start_date", "-id")
    return Campaign.objects.filter(Q(pk__in=visible.values("pk")) | Q(owner_unit_id=unit_id)).order_by(
        "-start_date", "-id")
