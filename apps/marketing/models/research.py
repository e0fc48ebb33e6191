from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.marketing.choices import ResearchMethod, ResearchStatus


class MarketResearch(OwnedModel):
    """市场调研: what was studied, how, what was found; it names target markets and may yield leads."""

    subject = models.CharField(_("research subject"), max_length=200)
    target_market = models.CharField(_("target market"), max_length=200)
    segment = models.CharField(_("customer segment"), max_length=200, blank=True)
    method = models.CharField(
        _("research method"), max_length=20, choices=ResearchMethod.choices, default=ResearchMethod.DESK
    )
    period_start = models.DateField(_("start date"))
    period_end = models.DateField(_("end date"))
    findings = models.TextField(_("findings"), blank=True)
    competitors = models.TextField(_("competitors"), blank=True)
    conclusions = models.TextField(_("conclusions"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ResearchStatus.choices, default=ResearchStatus.IN_PROGRESS
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market research")
        verbose_name_plural = _("market research")
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.subject
