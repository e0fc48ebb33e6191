from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.sales.choices import AdjustmentKind, ApprovalAction, ContractStatus, PaymentMethod, RequestStatus
from apps.sales.models.pipeline import PERCENT, ProductLine

# The contract workflow, one table (read by the services to allow a move, by the contract page for its buttons and
# by the API as ``allowed_actions``): status → move → (the status it leads to, ``None``: stays; who may make it;
# the condition on the contract it also needs, or ""). Roles (``selectors.contracts.contract_roles``):
# ``changer`` — the contract in one's ``change`` scope; ``approver`` — ``sales.approve_contract`` in scope and not
# the owner; ``submitter`` — who submitted it (withdraws); ``voider`` — ``sales.void_contract`` in scope;
# ``collector`` — ``sales.add_payment`` and the contract seen; ``planner`` — ``sales.add_paymentplan`` and seen.
# Conditions (``selectors.contracts.CONTRACT_CONDITIONS``): ``no_payments``, ``not_terminated``, ``collected``.
# Submitting below both approval thresholds approves at once (``AUTO_APPROVE``), otherwise it awaits approval.
C_CHANGER, C_APPROVER, C_SUBMITTER, C_VOIDER, C_COLLECTOR, C_PLANNER = (
    "changer",
    "approver",
    "submitter",
    "voider",
    "collector",
    "planner",
)
_C = ContractStatus
_EDITABLE: dict[str, tuple[str | None, frozenset[str], str]] = {
    "edit": (None, frozenset({C_CHANGER}), ""),
    "submit": (_C.PENDING, frozenset({C_CHANGER}), ""),
}
CONTRACT_WORKFLOW: dict[str, dict[str, tuple[str | None, frozenset[str], str]]] = {
    _C.DRAFT: dict(_EDITABLE),
    _C.REJECTED: dict(_EDITABLE),
    _C.WITHDRAWN: dict(_EDITABLE),
    _C.PENDING: {
        "approve": (_C.APPROVED, frozenset({C_APPROVER}), ""),
        "reject": (_C.REJECTED, frozenset({C_APPROVER}), ""),
        "withdraw": (_C.WITHDRAWN, frozenset({C_SUBMITTER}), ""),
    },
    _C.APPROVED: {
        "void": (_C.VOIDED, frozenset({C_VOIDER}), "no_payments"),
        "pay": (None, frozenset({C_COLLECTOR}), "not_terminated"),
        "plan": (None, frozenset({C_PLANNER}), ""),
        "refund": (None, frozenset({C_COLLECTOR}), "collected"),
        "adjust": (None, frozenset({C_CHANGER}), "not_terminated"),
    },
    _C.VOIDED: {},
}
# Every move of the table, in the order the page shows them.
CONTRACT_MOVES = ("edit", "submit", "withdraw", "approve", "reject", "void", "pay", "plan", "refund", "adjust")


class Contract(OwnedModel):
    """合同: numbered by the configured rule, counted in attainment once approved (通过). Editable only in draft or
    rejected; approval is required when the discount or the amount passes the thresholds of the rules in force."""

    number = models.CharField(_("contract number"), max_length=40, unique=True)
    title = models.CharField(_("contract title"), max_length=200)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    opportunity = optional_fk(
        "sales.Opportunity", _("opportunity"), on_delete=models.SET_NULL, related_name="contracts"
    )
    signed_on = models.DateField(_("signed on"))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    discount_pct = models.DecimalField(
        _("order discount (percent off)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    amount = models.DecimalField(_("contract amount (CNY)"), max_digits=16, decimal_places=2)
    customer_signatory = models.CharField(_("customer signatory"), max_length=50, blank=True)
    company_signatory = optional_fk(
        settings.AUTH_USER_MODEL, _("company signatory"), on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ContractStatus.choices, default=ContractStatus.DRAFT)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = optional_fk(settings.AUTH_USER_MODEL, _("approved by"), on_delete=models.SET_NULL, related_name="+")
    policy_version = models.CharField(_("policy version"), max_length=20, blank=True)
    terms = models.TextField(_("main terms"), blank=True)
    # Kept when an approved amendment or termination first changes the amount: attainment counts this amount in
    # the signing month and each approved change in the month it was approved. Empty = never changed.
    signed_amount = models.DecimalField(
        _("amount at signing (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-signed_on", "-id"]
        permissions = [("approve_contract", _("Can approve contracts")), ("void_contract", _("Can void contracts"))]
        indexes = [
            models.Index(fields=["status", "signed_on"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["-signed_on", "-id"], name="contract_signed_idx"),
        ]  # the list's sort

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ContractLine(ProductLine):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")


class ContractApproval(models.Model):
    """The approval record of a contract: each submit, approval, rejection, withdrawal and voiding with its comment."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="approvals")
    action = models.CharField(_("action"), max_length=20, choices=ApprovalAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
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
    """回款: money received on an approved contract; the sum never exceeds the contract amount. A refund (退款 /
    红冲) is a negative row written when its request is approved, so every sum of payments nets it."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    plan = optional_fk(PaymentPlan, _("instalment"), on_delete=models.SET_NULL, related_name="payments")
    number = models.CharField(_("payment number"), max_length=40, unique=True)
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=16, decimal_places=2)
    method = models.CharField(
        _("payment method"), max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="contract__owner", unit="contract__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["contract", "received_on"])]
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0), name="sales_payment_not_zero")]

    def __str__(self) -> str:
        return f"{self.number} {self.amount}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class _Request(models.Model):
    """What a refund and an amendment / termination request share: a reason, a requester, a decision."""

    status = models.CharField(_("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    reason = models.CharField(_("reason"), max_length=500)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = optional_fk(settings.AUTH_USER_MODEL, _("decided by"), on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_comment = models.CharField(_("decision comment"), max_length=500, blank=True)

    scope_fields = ScopeFields(owner="contract__owner", unit="contract__owner_unit")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class RefundRequest(_Request):
    """退款 / 红冲: a request to pay money back on a contract; once approved it writes a negative payment dated
    the day of approval (Asia/Shanghai), which lowers the payments figure of that month."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="refund_requests"
    )
    payment = optional_fk(Payment, _("payment refunded"), on_delete=models.PROTECT, related_name="refund_requests")
    amount = models.DecimalField(_("refund amount (CNY)"), max_digits=16, decimal_places=2)
    refund = models.OneToOneField(
        Payment,
        verbose_name=_("refund record"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund_request",
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-requested_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="sales_refund_positive")]

    def __str__(self) -> str:
        return f"{self.contract.number} -{self.amount}"


class ContractAdjustment(_Request):
    """补充协议 / 终止: a request to change the amount of an approved contract (a termination settles it, usually
    at what was collected, and ends it). Once approved, the change (new − old amount) counts in the month of
    approval; the signing month keeps the amount at signing."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=AdjustmentKind.choices)
    old_amount = models.DecimalField(_("amount before (CNY)"), max_digits=16, decimal_places=2)
    new_amount = models.DecimalField(_("amount after (CNY)"), max_digits=16, decimal_places=2)
    effective_on = models.DateField(_("effective on"), null=True, blank=True)

    class Meta:
        verbose_name = _("contract amendment")
        verbose_name_plural = _("contract amendments")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(new_amount__gte=0), name="sales_adjustment_not_negative")
        ]

    def __str__(self) -> str:
        return f"{self.contract.number} {self.old_amount} → {self.new_amount}"

    @property
    def delta(self) -> Decimal:
        return self.new_amount - self.old_amount
