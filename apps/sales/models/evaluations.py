from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.sales.choices import EvaluationStatus


class SalesEvaluation(OwnedModel):
    """销售目标评估 (art. 9): a snapshot of the computed attainment of a target node over a period, the manager's
    analysis of the gap and its causes; improvement measures become improvement actions."""

    node = models.ForeignKey(
        "sales.TargetNode", verbose_name=_("target node"), on_delete=models.PROTECT, related_name="evaluations"
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    snapshot = models.JSONField(_("figures at completion"), default=dict, blank=True)
    gap_analysis = models.TextField(_("analysis of the gap"), blank=True)
    causes = models.TextField(_("causes"), blank=True)
    measures = models.TextField(_("improvement measures"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    policy_version = models.CharField(_("policy version"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sales target evaluation")
        verbose_name_plural = _("sales target evaluations")
        ordering = ["-period_end", "-id"]

    def __str__(self) -> str:
        return f"{self.node} · {self.period_start}–{self.period_end}"
