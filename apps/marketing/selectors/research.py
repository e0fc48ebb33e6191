"""Reads of market research, always from what the user may see."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Count, QuerySet

from apps.marketing.models import Lead, MarketResearch


def research_list(*, user: Any, status: str = "", method: str = "") -> QuerySet[MarketResearch]:
    """The studies the user may see, each with the number of leads it yielded (one query)."""
    qs = (
        MarketResearch.objects.visible_to(user)
        .select_related("owner", "owner_unit")
        .annotate(lead_count=Count("leads"))
    )
    if status:
        qs = qs.filter(status=status)
    if method:
        qs = qs.filter(method=method)
    return cast("QuerySet[MarketResearch]", qs)


def research_leads(*, user: Any, research: MarketResearch) -> QuerySet[Lead]:
    """The leads a study yielded that the user may see."""
    return Lead.objects.visible_to(user).filter(research=research).select_related("owner").order_by("-created_at")
