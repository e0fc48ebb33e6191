from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.marketing.choices import CampaignKind, CampaignStatus


class Campaign(OwnedModel):
    """推广活动. Its leads, qualified leads, conversions, revenue, cost per lead and ROI are computed from the
    records (``selectors.campaign_metrics``), never stored."""

    name = models.CharField(_("campaign name"), max_length=200)
    plan = optional_fk(
        "marketing.MarketPlan", _("market development plan"), on_delete=models.SET_NULL, related_name="campaigns"
    )
    kind = models.CharField(_("campaign type"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.OTHER)
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    actual_cost = models.DecimalField(_("actual cost (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    target_segment = models.CharField(_("target segment"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name
