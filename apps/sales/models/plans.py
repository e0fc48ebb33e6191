from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.sales.choices import ActionItemStatus, SalesPlanStatus

# The sales plan workflow, one table (read by the services to allow a move, by the plan page for its buttons and by
# the API as ``allowed_actions``): status → move → the status it leads to (``None``: stays) and who may make it.
# Roles (``selectors.plans.plan_roles``): ``changer`` — the plan in one's ``change`` scope (its owner, a manager
# in scope); ``approver`` — ``sales.approve_salesplan``, the plan in scope, and not its owner.
CHANGER, APPROVER = "changer", "approver"
_P = SalesPlanStatus
PLAN_WORKFLOW: dict[str, dict[str, tuple[str | None, frozenset[str]]]] = {
    _P.DRAFT: {"edit": (None, frozenset({CHANGER})), "submit": (_P.SUBMITTED, frozenset({CHANGER}))},
    _P.SUBMITTED: {"approve": (_P.APPROVED, frozenset({APPROVER})), "return": (_P.DRAFT, frozenset({APPROVER}))},
    _P.APPROVED: {"start": (_P.EXECUTING, frozenset({CHANGER})), "close": (_P.CLOSED, frozenset({CHANGER}))},
    _P.EXECUTING: {"close": (_P.CLOSED, frozenset({CHANGER}))},
    _P.CLOSED: {},
}
# Every move of the table, in the order the page shows them.
PLAN_MOVES = ("edit", "submit", "approve", "return", "start", "close")


class SalesPlan(OwnedModel):
    """销售计划 (art. 9): made from the market intelligence it cites; targets served, strategy, and action items each
    with dates and a responsible person. ``owner`` is the person responsible for the plan."""

    title = models.CharField(_("plan title"), max_length=200)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    target_sets = models.ManyToManyField(
        "sales.TargetSet", verbose_name=_("targets served"), blank=True, related_name="sales_plans"
    )
    intel = models.ManyToManyField(
        "marketing.MarketIntel", verbose_name=_("market intelligence cited"), blank=True, related_name="sales_plans"
    )
    strategy = models.TextField(_("sales strategy"))
    status = models.CharField(
        _("status"), max_length=20, choices=SalesPlanStatus.choices, default=SalesPlanStatus.DRAFT
    )
    approved_by = optional_fk(settings.AUTH_USER_MODEL, _("approved by"), on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("sales plan")
        verbose_name_plural = _("sales plans")
        ordering = ["-period_start", "-id"]
        permissions = [("approve_salesplan", _("Can approve sales plans"))]

    def __str__(self) -> str:
        return self.title


class SalesPlanAction(models.Model):
    """An action item of a sales plan: what, from when to when, who is responsible, how far it has got."""

    plan = models.ForeignKey(SalesPlan, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="sales_plan_actions",
    )
    start_date = models.DateField(_("start date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionItemStatus.choices, default=ActionItemStatus.TODO
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # When the action was marked done (set by the services, cleared when it is reopened): "done on time" compares
    # its date in the policy's time zone with ``due_date`` (the KPI of art. 9's plans).
    done_at = models.DateTimeField(_("done at"), null=True, blank=True, editable=False)

    scope_fields = ScopeFields(owner="plan__owner", unit="plan__owner_unit", shared_with=("responsible",))
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sales plan action")
        verbose_name_plural = _("sales plan actions")
        ordering = ["plan", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(due_date__gte=models.F("start_date")), name="sales_planaction_due_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title
