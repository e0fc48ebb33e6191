from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TargetMetric(models.TextChoices):
    CONTRACT_AMOUNT = "contract_amount", _("Signed contract amount")
    PAYMENTS = "payments", _("Payments received")
    NEW_CUSTOMERS = "new_customers", _("New customers")


class TargetTier(models.TextChoices):
    BASE = "base", _("Base target")
    STRETCH = "stretch", _("Stretch target")
    CHALLENGE = "challenge", _("Challenge target")


class TargetStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", pgettext_lazy("target set", "Approved and locked")


class SalesPlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    EXECUTING = "executing", _("In execution")
    CLOSED = "closed", _("Closed")


class ActionItemStatus(models.TextChoices):
    TODO = "todo", _("Not started")
    DOING = "doing", _("In progress")
    DONE = "done", _("Done")


class OpportunityStage(models.TextChoices):
    INITIAL = "initial", _("Initial contact")
    NEEDS = "needs", _("Needs analysis")
    PROPOSAL = "proposal", _("Proposal and quotation")
    NEGOTIATION = "negotiation", _("Negotiation")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    INVALID = "invalid", _("Invalid")


OPEN_STAGES = (
    OpportunityStage.INITIAL,
    OpportunityStage.NEEDS,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
)
CLOSED_STAGES = (OpportunityStage.WON, OpportunityStage.LOST, OpportunityStage.INVALID)


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    VOIDED = "voided", _("Voided")


class ApprovalAction(models.TextChoices):
    SUBMIT = "submit", _("Submitted for approval")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")
    VOID = "void", _("Voided")
    AUTO_APPROVE = "auto_approve", _("Approved without review (below the thresholds)")
    REFUND_REQUEST = "refund_request", _("Refund requested")
    REFUND_APPROVE = "refund_approve", _("Refund approved")
    REFUND_REJECT = "refund_reject", _("Refund rejected")
    ADJUST_REQUEST = "adjust_request", _("Amendment or termination requested")
    ADJUST_APPROVE = "adjust_approve", _("Amendment or termination approved")
    ADJUST_REJECT = "adjust_reject", _("Amendment or termination rejected")


class RequestStatus(models.TextChoices):
    """The state of a refund or of an amendment / termination request."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class AdjustmentKind(models.TextChoices):
    AMENDMENT = "amendment", _("Supplementary agreement (amended amount)")
    TERMINATION = "termination", _("Termination")


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    ACCEPTANCE_BILL = "acceptance_bill", _("Bank acceptance bill")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    OTHER = "other", _("Other")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
