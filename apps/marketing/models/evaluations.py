from __future__ import annotations

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.marketing.choices import EvaluationStatus


class MarketEvaluation(OwnedModel):
    """市场开发评估 of a plan over a period: the computed actual vs target of each goal line (kept as a snapshot
    when completed), the manager's feedback, strategy adjustments and improvement suggestions."""

    plan = models.ForeignKey(
        "marketing.MarketPlan",
        verbose_name=_("market development plan"),
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    snapshot = models.JSONField(_("figures at completion"), default=list, blank=True)
    feedback = models.TextField(_("evaluation and feedback"), blank=True)
    strategy_adjustment = models.TextField(_("strategy adjustments"), blank=True)
    improvement_suggestions = models.TextField(_("improvement suggestions"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    policy_version = models.CharField(_("policy version"), max_length=20, blank=True)
    # Market share cannot be counted from the records; the manager estimates it here (kept in the snapshot).
    market_share_estimate = models.DecimalField(
        _("market share estimate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market development evaluation")
        verbose_name_plural = _("market development evaluations")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"{self.plan} · {self.period_start}–{self.period_end}"

    def get_absolute_url(self) -> str:
        return reverse("marketing:evaluation_detail", args=[self.pk])
