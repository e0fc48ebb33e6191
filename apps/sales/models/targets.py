from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.sales.choices import TargetMetric, TargetStatus, TargetTier

# Month values are stored; quarters and the year are sums of them, never stored (so they always reconcile).
MONTH_FIELDS = tuple(f"m{month:02d}" for month in range(1, 13))


class TargetSet(TimeStampedModel):
    """One fiscal year's target of one metric and tier for the whole company, decomposed into a tree of nodes."""

    fiscal_year = models.PositiveIntegerField(_("fiscal year"))
    metric = models.CharField(
        _("metric"), max_length=30, choices=TargetMetric.choices, default=TargetMetric.CONTRACT_AMOUNT
    )
    tier = models.CharField(_("tier"), max_length=20, choices=TargetTier.choices, default=TargetTier.BASE)
    status = models.CharField(_("status"), max_length=20, choices=TargetStatus.choices, default=TargetStatus.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_by = optional_fk(settings.AUTH_USER_MODEL, _("approved by"), on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    created_by = optional_fk(settings.AUTH_USER_MODEL, _("created by"), on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target set")
        verbose_name_plural = _("target sets")
        ordering = ["-fiscal_year", "metric", "tier"]
        permissions = [("approve_targetset", _("Can approve sales targets"))]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "metric", "tier"], name="sales_targetset_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.fiscal_year} {self.get_metric_display()} · {self.get_tier_display()}"


class TargetNode(models.Model):
    """A node of the target tree: the company, a department, a team (``person`` empty) or a person in a team.
    Its twelve month values are the target; a parent must equal the sum of its children to be published."""

    target_set = models.ForeignKey(
        TargetSet, verbose_name=_("target set"), on_delete=models.CASCADE, related_name="nodes"
    )
    parent = optional_fk("self", _("parent"), on_delete=models.CASCADE, related_name="children")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    person = optional_fk(settings.AUTH_USER_MODEL, _("person"), on_delete=models.PROTECT, related_name="target_nodes")
    m01 = models.DecimalField(_("January"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m02 = models.DecimalField(_("February"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m03 = models.DecimalField(_("March"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m04 = models.DecimalField(_("April"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m05 = models.DecimalField(_("May"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m06 = models.DecimalField(_("June"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m07 = models.DecimalField(_("July"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m08 = models.DecimalField(_("August"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m09 = models.DecimalField(_("September"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m10 = models.DecimalField(_("October"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m11 = models.DecimalField(_("November"), max_digits=16, decimal_places=2, default=Decimal("0"))
    m12 = models.DecimalField(_("December"), max_digits=16, decimal_places=2, default=Decimal("0"))
    proposed = models.JSONField(_("proposal from below"), default=dict, blank=True)  # bottom-up: month → value
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="person", unit="department")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("target node")
        verbose_name_plural = _("target nodes")
        ordering = ["target_set", "department__path", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_set", "department"],
                condition=Q(person__isnull=True),
                name="sales_targetnode_unique_department",
            ),
            # A person has one node per team: after moving team, a node in the new team carries what they sign
            # there, while the old node keeps what they signed before (attainment's one attribution rule).
            models.UniqueConstraint(
                fields=["target_set", "department", "person"],
                condition=Q(person__isnull=False),
                name="sales_targetnode_unique_person_per_team",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.department)

    @property
    def months(self) -> list[Decimal]:
        return [getattr(self, name) for name in MONTH_FIELDS]

    @property
    def annual(self) -> Decimal:
        return sum(self.months, Decimal("0"))

    @property
    def quarters(self) -> list[Decimal]:
        months = self.months
        return [sum(months[q * 3 : q * 3 + 3], Decimal("0")) for q in range(4)]
