from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.marketing.choices import GoalMetric, PlanStatus

#
# The plan workflow as one table (like the ticket's ``TICKET_WORKFLOW``): per status, the steps with the status each
# leads to and who may take it. The services allow exactly these moves, the plan page shows exactly these buttons and
# the API returns them as ``allowed_actions`` (``selectors.plans.plan_allowed``).
#


class PlanRole:
    """Who a user is for one plan (``selectors.plans.plan_roles``); a user may be both."""

    CHANGER = "changer"  # the plan is in the user's change scope: its owner, or a manager over it
    APPROVER = "approver"  # a changer holding ``marketing.approve_marketplan`` who does not own the plan


@dataclass(frozen=True)
class PlanStep:
    target: str | None  # the status after the step; None: the status does not change
    who: frozenset[str]  # any one of these roles may take it


_PS = PlanStatus
_CHANGER, _APPROVER = frozenset({PlanRole.CHANGER}), frozenset({PlanRole.APPROVER})
PLAN_WORKFLOW: dict[str, dict[str, PlanStep]] = {
    _PS.DRAFT: {"edit": PlanStep(None, _CHANGER), "submit": PlanStep(_PS.SUBMITTED, _CHANGER)},
    _PS.SUBMITTED: {"approve": PlanStep(_PS.APPROVED, _APPROVER), "reject": PlanStep(_PS.DRAFT, _APPROVER)},
    _PS.APPROVED: {"start": PlanStep(_PS.EXECUTING, _CHANGER)},
    _PS.EXECUTING: {"close": PlanStep(_PS.CLOSED, _CHANGER)},
    _PS.CLOSED: {},
}
# Every step of the table, in the order the page shows them.
PLAN_ACTIONS = ("edit", "submit", "approve", "reject", "start", "close")


def plan_step_roles(action: str) -> frozenset[str]:
    """Who may take ``action`` in the statuses where the table has it."""
    return frozenset().union(*(steps[action].who for steps in PLAN_WORKFLOW.values() if action in steps))


def plan_step_target(action: str) -> str | None:
    """The status ``action`` leads to wherever the table has it."""
    return next((steps[action].target for steps in PLAN_WORKFLOW.values() if action in steps), None)


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
    approved_by = optional_fk(settings.AUTH_USER_MODEL, _("approved by"), on_delete=models.SET_NULL, related_name="+")
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
