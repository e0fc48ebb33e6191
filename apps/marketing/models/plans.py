from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel
from apps.marketing.choices import GoalMetric, PlanStatus


class MarketPlan(OwnedModel):
    """市场开发计划: the period, the strategic goal it serves, measurable goal lines, strategy, promotion plan,
    budget and the responsible person (``owner``)."""

    title = models.CharField(_("plan title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    strategic_goal = models.TextField(_("company strategic goal served"))
    expansion_strategy = models.TextField(_("expansion strategy"), blank=True)
    promotion_plan = models.TextField(_("promotion plan"), blank=True)
    budget = models.DecimalField(_("budget (CNY)"), max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approval_comment = models.CharField(_("approval comment"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("market development plan")
        verbose_name_plural = _("market development plans")
        ordering = ["-period_start", "-id"]
        permissions = [("approve_marketplan", _("Can approve market development plans"))]

    def __str__(self) -> str:
        return self.title


class PlanGoal(models.Model):
    """One measurable goal line of a plan; its actual is computed from the records, never typed in."""

    plan = models.ForeignKey(MarketPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("goal"), max_length=30, choices=GoalMetric.choices)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("plan goal")
        verbose_name_plural = _("plan goals")
        ordering = ["plan", "id"]
        constraints = [models.UniqueConstraint(fields=["plan", "metric"], name="marketing_plangoal_unique_metric")]

    def __str__(self) -> str:
        return f"{self.get_metric_display()}: {self.target_value}"
