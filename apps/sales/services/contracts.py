"""Writes to contracts (合同), their approval, payment plans (回款计划) and payments (回款).

Rules enforced here (CONVENTIONS-CN rows 17–20, 32; "Approval guards"):
- a contract is numbered by the configured rule (``next_number("contract")``) in the creating transaction;
- it is editable only in draft, rejected or withdrawn; submitting needs approval when the order or a line discount
  or the amount passes the thresholds of the rules in force, otherwise it is approved at once (AUTO_APPROVE);
- approvers hold ``sales.approve_contract`` with a scope covering the contract and are not its owner;
- payments only on approved contracts and never beyond the contract amount (the contract row is locked so two
  concurrent payments cannot both pass).
Every action leaves a ContractApproval row, history and notifications.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import excel
from apps.core.history import record_actor
from apps.core.money import format_cny
from apps.core.numbering import next_number
from apps.core.scoping import can
from apps.core.services import model_save, model_update, notification_topic, notifications_close, notify
from apps.customers.models import Customer
from apps.customers.services import archive as customer_archive
from apps.org.models import Department, User
from apps.policy.selectors import NoPolicyInForce, rules_in_force
from apps.sales.choices import ApprovalAction, ContractStatus, OpportunityStage
from apps.sales.models import Contract, ContractApproval, ContractLine, Opportunity, Payment, PaymentPlan
from apps.sales.models.contracts import CONTRACT_WORKFLOW
from apps.sales.selectors import contracts as selectors

CUSTOMER_WON_REASON = gettext_lazy("Contract %(number)s approved")
NOT_EDITABLE = gettext_lazy("This contract can only be changed while it is a draft, rejected or withdrawn.")
NOT_SUBMITTABLE = gettext_lazy("Only a draft, rejected or withdrawn contract can be submitted for approval.")
NOT_PENDING = gettext_lazy("This contract is not awaiting approval.")
OWNER_CANNOT_APPROVE = gettext_lazy("You cannot approve or reject your own contract.")
REJECT_NEEDS_COMMENT = gettext_lazy("Give a reason for the rejection.")
WITHDRAW_NOT_SUBMITTER = gettext_lazy("Only the person who submitted the contract can withdraw it.")
VOID_NEEDS_REASON = gettext_lazy("Give a reason for voiding the contract.")
VOID_NOT_APPROVED = gettext_lazy("Only an approved contract can be voided.")
VOID_HAS_PAYMENTS = gettext_lazy("A contract with payments cannot be voided.")
END_BEFORE_START = gettext_lazy("The end date cannot be before the start date.")
CUSTOMER_OUT_OF_SCOPE = gettext_lazy("Choose a customer within your data scope.")
OPPORTUNITY_OTHER_CUSTOMER = gettext_lazy("The opportunity belongs to another customer.")
OPPORTUNITY_CLOSED = gettext_lazy("The opportunity was lost or marked invalid; it cannot lead to a contract.")
AMOUNT_NEEDED = gettext_lazy("Enter the contract amount or at least one product line.")
AMOUNT_POSITIVE = gettext_lazy("The contract amount must be greater than zero.")
NOT_APPROVED_FOR_PAYMENT = gettext_lazy("Payments can only be recorded on an approved contract.")
NOT_APPROVED_FOR_PLAN = gettext_lazy("A payment plan can only be set on an approved contract.")
PAYMENT_EXCEEDS = gettext_lazy("Payments exceed the contract amount: this contract can still receive %(remaining)s.")
PLAN_EXCEEDS = gettext_lazy("The instalments total %(total)s, more than the contract amount %(amount)s.")
PLAN_OTHER_CONTRACT = gettext_lazy("The instalment belongs to another contract.")
PLAN_HAS_PAYMENTS = gettext_lazy("Instalment %(number)s already has payments and cannot be removed.")
PLAN_DUPLICATE = gettext_lazy("Instalment numbers must be unique.")
PAYMENT_IN_FUTURE = gettext_lazy("A payment cannot be dated in the future.")
PAYMENT_POSITIVE = gettext_lazy("The payment amount must be greater than zero.")
TERMINATED_NO_PAYMENT = gettext_lazy("This contract was terminated: no further payments can be recorded.")

CONTRACT_FIELDS = [
    "title",
    "customer",
    "opportunity",
    "signed_on",
    "start_date",
    "end_date",
    "discount_pct",
    "amount",
    "customer_signatory",
    "company_signatory",
    "terms",
]
EDITABLE = tuple(status for status, moves in CONTRACT_WORKFLOW.items() if "edit" in moves)
CENT = Decimal("0.01")
HUNDRED = Decimal("100")


#
# Helpers
#


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _in_table(contract: Contract, move: str, refusal: Any, code: str) -> None:
    """Refuse a move ``CONTRACT_WORKFLOW`` does not offer in the contract's status (with the move's own message)."""
    if selectors.contract_step(contract, move) is None:
        raise ValidationError(refusal, code=code)


def _unit_of(user: Any) -> Any:
    employee = getattr(user, "employee", None) if user is not None else None
    return employee.department if employee is not None else None


def _url(contract: Contract) -> str:
    return reverse("sales:contract_detail", args=[contract.pk])


def _record(contract: Contract, actor: User, action: str, comment: str = "") -> ContractApproval:
    return ContractApproval.objects.create(contract=contract, actor=actor, action=action, comment=comment[:500])


def _save_status(contract: Contract, actor: User, reason: str, fields: list[str]) -> None:
    record_actor(contract, actor, reason)
    contract.save(update_fields=[*fields, "updated_at"])


def _lines_total(lines: list[dict]) -> Decimal:
    total = Decimal("0")
    for line in lines:
        gross = Decimal(line.get("quantity") or 1) * Decimal(line["unit_price"])
        total += gross * (HUNDRED - Decimal(line.get("discount_pct") or 0)) / HUNDRED
    return total


def contract_amount(lines: list[dict], discount_pct: Decimal, typed: Decimal | None) -> Decimal:
    """The contract amount: the lines after their discounts and the whole-order discount, or the typed amount
    when there are no lines."""
    if not lines:
        if typed is None:
            raise ValidationError({"amount": AMOUNT_NEEDED})
        return Decimal(typed).quantize(CENT, ROUND_HALF_UP)
    total = _lines_total(lines) * (HUNDRED - Decimal(discount_pct or 0)) / HUNDRED
    return total.quantize(CENT, ROUND_HALF_UP)


def _check_links(actor: User, data: dict) -> None:
    """The customer must be within the actor's scope; an opportunity must be the customer's and not lost."""
    customer = data.get("customer")
    if customer is None or not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists():
        raise ValidationError({"customer": CUSTOMER_OUT_OF_SCOPE})
    opportunity = data.get("opportunity")
    if opportunity is not None:
        if opportunity.customer_id != customer.pk:
            raise ValidationError({"opportunity": OPPORTUNITY_OTHER_CUSTOMER})
        if opportunity.stage in (OpportunityStage.LOST, OpportunityStage.INVALID):
            raise ValidationError({"opportunity": OPPORTUNITY_CLOSED})


def _check_dates(contract: Contract) -> None:
    if contract.start_date and contract.end_date and contract.end_date < contract.start_date:
        raise ValidationError({"end_date": END_BEFORE_START})


def _prefill_from_opportunity(data: dict, lines: list[dict] | None) -> tuple[dict, list[dict]]:
    """Take customer, title, lines and amount from the opportunity where the caller left them out."""
    opportunity: Opportunity | None = data.get("opportunity")
    data = dict(data)
    if opportunity is None:
        return data, list(lines or [])
    data.setdefault("customer", opportunity.customer)
    data.setdefault("title", opportunity.name)
    if lines is None:
        lines = [
            {
                "product": line.product,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_pct": line.discount_pct,
            }
            for line in opportunity.lines.select_related("product")
        ]
        if not lines and data.get("amount") is None:
            data["amount"] = opportunity.amount
    return data, list(lines)


def _write_lines(contract: Contract, lines: list[dict]) -> None:
    contract.lines.all().delete()
    rows = [
        ContractLine(
            contract=contract,
            product=line["product"],
            quantity=Decimal(line.get("quantity") or 1),
            unit_price=Decimal(line["unit_price"]),
            discount_pct=Decimal(line.get("discount_pct") or 0),
        )
        for line in lines
    ]
    for row in rows:
        row.full_clean(exclude=["contract"])
    ContractLine.objects.bulk_create(rows)


def _opportunity_won(actor: User, opportunity: Opportunity | None, contract: Contract) -> None:
    """Move the opportunity to 赢单 through the pipeline's stage service (the only writer of stages)."""
    if opportunity is None or opportunity.stage == OpportunityStage.WON:
        return
    try:
        from apps.sales.services import opportunities
    except ImportError:  # pragma: no cover - the pipeline area is not installed
        return
    move = getattr(opportunities, "opportunity_change_stage", None) or getattr(
        opportunities, "opportunity_move_stage", None
    )
    if move is None:  # pragma: no cover - the stage service is not there yet
        return
    move(
        actor=actor,
        opportunity=opportunity,
        stage=OpportunityStage.WON,
        reason=_("Contract %(number)s signed") % {"number": contract.number},
    )


#
# Contracts
#


@transaction.atomic
def contract_create(*, actor: User, data: dict, lines: list[dict] | None = None) -> Contract:
    """Create a draft contract owned by the actor, numbered by the contract rule on its signing date."""
    _require(actor.has_perm("sales.add_contract"))
    data, lines = _prefill_from_opportunity(data, lines)
    _check_links(actor, data)
    values = {k: data[k] for k in CONTRACT_FIELDS if k in data}
    values["discount_pct"] = Decimal(values.get("discount_pct") or 0)
    values["amount"] = contract_amount(lines, values["discount_pct"], data.get("amount"))
    signed_on = values.get("signed_on") or timezone.localdate()
    values["signed_on"] = signed_on
    contract = Contract(
        **values, owner=data.get("owner") or actor, created_by=actor, number=next_number("contract", on=signed_on)
    )
    contract.owner_unit = _unit_of(contract.owner)
    _check_dates(contract)
    if contract.amount <= 0:
        raise ValidationError({"amount": AMOUNT_POSITIVE})
    model_save(contract, actor=actor)
    _write_lines(contract, lines)
    _opportunity_won(actor, contract.opportunity, contract)
    return contract


@transaction.atomic
def contract_update(*, actor: User, contract: Contract, data: dict, lines: list[dict] | None = None) -> Contract:
    """Change a contract that is still a draft, rejected or withdrawn; ``lines`` (when given) replace the lines."""
    _require(can(actor, "change", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "edit", NOT_EDITABLE, "not_editable")
    merged = {name: getattr(contract, name) for name in CONTRACT_FIELDS} | data
    _check_links(actor, merged)
    if lines is None:
        lines = [
            {
                "product": ln.product,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "discount_pct": ln.discount_pct,
            }
            for ln in contract.lines.select_related("product")
        ]
    else:
        _write_lines(contract, lines)
    merged["discount_pct"] = Decimal(merged.get("discount_pct") or 0)
    merged["amount"] = contract_amount(lines, merged["discount_pct"], merged.get("amount"))
    if merged["amount"] <= 0:
        raise ValidationError({"amount": AMOUNT_POSITIVE})
    start, end = merged.get("start_date"), merged.get("end_date")
    if start and end and end < start:
        raise ValidationError({"end_date": END_BEFORE_START})
    model_update(instance=contract, fields=CONTRACT_FIELDS, data=merged, actor=actor)
    return contract


def approval_required(contract: Contract, on: dt.date | None = None) -> tuple[bool, str]:
    """Whether the contract needs a manager's approval under the rules in force, and that version's label.

    Approval is needed when the whole-order discount or any line discount is above the discount threshold, or
    the amount is above the amount threshold. Without rules in force every contract is reviewed.
    """
    try:
        in_force = rules_in_force(on)
    except NoPolicyInForce:
        return True, ""
    limits = in_force.rules.approval_thresholds
    discounts = [contract.discount_pct, *contract.lines.values_list("discount_pct", flat=True)]
    needed = contract.amount > limits.contract_amount or max(discounts) > limits.discount_percent
    return needed, in_force.version_label


def contract_approvers(contract: Contract) -> list[Any]:
    """Who is asked to approve: the managers of the owner's department and the departments above it who may
    approve this contract (scope and permission), except the owner."""
    unit = contract.owner_unit
    ids = [int(part) for part in unit.path.strip("/").split("/") if part] if unit and unit.path else []
    managers = [
        d.manager for d in Department.objects.filter(pk__in=ids, manager__isnull=False).select_related("manager")
    ]
    return [
        m
        for m in managers
        if m is not None and m.is_active and m.pk != contract.owner_id and can(m, "approve", contract)
    ]


@transaction.atomic
def contract_submit(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """Submit for approval; below both thresholds the contract is approved at once (recorded with the version)."""
    _require(can(actor, "change", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "submit", NOT_SUBMITTABLE, "not_submittable")
    needed, version = approval_required(contract)
    _record(contract, actor, ApprovalAction.SUBMIT, comment)
    if not needed:
        note = _("Below the approval thresholds of rules version %(version)s") % {"version": version}
        _record(contract, actor, ApprovalAction.AUTO_APPROVE, note)
        return _approve(contract, actor=actor, approver=None, version=version, reason=note)
    contract.status = ContractStatus.PENDING
    _save_status(contract, actor, str(ApprovalAction.SUBMIT.label), ["status"])
    notify(
        recipients=contract_approvers(contract),
        url=_url(contract),
        title=_("Contract awaiting your approval: %(contract)s") % {"contract": contract},
        body=comment,
        topic=notification_topic("approval", contract),
    )
    return contract


def _approve(contract: Contract, *, actor: User, approver: Any, version: str, reason: str) -> Contract:
    """Mark approved, keep the rules version, and mark the customer won (成交)."""
    contract.status = ContractStatus.APPROVED
    contract.approved_at = timezone.now()
    contract.approved_by = approver
    contract.policy_version = version
    _save_status(contract, actor, reason, ["status", "approved_at", "approved_by", "policy_version"])
    customer_archive.customer_mark_won(
        actor=actor, customer=contract.customer, reason=str(CUSTOMER_WON_REASON) % {"number": contract.number}
    )
    return contract


def _pending_for_decision(actor: User, contract: Contract, move: str) -> Contract:
    _require(can(actor, "approve", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.owner_id == actor.pk:
        raise ValidationError(OWNER_CANNOT_APPROVE, code="own_contract")
    _in_table(contract, move, NOT_PENDING, "not_pending")
    return contract


_submitter = selectors.submitter_of


@transaction.atomic
def contract_approve(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """Approve a pending contract (an approver in scope, not the owner); the submitter is notified."""
    contract = _pending_for_decision(actor, contract, "approve")
    try:
        version = rules_in_force().version_label
    except NoPolicyInForce:
        version = ""
    _record(contract, actor, ApprovalAction.APPROVE, comment)
    notifications_close(topic=notification_topic("approval", contract))  # the other approvers' requests
    _approve(contract, actor=actor, approver=actor, version=version, reason=str(ApprovalAction.APPROVE.label))
    notify(
        recipients=[_submitter(contract), contract.owner],
        url=_url(contract),
        body=comment,
        title=_("Contract approved: %(contract)s") % {"contract": contract},
    )
    return contract


@transaction.atomic
def contract_reject(*, actor: User, contract: Contract, comment: str) -> Contract:
    """Reject a pending contract with a reason; it becomes editable again and the submitter is notified."""
    if not (comment or "").strip():
        raise ValidationError({"comment": REJECT_NEEDS_COMMENT})
    contract = _pending_for_decision(actor, contract, "reject")
    _record(contract, actor, ApprovalAction.REJECT, comment)
    notifications_close(topic=notification_topic("approval", contract))
    contract.status = ContractStatus.REJECTED
    _save_status(contract, actor, f"{ApprovalAction.REJECT.label}: {comment}"[:100], ["status"])
    notify(
        recipients=[_submitter(contract), contract.owner],
        url=_url(contract),
        body=comment,
        title=_("Contract rejected: %(contract)s") % {"contract": contract},
    )
    return contract


@transaction.atomic
def contract_withdraw(*, actor: User, contract: Contract, comment: str = "") -> Contract:
    """The submitter takes a pending contract back to edit it (撤回)."""
    _require(can(actor, "view", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "withdraw", NOT_PENDING, "not_pending")
    if _submitter(contract).pk != actor.pk:
        raise ValidationError(WITHDRAW_NOT_SUBMITTER, code="not_submitter")
    _record(contract, actor, ApprovalAction.WITHDRAW, comment)
    notifications_close(topic=notification_topic("approval", contract))
    contract.status = ContractStatus.WITHDRAWN
    _save_status(contract, actor, str(ApprovalAction.WITHDRAW.label), ["status"])
    return contract


@transaction.atomic
def contract_void(*, actor: User, contract: Contract, reason: str) -> Contract:
    """Void (作废) an approved contract without payments; needs ``sales.void_contract`` and a reason."""
    _require(can(actor, "void", contract))
    if not (reason or "").strip():
        raise ValidationError({"reason": VOID_NEEDS_REASON})
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "void", VOID_NOT_APPROVED, "not_approved")
    if contract.payments.exists():
        raise ValidationError(VOID_HAS_PAYMENTS, code="has_payments")
    _record(contract, actor, ApprovalAction.VOID, reason)
    contract.status = ContractStatus.VOIDED
    _save_status(contract, actor, f"{ApprovalAction.VOID.label}: {reason}"[:100], ["status"])
    notify(
        recipients=[contract.owner],
        url=_url(contract),
        body=reason,
        title=_("Contract voided: %(contract)s") % {"contract": contract},
    )
    return contract


#
# Payment plans and payments
#


def _check_instalments(contract: Contract, instalments: list[dict]) -> list[dict]:
    numbered = [
        dict(row, instalment=int(row.get("instalment") or index)) for index, row in enumerate(instalments, start=1)
    ]
    if len({row["instalment"] for row in numbered}) != len(numbered):
        raise ValidationError(PLAN_DUPLICATE, code="duplicate")
    total = sum((Decimal(row["amount"]) for row in numbered), Decimal("0"))
    if total > contract.amount:
        raise ValidationError(
            PLAN_EXCEEDS % {"total": format_cny(total), "amount": format_cny(contract.amount)}, code="plan_exceeds"
        )
    return numbered


@transaction.atomic
def payment_plan_set(*, actor: User, contract: Contract, instalments: list[dict]) -> list[PaymentPlan]:
    """Replace the instalments of an approved contract (matched by number); their sum may not exceed the amount,
    and an instalment that already has payments cannot be removed."""
    _require(actor.has_perm("sales.add_paymentplan") and can(actor, "view", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "plan", NOT_APPROVED_FOR_PLAN, "not_approved")
    rows = _check_instalments(contract, instalments)
    existing = {p.instalment: p for p in contract.payment_plans.all()}
    keep = {row["instalment"] for row in rows}
    for number, plan in existing.items():
        if number not in keep:
            if plan.payments.exists():
                raise ValidationError(PLAN_HAS_PAYMENTS % {"number": number}, code="has_payments")
            plan.delete()
    result = []
    for row in rows:
        plan = existing.get(row["instalment"]) or PaymentPlan(contract=contract, instalment=row["instalment"])
        plan.due_date, plan.amount = row["due_date"], Decimal(row["amount"]).quantize(CENT, ROUND_HALF_UP)
        plan.remind_days_before = int(row.get("remind_days_before", 3) or 0)
        plan.note = row.get("note", "") or ""
        plan.full_clean()
        plan.save()
        result.append(plan)
    return result


def _remaining(contract: Contract) -> Decimal:
    received = contract.payments.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return contract.amount - received


@transaction.atomic
def payment_record(*, actor: User, contract: Contract, data: dict) -> Payment:
    """Record a payment on an approved contract; refused (nothing written) when it would exceed the amount.

    The contract row is locked first, so concurrent payments are checked one after the other.
    """
    _require(actor.has_perm("sales.add_payment") and can(actor, "view", contract))
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    _in_table(contract, "pay", NOT_APPROVED_FOR_PAYMENT, "not_approved")
    if contract.terminated_on:
        raise ValidationError(TERMINATED_NO_PAYMENT, code="terminated")
    amount = Decimal(data.get("amount") or 0).quantize(CENT, ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationError({"amount": PAYMENT_POSITIVE})
    remaining = _remaining(contract)
    if amount > remaining:
        raise ValidationError({"amount": PAYMENT_EXCEEDS % {"remaining": format_cny(remaining)}}, code="exceeds")
    received_on = data.get("received_on") or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": PAYMENT_IN_FUTURE})
    plan = data.get("plan")
    if plan is not None and plan.contract_id != contract.pk:
        raise ValidationError({"plan": PLAN_OTHER_CONTRACT})
    payment = Payment(
        contract=contract,
        plan=plan,
        amount=amount,
        received_on=received_on,
        method=data.get("method") or Payment._meta.get_field("method").default,
        note=data.get("note", "") or "",
        recorded_by=actor,
        number=next_number("payment", on=received_on),
    )
    model_save(payment, actor=actor)
    if contract.owner_id != actor.pk:
        notify(
            recipients=[contract.owner],
            url=_url(contract),
            title=_("Payment %(amount)s received on %(contract)s")
            % {"amount": format_cny(amount), "contract": contract.number},
        )
    return payment


def contract_export(*, actor: User, contracts: QuerySet) -> tuple[bytes, int]:
    """Export ``contracts`` (the list as filtered, in its order) — only those within the actor's scope. Return the
    file and the row count; the export page (``core.views.ListExportMixin``) writes the ExportLog row with them."""
    _require(actor.has_perm("sales.view_contract"))
    visible = Contract.objects.visible_to(actor).values("pk")
    rows = selectors.export_rows(contracts.filter(pk__in=visible))
    data = excel.write_workbook(selectors.export_columns(), rows, title=_("Contracts"))
    return data, len(rows)
