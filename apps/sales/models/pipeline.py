from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.sales.choices import CLOSED_STAGES, OPEN_STAGES, OpportunityStage

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Product(TimeStampedModel):
    """A product of the catalogue (category, unit, list price). The catalogue is company-wide, not scoped."""

    code = models.CharField(_("product code"), max_length=30, unique=True)
    name = models.CharField(_("product name"), max_length=100)
    category = models.CharField(_("product category"), max_length=50, blank=True)
    unit = models.CharField(_("unit"), max_length=10, default="套")
    list_price = models.DecimalField(_("list price (CNY)"), max_digits=14, decimal_places=2)
    is_active = models.BooleanField(_("on sale"), default=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name


class ProductLine(models.Model):
    """A product line of an opportunity or a contract: so many of a product at a unit price less a discount."""

    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=14, decimal_places=2)
    discount_pct = models.DecimalField(
        _("discount (percent off)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        gross = self.quantity * self.unit_price
        return (gross * (Decimal("100") - self.discount_pct) / Decimal("100")).quantize(Decimal("0.01"), ROUND_HALF_UP)


class StageSetting(models.Model):
    """The win probability of each opportunity stage (赢单率), set by the sales manager."""

    stage = models.CharField(_("stage"), max_length=20, choices=OpportunityStage.choices, unique=True)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), validators=PERCENT)

    class Meta:
        verbose_name = _("stage setting")
        verbose_name_plural = _("stage settings")
        ordering = ["probability"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.probability}%"


# The opportunity stage rules, one table (read by the stage service to allow a move, and by the pages: the detail
# page's move form and the edit button, the kanban): stage → the stages it may move to. An open stage moves to any
# other stage, forward or back, or closes (won, lost, invalid); a closed stage moves nowhere and is not edited.
# Closing as lost or invalid needs a reason (STAGE_NEEDS_REASON). Who: whoever has the opportunity in their change
# scope.
STAGE_MOVES: dict[str, frozenset[str]] = {
    **{stage: frozenset(OpportunityStage.values) - {stage} for stage in OPEN_STAGES},
    **{stage: frozenset() for stage in CLOSED_STAGES},
}
STAGE_NEEDS_REASON = frozenset({OpportunityStage.LOST, OpportunityStage.INVALID})
# One bit per stage in ``Opportunity.stages_reached`` (fixed here: never renumber, the column stores them).
STAGE_BITS = {
    OpportunityStage.INITIAL: 1,
    OpportunityStage.NEEDS: 2,
    OpportunityStage.PROPOSAL: 4,
    OpportunityStage.NEGOTIATION: 8,
    OpportunityStage.WON: 16,
    OpportunityStage.LOST: 32,
    OpportunityStage.INVALID: 64,
}


class Opportunity(OwnedModel):
    """商机: what a customer may buy, through the stages 初步接洽 → 需求分析 → 方案报价 → 商务谈判 → 赢单/输单/无效."""

    name = models.CharField(_("opportunity name"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="opportunities"
    )
    contact = optional_fk("customers.Contact", _("contact"), on_delete=models.SET_NULL, related_name="opportunities")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2, default=Decimal("0"))
    stage = models.CharField(
        _("stage"), max_length=20, choices=OpportunityStage.choices, default=OpportunityStage.INITIAL
    )
    stage_changed_at = models.DateTimeField(_("in this stage since"), null=True, blank=True)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    close_reason = models.CharField(_("reason (won, lost or invalid)"), max_length=200, blank=True)
    source_lead = optional_fk(
        "marketing.Lead", _("source lead"), on_delete=models.SET_NULL, related_name="opportunities"
    )
    campaign = optional_fk("marketing.Campaign", _("campaign"), on_delete=models.SET_NULL, related_name="opportunities")
    next_action = models.CharField(_("next action"), max_length=200, blank=True)
    next_action_on = models.DateField(_("next action date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    # The stages its stage history has moved to, one bit each (``STAGE_BITS``), so the funnel's "reached stage N"
    # (a stage change to N, or in N now) is read from the opportunity alone, in one pass without grouping the
    # stage history (issue 14). Set by each new ``OpportunityStageChange``; after a bulk load
    # ``services.opportunities.opportunity_stages_reached_sync`` recomputes it from the stage history.
    stages_reached = models.PositiveSmallIntegerField(default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["stages_reached"])

    class Meta:
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["owner", "stage"]),
            models.Index(fields=["stage", "expected_close_date"]),
            models.Index(fields=["-updated_at", "-id"], name="opportunity_updated_idx"),
        ]  # the list's sort

    def __str__(self) -> str:
        return self.name


class OpportunityLine(ProductLine):
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("opportunity line")
        verbose_name_plural = _("opportunity lines")


class OpportunityStageChange(models.Model):
    """Stage history: every move with who, when, and how long the opportunity had stayed in the previous stage."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("from stage"), max_length=20, choices=OpportunityStage.choices, blank=True)
    to_stage = models.CharField(_("to stage"), max_length=20, choices=OpportunityStage.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    seconds_in_previous = models.PositiveBigIntegerField(_("time in the previous stage (s)"), default=0)

    scope_fields = ScopeFields(owner="opportunity__owner", unit="opportunity__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.opportunity} {self.from_stage} → {self.to_stage}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new stage change also marks its stage as reached on the opportunity (one UPDATE, its bit ORed in)."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding and self.to_stage in STAGE_BITS:
            bit = STAGE_BITS[OpportunityStage(self.to_stage)]
            Opportunity.objects.filter(pk=self.opportunity_id).update(stages_reached=F("stages_reached").bitor(bit))
            cached = self._state.fields_cache.get("opportunity")  # the caller's instance, kept in step too
            if cached is not None:
                cached.stages_reached |= bit
