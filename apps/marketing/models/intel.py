from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.marketing.choices import Importance, IntelCategory, IntelStatus


class MarketIntel(OwnedModel):
    """市场情报 supplied by market development to sales (art. 5); sales plans cite it. Published intelligence is
    visible to the sales department beyond the usual scope (see ``selectors.intel_list``)."""

    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=IntelCategory.choices)
    content = models.TextField(_("content"))
    source = models.CharField(_("source"), max_length=200, blank=True)
    importance = models.CharField(_("importance"), max_length=10, choices=Importance.choices, default=Importance.MEDIUM)
    status = models.CharField(_("status"), max_length=20, choices=IntelStatus.choices, default=IntelStatus.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market intelligence")
        verbose_name_plural = _("market intelligence")
        ordering = ["-published_at", "-id"]
        permissions = [("publish_marketintel", _("Can publish market intelligence"))]

    def __str__(self) -> str:
        return self.title


class IntelRead(models.Model):
    """Who has read a piece of published intelligence, and when."""

    intel = models.ForeignKey(MarketIntel, on_delete=models.CASCADE, related_name="reads")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    scope_fields = ScopeFields(owner="reader", unit="reader__employee__department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("intelligence read receipt")
        verbose_name_plural = _("intelligence read receipts")
        constraints = [models.UniqueConstraint(fields=["intel", "reader"], name="marketing_intelread_once")]

    def __str__(self) -> str:
        return f"{self.intel} · {self.reader}"
