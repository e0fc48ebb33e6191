"""Reads of contracts, payment plans and payments, always starting from the user's scope.

Collected amounts and collection rates are annotations (one query per page); an instalment's status
(待回款 / 部分回款 / 回款完成 / 逾期) is derived here from its payments and due date, never stored.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.core import excel
from apps.core.scoping import can_each, get_visible_or_404
from apps.org.models import Department, User
from apps.sales.choices import ApprovalAction, ContractStatus, RequestStatus
from apps.sales.models import Contract, ContractAdjustment, Payment, PaymentPlan, RefundRequest
from apps.sales.models.contracts import (
    C_APPROVER,
    C_CHANGER,
    C_COLLECTOR,
    C_PLANNER,
    C_SUBMITTER,
    C_VOIDER,
    CONTRACT_MOVES,
    CONTRACT_WORKFLOW,
)

ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))
EXPIRING_DAYS = 30


class InstalmentStatus:
    PENDING = "pending"
    PARTIAL = "partial"
    PAID = "paid"
    OVERDUE = "overdue"
    LABELS = {PENDING: _("Awaiting payment"), PARTIAL: _("Partly paid"), PAID: _("Paid in full"), OVERDUE: _("Overdue")}


def _collected_subquery() -> Subquery:
    sums = (
        Payment.objects.filter(contract=OuterRef("pk"))
        .order_by()
        .values("contract")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Subquery(sums, output_field=DecimalField(max_digits=16, decimal_places=2))


def with_collection(qs: QuerySet) -> QuerySet:
    """Annotate ``collected`` (sum of payments) and ``collection_rate`` (percent of the amount)."""
    qs = qs.annotate(collected=Coalesce(_collected_subquery(), ZERO))
    return qs.annotate(
        collection_rate=ExpressionWrapper(
            F("collected") * Value(Decimal("100")) / NullIf(F("amount"), ZERO),
            output_field=DecimalField(max_digits=7, decimal_places=2),
        )
    )


def contract_list(*, user: Any) -> QuerySet:
    """The contracts the user may see, with customer and owner, collected amount and rate; the list's filters are
    ``sales.filters.ContractFilterSet``."""
    return with_collection(Contract.objects.visible_to(user).select_related("customer", "owner", "owner_unit"))


def search_q(term: str) -> Q:
    return Q(number__icontains=term) | Q(title__icontains=term) | Q(customer__name__icontains=term)


def contract_get(*, user: Any, pk: Any, action: str = "view") -> Contract:
    """One contract in the user's scope (404 otherwise), with collected amount."""
    return get_visible_or_404(Contract, user, pk, action)


@dataclass
class InstalmentRow:
    plan: PaymentPlan
    paid: Decimal
    status: str

    @property
    def status_label(self) -> str:
        return str(InstalmentStatus.LABELS[self.status])

    @property
    def outstanding(self) -> Decimal:
        return max(self.plan.amount - self.paid, Decimal("0"))


def instalment_status(amount: Decimal, paid: Decimal, due: dt.date, today: dt.date) -> str:
    """Paid in full when the payments reach the amount; overdue when the due date passed before that;
    partly paid when something came in; otherwise awaiting payment."""
    if paid >= amount:
        return InstalmentStatus.PAID
    if due < today:
        return InstalmentStatus.OVERDUE
    return InstalmentStatus.PARTIAL if paid > 0 else InstalmentStatus.PENDING


def instalments(contract: Contract, today: dt.date | None = None) -> list[InstalmentRow]:
    """The contract's payment plan with paid amounts and derived statuses (one query)."""
    today = today or timezone.localdate()
    plans = contract.payment_plans.annotate(paid=Coalesce(Sum("payments__amount"), ZERO)).order_by("instalment")
    return [InstalmentRow(p, p.paid, instalment_status(p.amount, p.paid, p.due_date, today)) for p in plans]


def payments_of(contract: Contract) -> QuerySet:
    return contract.payments.select_related("plan", "recorded_by").order_by("-received_on", "-id")


def collected(contract: Contract) -> Decimal:
    return contract.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def approvals_of(contract: Contract) -> QuerySet:
    return contract.approvals.select_related("actor").order_by("at", "id")


def awaiting_approval(*, user: Any) -> QuerySet:
    """Pending contracts the user may approve, other than their own."""
    return (
        Contract.objects.visible_to(user, "approve")
        .filter(status=ContractStatus.PENDING)
        .exclude(owner=user)
        .select_related("customer")
    )


def requests_awaiting_decision(*, user: Any) -> tuple[list[RefundRequest], list[ContractAdjustment]]:
    """Pending refunds and amendments / terminations the user may decide: on contracts they may approve, neither
    requested by them nor on their own contracts (two queries)."""
    approvable = Contract.objects.visible_to(user, "approve").exclude(owner=user).values("pk")
    refunds = (
        RefundRequest.objects.filter(status=RequestStatus.PENDING, contract__in=approvable)
        .exclude(requested_by=user)
        .select_related("contract")
        .order_by("requested_at")
    )
    adjustments = (
        ContractAdjustment.objects.filter(status=RequestStatus.PENDING, contract__in=approvable)
        .exclude(requested_by=user)
        .select_related("contract")
        .order_by("requested_at")
    )
    return list(refunds[:20]), list(adjustments[:20])


def instalments_due(*, user: Any, today: dt.date | None = None) -> QuerySet:
    """The user's own open instalments that are overdue or within their reminder window."""
    today = today or timezone.localdate()
    qs = (
        PaymentPlan.objects.filter(contract__owner=user, contract__status=ContractStatus.APPROVED)
        .annotate(paid=Coalesce(Sum("payments__amount"), ZERO))
        .filter(paid__lt=F("amount"))
    )
    # The per-instalment reminder window is applied in ``due_rows``; 60 days bounds the rows read.
    return qs.filter(due_date__lte=today + dt.timedelta(days=60)).select_related("contract")


def due_rows(*, user: Any, today: dt.date | None = None) -> tuple[list[PaymentPlan], list[PaymentPlan]]:
    """(overdue, due soon) instalments of the user's contracts."""
    today = today or timezone.localdate()
    overdue, soon = [], []
    for plan in instalments_due(user=user, today=today):
        if plan.due_date < today:
            overdue.append(plan)
        elif plan.due_date - dt.timedelta(days=plan.remind_days_before) <= today:
            soon.append(plan)
    return overdue, soon


def expiring(*, user: Any, today: dt.date | None = None, days: int = EXPIRING_DAYS) -> QuerySet:
    """The user's approved contracts whose end date falls within ``days``."""
    today = today or timezone.localdate()
    return Contract.objects.filter(
        owner=user, status=ContractStatus.APPROVED, end_date__gte=today, end_date__lte=today + dt.timedelta(days=days)
    )


def export_columns() -> list[Any]:
    return [
        excel.Column("number", _("contract number"), width=20),
        excel.Column("title", _("contract title"), width=30),
        excel.Column("customer", _("customer"), width=30),
        excel.Column("owner", _("owner")),
        excel.Column("status", _("status"), choices=ContractStatus.choices),
        excel.Column("signed_on", _("signed on"), kind=excel.DATE),
        excel.Column("end_date", _("end date"), kind=excel.DATE),
        excel.Column("amount", _("contract amount (CNY)"), kind=excel.MONEY),
        excel.Column("collected", _("collected (CNY)"), kind=excel.MONEY),
    ]


def export_rows(contracts: QuerySet) -> list[dict[str, Any]]:
    return [
        {
            "number": c.number,
            "title": c.title,
            "customer": c.customer.name,
            "owner": str(c.owner),
            "status": c.status,
            "signed_on": c.signed_on,
            "end_date": c.end_date,
            "amount": c.amount,
            "collected": c.collected,
        }
        for c in contracts
    ]


def today() -> dt.date:
    return timezone.localdate()


def plans_with_paid(qs: QuerySet) -> QuerySet:
    """Instalments annotated with ``paid`` (the sum of their payments)."""
    return qs.annotate(paid=Coalesce(Sum("payments__amount"), ZERO)).select_related("contract")


def collected_on_plan(plan: PaymentPlan) -> Decimal:
    return plan.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")


def company_of(contract: Contract) -> Any:
    """The company (root of the owner's department tree) that signs as Party B."""
    unit = contract.owner_unit
    root_id = next((int(part) for part in (unit.path if unit else "").split("/") if part), None)
    return Department.objects.filter(pk=root_id).first() if root_id else unit


#
# The contract workflow (``CONTRACT_WORKFLOW``)
#


def submitter_of(contract: Contract) -> Any:
    """Who last submitted the contract (its owner when nobody did)."""
    last = contract.approvals.filter(action=ApprovalAction.SUBMIT).select_related("actor").last()
    return last.actor if last and last.actor else contract.owner


def contract_roles(user: User, contract: Contract) -> frozenset[str]:
    """The roles of ``CONTRACT_WORKFLOW`` that ``user`` holds on ``contract``."""
    roles = set()
    allowed = can_each(user, contract, ["change", "approve", "void", "view"])  # one query at most
    if allowed["change"]:
        roles.add(C_CHANGER)
    if contract.owner_id != user.pk and allowed["approve"]:
        roles.add(C_APPROVER)
    if allowed["void"]:
        roles.add(C_VOIDER)
    seen = allowed["view"]
    if seen and user.has_perm("sales.add_payment"):
        roles.add(C_COLLECTOR)
    if seen and user.has_perm("sales.add_paymentplan"):
        roles.add(C_PLANNER)
    if seen and contract.status == ContractStatus.PENDING and submitter_of(contract).pk == user.pk:
        roles.add(C_SUBMITTER)
    return frozenset(roles)


@dataclass(frozen=True)
class PaymentFacts:
    """What the contract's conditions ask of its payments: how many there are and what they add up to."""

    count: int
    total: Decimal


def payment_facts(contract: Contract) -> PaymentFacts:
    """The number and the sum of the contract's payments (refunds included, as negative amounts), one query."""
    row = contract.payments.aggregate(n=Count("pk"), total=Sum("amount"))
    return PaymentFacts(count=row["n"] or 0, total=row["total"] or Decimal("0"))


# ``condition(contract, facts=None)``: ``facts`` are the payments as the caller read them, else read here.
CONTRACT_CONDITIONS: dict[str, Any] = {
    "no_payments": lambda contract, facts=None: (facts or payment_facts(contract)).count == 0,
    "not_terminated": lambda contract, facts=None: not contract.terminated_on,
    "collected": lambda contract, facts=None: (facts or payment_facts(contract)).total > 0,
}


def contract_step(contract: Contract, move: str) -> tuple[str | None, frozenset[str], str] | None:
    """The table's entry for ``move`` in the contract's status (``None``: not a move of that status)."""
    return CONTRACT_WORKFLOW.get(contract.status, {}).get(move)


def contract_allowed(user: User, contract: Contract, facts: PaymentFacts | None = None) -> tuple[str, ...]:
    """The moves ``user`` may make on ``contract`` now, in the table's order: the page's buttons, the API's
    ``allowed_actions``; the services accept exactly these. ``facts``: the payments as the caller just read them
    (``payment_facts``), else read here when a condition needs them."""
    roles = contract_roles(user, contract)
    allowed = []
    for move in CONTRACT_MOVES:
        step = contract_step(contract, move)
        if step is None or not step[1] & roles:
            continue
        if step[2] and facts is None and step[2] != "not_terminated":
            facts = payment_facts(contract)
        if not step[2] or CONTRACT_CONDITIONS[step[2]](contract, facts):
            allowed.append(move)
    return tuple(allowed)
