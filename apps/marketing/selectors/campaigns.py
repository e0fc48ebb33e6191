"""Reads of campaigns (推广活动) and their results, computed from the records and never stored: leads, qualified
leads, conversions, revenue (once sales measures it), cost per lead and ROI.

The figures of any number of campaigns cost a constant number of queries (``metrics_for``): one grouped count of
the leads and the revenue provider's own grouped queries. The campaign page, the list, the API and the marketing
dashboard all read them from here, so they show one figure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from apps.core.scoping import user_scope
from apps.marketing.models import Campaign, Lead

# Revenue is recorded by the sales app (contracts), which sits to the right of marketing: it registers
# fn(campaign_ids) -> {campaign_id: revenue}, computed with grouped queries (a constant number whatever the
# campaigns). Until then revenue is "not measured yet", never a fake 0.
RevenueProvider = Callable[[list[int]], dict[int, Decimal]]
_revenue_provider: list[RevenueProvider] = []
CENT = Decimal("0.01")
# What the revenue figure counts (shown under it wherever it appears).
REVENUE_RULE = _("Approved contracts of the customers converted from the leads, signed on or after the conversion.")


def register_campaign_revenue(fn: RevenueProvider) -> None:
    """Called by the sales app at start-up: ``fn(campaign_ids)`` returns each campaign's revenue."""
    _revenue_provider[:] = [fn]


def unregister_campaign_revenue() -> None:
    _revenue_provider.clear()


def revenue_measurable() -> bool:
    return bool(_revenue_provider)


def with_metrics(qs: QuerySet[Campaign]) -> QuerySet[Campaign]:
    """Annotate the lead and conversion counts a list sorts by (one grouped join, no revenue)."""
    return qs.annotate(
        m_leads=Count("leads", distinct=True),
        m_conversions=Count("leads", filter=Q(leads__converted_at__isnull=False), distinct=True),
    )


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

    @property
    def roi_pct(self) -> Decimal | None:
        """ROI in percent, one decimal (rounded half up), as every page shows it."""
        if self.revenue is None:
            return None
        return _ratio((self.revenue - self.cost) * 100, self.cost, Decimal("0.1"))


def _ratio(numerator: Decimal, denominator: Decimal | int, places: Decimal = CENT) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _metrics(campaign: Campaign, counts: Mapping[str, Any], revenue: Decimal | None) -> CampaignMetrics:
    leads, qualified, conversions = counts.get("leads", 0), counts.get("qualified", 0), counts.get("conversions", 0)
    cost = campaign.actual_cost or Decimal("0")
    revenue = Decimal(revenue).quantize(CENT) if revenue is not None else None
    return CampaignMetrics(
        leads=leads,
        qualified=qualified,
        conversions=conversions,
        budget=campaign.budget,
        cost=cost,
        revenue=revenue,
        cost_per_lead=_ratio(cost, leads),
        roi=_ratio(revenue - cost, cost, Decimal("0.0001")) if revenue is not None else None,
        conversion_rate=_ratio(Decimal(conversions) * 100, leads, Decimal("0.1")),
    )


def metrics_for(campaigns: Iterable[Campaign]) -> dict[int, CampaignMetrics]:
    """Each campaign's figures: one grouped query over the leads plus the revenue provider's grouped queries,
    whatever the number of campaigns and leads."""
    campaigns = list(campaigns)
    ids = [c.pk for c in campaigns]
    if not ids:
        return {}
    rows = (
        Lead.objects.filter(campaign_id__in=ids)
        .order_by()
        .values("campaign_id")
        .annotate(
            leads=Count("id"),
            qualified=Count("id", filter=Q(qualified_at__isnull=False)),
            conversions=Count("id", filter=Q(converted_at__isnull=False)),
        )
    )
    counts = {row["campaign_id"]: row for row in rows}
    revenue = _revenue_provider[0](ids) if _revenue_provider else None
    return {
        c.pk: _metrics(c, counts.get(c.pk, {}), None if revenue is None else revenue.get(c.pk, Decimal("0")))
        for c in campaigns
    }


def attach_metrics(campaigns: Iterable[Campaign]) -> list[Campaign]:
    """Set ``campaign.metrics`` on each campaign (``metrics_for``) and return them as a list."""
    campaigns = list(campaigns)
    metrics = metrics_for(campaigns)
    for campaign in campaigns:
        campaign.metrics = metrics[campaign.pk]  # type: ignore[attr-defined]
    return campaigns


def campaign_metrics(campaign: Campaign) -> CampaignMetrics:
    """The campaign's figures: those attached by ``attach_metrics``, or computed now."""
    attached = getattr(campaign, "metrics", None)
    return attached if isinstance(attached, CampaignMetrics) else metrics_for([campaign])[campaign.pk]


def campaign_list(
    *,
    user: Any,
    status: str = "",
    kind: str = "",
    plan: Any = None,
    q: str = "",
) -> QuerySet[Campaign]:
    """Return the campaigns the user may see, with the counts a list sorts by annotated; their figures come from
    ``attach_metrics`` on the page shown."""
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
        "-start_date", "-id"
    )
