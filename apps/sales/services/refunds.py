"""Refunds (退款 / 红冲) and contract amendments and terminations (补充协议 / 终止), each requested with a reason and
decided by an approver, following the contract approval pattern.

Rules enforced here:
- a salesperson who may record payments on the contract requests a refund; one who may change the contract
  requests an amendment or termination; a manager in scope who holds ``sales.approve_contract`` approves or rejects,
  never the requester nor the contract's owner;
- an approved refund writes a negative payment dated the day of approval (Asia/Shanghai); an approved amendment
  sets the new amount, a termination also ends the contract; attainment counts each in the month of approval;
- the payments of a contract never total more than its amount nor less than zero: a refund is at most what was
  collected (less refunds still awaiting a decision), an amended amount at least what was collected. The contract
  row is locked, so two decisions cannot both pass on stale figures.
Every step leaves a ContractApproval row (the contract's approval record), history and notifications.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.money import format_cny
from apps.core.numbering import next_number
from apps.core.scoping import can
from apps.core.services import model_save, notify
from apps.org.models import User
from apps.sales.choices import AdjustmentKind, ApprovalAction, ContractStatus, RequestStatus
from apps.sales.models import Contract, ContractAdjustment, ContractApproval, Payment, RefundRequest
from apps.sales.services.contracts import contract_approvers

CENT = Decimal("0.01")
ZERO = Decimal("0")
REASON_NEEDED = gettext_lazy("Give a reason.")
NOT_APPROVED_CONTRACT = gettext_lazy("Only an approved contract can be refunded, amended or terminated.")
TERMINATED = gettext_lazy("This contract was terminated.")
REFUND_POSITIVE = gettext_lazy("The refund amount must be greater than zero.")
REFUND_EXCEEDS = gettext_lazy("A refund can be at most what was collected and not yet refunded: %(available)s.")
REFUND_OTHER_CONTRACT = gettext_lazy("The payment belongs to another contract.")
REFUND_OF_REFUND = gettext_lazy("A refund cannot be refunded.")
NOT_PENDING_REQUEST = gettext_lazy("This request has already been decided.")
OWN_REQUEST = gettext_lazy("You cannot approve or reject your own request or a request on your own contract.")
REJECT_REASON = gettext_lazy("Give a reason for the rejection.")
AMOUNT_BELOW_COLLECTED = gettext_lazy("The new amount cannot be below what was collected: %(collected)s.")
AMOUNT_UNCHANGED = gettext_lazy("The new amount is the same as the current amount.")
AMOUNT_NOT_NEGATIVE = gettext_lazy("The new amount cannot be negative.")
TERMINATION_ABOVE = gettext_lazy("A termination cannot raise the contract amount.")
ADJUSTMENT_PENDING = gettext_lazy("An amendment or termination of this contract is already awaiting approval.")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def collected(contract: Contract) -> Decimal:
    """What the contract has collected net of approved refunds."""
    return contract.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def pending_refunds(contract: Contract) -> Decimal:
    return contract.refund_requests.filter(status=RequestStatus.PENDING).aggregate(total=Sum("amount"))["total"] or ZERO


def _locked_contract(contract: Contract) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    if contract.status != ContractStatus.APPROVED:
        raise ValidationError(NOT_APPROVED_CONTRACT, code="not_approved")
    return contract


def _record(contract: Contract, actor: User, action: str, comment: str) -> None:
    ContractApproval.objects.create(contract=contract, actor=actor, action=action, comment=comment[:500])


def _reason(text: str, field: str = "reason") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: REASON_NEEDED})
    return text[:500]


def may_decide(actor: User, request: RefundRequest | ContractAdjustment) -> bool:
    """An approver in scope of the contract who is neither the requester nor the contract's owner."""
    return (
        request.status == RequestStatus.PENDING
        and actor.pk not in (request.requested_by_id, request.contract.owner_id)
        and can(actor, "approve", request.contract)
    )


def _check_decider(actor: User, request: RefundRequest | ContractAdjustment) -> None:
    _require(can(actor, "approve", request.contract))
    if request.status != RequestStatus.PENDING:
        raise ValidationError(NOT_PENDING_REQUEST, code="not_pending")
    if actor.pk in (request.requested_by_id, request.contract.owner_id):
        raise ValidationError(OWN_REQUEST, code="own_request")


def _url(contract: Contract) -> str:
    return reverse("sales:contract_detail", args=[contract.pk])


#
# Refunds
#


def _refundable(contract: Contract, payment: Payment | None, exclude: int | None = None) -> Decimal:
    """How much may still be refunded: collected less refunds awaiting a decision; for one payment, its amount
    less what was already refunded or requested against it."""
    pending = contract.refund_requests.filter(status=RequestStatus.PENDING).exclude(pk=exclude or 0)
    available = collected(contract) - (pending.aggregate(total=Sum("amount"))["total"] or ZERO)
    if payment is not None:
        taken = (
            payment.refund_requests.exclude(status=RequestStatus.REJECTED)
            .exclude(pk=exclude or 0)
            .aggregate(total=Sum("amount"))["total"]
            or ZERO
        )
        available = min(available, payment.amount - taken)
    return max(available, ZERO)


@transaction.atomic
def refund_request(
    *, actor: User, contract: Contract, amount: Decimal, reason: str, payment: Payment | None = None
) -> RefundRequest:
    """Ask for a refund (退款 / 红冲) on an approved contract; the contract's approvers are notified."""
    _require(actor.has_perm("sales.add_payment") and can(actor, "view", contract))
    reason = _reason(reason)
    contract = _locked_contract(contract)
    amount = Decimal(amount or 0).quantize(CENT, ROUND_HALF_UP)
    if amount <= 0:
        raise ValidationError({"amount": REFUND_POSITIVE})
    if payment is not None:
        if payment.contract_id != contract.pk:
            raise ValidationError({"payment": REFUND_OTHER_CONTRACT})
        if payment.amount < 0:
            raise ValidationError({"payment": REFUND_OF_REFUND})
    available = _refundable(contract, payment)
    if amount > available:
        raise ValidationError({"amount": REFUND_EXCEEDS % {"available": format_cny(available)}}, code="exceeds")
    refund = RefundRequest.objects.create(
        contract=contract, payment=payment, amount=amount, reason=reason, requested_by=actor
    )
    _record(contract, actor, ApprovalAction.REFUND_REQUEST, f"{format_cny(amount)} · {reason}")
    notify(
        recipients=[u for u in contract_approvers(contract) if u.pk != actor.pk],
        url=_url(contract),
        title=_("Refund awaiting your approval: %(amount)s on %(contract)s")
        % {"amount": format_cny(amount), "contract": contract.number},
        body=reason,
        kind="approval",
    )
    return refund


@transaction.atomic
def refund_approve(*, actor: User, refund: RefundRequest, comment: str = "") -> RefundRequest:
    """Approve a refund: write the negative payment dated today (Asia/Shanghai) and notify the requester."""
    contract = _locked_contract(refund.contract)
    refund = (
        RefundRequest.objects.select_for_update(of=("self",)).select_related("contract", "payment").get(pk=refund.pk)
    )
    _check_decider(actor, refund)
    available = _refundable(contract, refund.payment, exclude=refund.pk)
    if refund.amount > available:
        raise ValidationError(REFUND_EXCEEDS % {"available": format_cny(available)}, code="exceeds")
    today = timezone.localdate()
    original = refund.payment
    row = Payment(
        contract=contract,
        plan=original.plan if original else None,
        amount=-refund.amount,
        received_on=today,
        method=original.method if original else Payment._meta.get_field("method").default,
        note=(_("Refund: %(reason)s") % {"reason": refund.reason})[:200],
        recorded_by=actor,
        number=next_number("payment", on=today),
    )
    model_save(row, actor=actor)
    refund.status, refund.refund = RequestStatus.APPROVED, row
    refund.decided_by, refund.decided_at, refund.decision_comment = actor, timezone.now(), (comment or "")[:500]
    refund.save(update_fields=["status", "refund", "decided_by", "decided_at", "decision_comment"])
    _record(contract, actor, ApprovalAction.REFUND_APPROVE, f"{format_cny(refund.amount)} {comment}".strip())
    notify(
        recipients=[refund.requested_by, contract.owner],
        url=_url(contract),
        body=comment,
        title=_("Refund approved: %(amount)s on %(contract)s")
        % {"amount": format_cny(refund.amount), "contract": contract.number},
    )
    return refund


@transaction.atomic
def refund_reject(*, actor: User, refund: RefundRequest, comment: str) -> RefundRequest:
    comment = _reason(comment, "comment")
    refund = RefundRequest.objects.select_for_update().select_related("contract").get(pk=refund.pk)
    _check_decider(actor, refund)
    refund.status, refund.decided_by, refund.decided_at = RequestStatus.REJECTED, actor, timezone.now()
    refund.decision_comment = comment
    refund.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    _record(refund.contract, actor, ApprovalAction.REFUND_REJECT, f"{format_cny(refund.amount)} · {comment}")
    notify(
        recipients=[refund.requested_by],
        url=_url(refund.contract),
        body=comment,
        title=_("Refund rejected: %(amount)s on %(contract)s")
        % {"amount": format_cny(refund.amount), "contract": refund.contract.number},
    )
    return refund


#
# Amendments and terminations
#


def _check_new_amount(contract: Contract, kind: str, new_amount: Decimal) -> None:
    if new_amount < 0:
        raise ValidationError({"new_amount": AMOUNT_NOT_NEGATIVE})
    floor = collected(contract)
    if new_amount < floor:
        raise ValidationError(
            {"new_amount": AMOUNT_BELOW_COLLECTED % {"collected": format_cny(floor)}}, code="below_collected"
        )
    if kind == AdjustmentKind.TERMINATION and new_amount > contract.amount:
        raise ValidationError({"new_amount": TERMINATION_ABOVE})
    if kind == AdjustmentKind.AMENDMENT and new_amount == contract.amount:
        raise ValidationError({"new_amount": AMOUNT_UNCHANGED})


@transaction.atomic
def contract_adjust_request(
    *, actor: User, contract: Contract, kind: str, reason: str, new_amount: Decimal | None = None
) -> ContractAdjustment:
    """Ask to amend the amount (补充协议) or terminate (终止) an approved contract. A termination settles at
    ``new_amount``, by default what was collected."""
    _require(can(actor, "change", contract))
    reason = _reason(reason)
    contract = _locked_contract(contract)
    if contract.terminated_on:
        raise ValidationError(TERMINATED, code="terminated")
    if kind not in AdjustmentKind.values:
        raise ValidationError({"kind": _("Choose an amendment or a termination.")})
    if contract.adjustments.filter(status=RequestStatus.PENDING).exists():
        raise ValidationError(ADJUSTMENT_PENDING, code="pending")
    if new_amount is None and kind == AdjustmentKind.TERMINATION:
        new_amount = collected(contract)
    if new_amount is None:
        raise ValidationError({"new_amount": AMOUNT_UNCHANGED})
    new_amount = Decimal(new_amount).quantize(CENT, ROUND_HALF_UP)
    _check_new_amount(contract, kind, new_amount)
    adjustment = ContractAdjustment.objects.create(
        contract=contract,
        kind=kind,
        old_amount=contract.amount,
        new_amount=new_amount,
        reason=reason,
        requested_by=actor,
    )
    label = AdjustmentKind(kind).label
    _record(
        contract,
        actor,
        ApprovalAction.ADJUST_REQUEST,
        f"{label}: {format_cny(contract.amount)} → {format_cny(new_amount)} · {reason}",
    )
    notify(
        recipients=[u for u in contract_approvers(contract) if u.pk != actor.pk],
        url=_url(contract),
        title=_("%(kind)s awaiting your approval: %(contract)s") % {"kind": label, "contract": contract.number},
        body=reason,
        kind="approval",
    )
    return adjustment


@transaction.atomic
def contract_adjust_approve(*, actor: User, adjustment: ContractAdjustment, comment: str = "") -> ContractAdjustment:
    """Apply an amendment or termination today (Asia/Shanghai): the contract takes the new amount (a termination
    also its end), the amount at signing is kept for the signing month, and the change counts this month."""
    contract = _locked_contract(adjustment.contract)
    adjustment = ContractAdjustment.objects.select_for_update().select_related("contract").get(pk=adjustment.pk)
    _check_decider(actor, adjustment)
    if contract.terminated_on:
        raise ValidationError(TERMINATED, code="terminated")
    _check_new_amount(contract, adjustment.kind, adjustment.new_amount)
    today = timezone.localdate()
    label = AdjustmentKind(adjustment.kind).label
    adjustment.old_amount = contract.amount
    adjustment.effective_on, adjustment.status = today, RequestStatus.APPROVED
    adjustment.decided_by, adjustment.decided_at = actor, timezone.now()
    adjustment.decision_comment = (comment or "")[:500]
    adjustment.save(
        update_fields=["old_amount", "effective_on", "status", "decided_by", "decided_at", "decision_comment"]
    )
    if contract.signed_amount is None:
        contract.signed_amount = contract.amount
    contract.amount = adjustment.new_amount
    fields = ["signed_amount", "amount", "updated_at"]
    if adjustment.kind == AdjustmentKind.TERMINATION:
        contract.terminated_on = today
        fields.append("terminated_on")
    record_actor(contract, actor, f"{label}: {adjustment.reason}"[:100])
    contract.save(update_fields=fields)
    _record(
        contract,
        actor,
        ApprovalAction.ADJUST_APPROVE,
        f"{label}: {format_cny(adjustment.old_amount)} → {format_cny(adjustment.new_amount)} {comment}".strip(),
    )
    notify(
        recipients=[adjustment.requested_by, contract.owner],
        url=_url(contract),
        body=comment,
        title=_("%(kind)s approved: %(contract)s") % {"kind": label, "contract": contract.number},
    )
    return adjustment


@transaction.atomic
def contract_adjust_reject(*, actor: User, adjustment: ContractAdjustment, comment: str) -> ContractAdjustment:
    comment = _reason(comment, "comment")
    adjustment = ContractAdjustment.objects.select_for_update().select_related("contract").get(pk=adjustment.pk)
    _check_decider(actor, adjustment)
    adjustment.status, adjustment.decided_by, adjustment.decided_at = RequestStatus.REJECTED, actor, timezone.now()
    adjustment.decision_comment = comment
    adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_comment"])
    label = AdjustmentKind(adjustment.kind).label
    _record(adjustment.contract, actor, ApprovalAction.ADJUST_REJECT, f"{label} · {comment}")
    notify(
        recipients=[adjustment.requested_by],
        url=_url(adjustment.contract),
        body=comment,
        title=_("%(kind)s rejected: %(contract)s") % {"kind": label, "contract": adjustment.contract.number},
    )
    return adjustment
