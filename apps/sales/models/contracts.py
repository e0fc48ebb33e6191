from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, TimeStampedModel
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.sales.choices import ApprovalAction, ContractStatus, PaymentMethod

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class Contract(OwnedModel):
    """合同: numbered by the configured rule, counted in attainment once approved (通过). Editable only in draft or
    rejected; approval is required when the discount or the amount passes the thresholds of the rules in force."""

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    title = models.CharField(_("contract title"), max_length=200)
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="contracts")
    opportunity = models.ForeignKey("sales.Opportunity", verbose_name=_("opportunity"), on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="contracts")
    signed_on = models.DateField(_("signed on"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    discount_pct = models.DecimalField(_("order discount (percent off)"), max_digits=5, decimal_places=2,
                                       default=Decimal("0"), validators=PERCENT)
    amount = models.DecimalField(_("contract amount (CNY)"), max_digits=16, decimal_places=2)
    customer_signatory = models.CharField(_("customer signatory"), max_length=50, blank=True)
    company_signatory = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("company signatory"),
                                          on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices,
                              default=ContractStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"),
                                    on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    policy_version = models.CharField(_("policy version"), max_length=20, blank=True)
    terms = models.TextField(_("main terms"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        permissions = [("approve_contract", _("Can approve contracts")), ("void_contract", _("Can void contracts"))]
        indexes = [models.Index(fields=["status", "signed_on"]), models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ContractLine(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("sales.Product", verbose_name=_("product"), on_delete=models.PROTECT,
                                related_name="+")
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(_("unit price (CNY)"), max_digits=14, decimal_places=2)
    discount_pct = models.DecimalField(_("discount (percent off)"), max_digits=5, decimal_places=2,
                                       default=Decimal("0"),
                                       validators=PERCENT)

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def amount(self) -> Decimal:
        gross = self.quantity * self.unit_price
        return (gross * (Decimal("100") - self.discount_pct) / Decimal("100")).quantize(Decimal("0.01"))


class ContractApproval(models.Model):
    """The approval record of a contract: each submit, approval, rejection, withdrawal and voiding with its comment."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="approvals")
    action = models.CharField(_("action"), max_length=20, choices=ApprovalAction.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
                              related_name="+")
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("approval record")
        verbose_name_plural = _("approval records")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.contract} · {self.get_action_display()}"


class PaymentPlan(models.Model):
    """回款计划: one instalment of an approved contract, with its due date and a reminder N days before."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="payment_plans")
    instalment = models.PositiveSmallIntegerField(_("instalment"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=3)
    note = models.CharField(_("note"), max_length=200, blank=True)

    scope_fields = ScopeFields(owner="contract__owner", unit="contract__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment plan")
        verbose_name_plural = _("payment plans")
        ordering = ["contract", "instalment"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "instalment"], name="sales_paymentplan_unique_instalment"),
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} #{self.instalment}"


class Payment(TimeStampedModel):
    """回款: money received on an approved contract; the sum never exceeds the contract amount."""

    contract = models.ForeignKey(Contract, verbose_name=_("contract"), on_delete=models.PROTECT,
                                 related_name="payments")
    plan = models.ForeignKey(PaymentPlan, verbose_name=_("instalment"), on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="payments")
    number = models.CharField(_("payment number"), max_length=40, unique=True)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    method = models.CharField(_("payment method"), max_length=20, choices=PaymentMethod.choices,
                              default=PaymentMethod.BANK_TRANSFER)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="contract__owner", unit="contract__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["contract", "received_on"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="sales_payment_positive")]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"
