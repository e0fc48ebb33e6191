"""After-sales tickets and complaints (policy art. 10 "售后服务", art. 6 "及时处理客户投诉").

A ticket keeps the policy version it was opened under (``rules_version``): its deadlines come from that version's
service deadlines, counted in working hours (``core.workdays``), and are pushed back by the working time spent
waiting on the customer.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.service.choices import (
    ComplaintCategory,
    EscalationLevel,
    TicketChannel,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketType,
)

User = settings.AUTH_USER_MODEL


#
# The ticket workflow, as data: per status, the actions a user may take, the status each leads to and who may.
# The services allow a step only when this table does (``selectors.tickets.ticket_allowed``), and the ticket page
# and the API show exactly the steps it allows.
#


class TicketRole:
    """Who a user is for one ticket (``selectors.tickets.ticket_roles``); a user may be several."""

    VIEWER = "viewer"  # sees it: own scope, or shared (opener, the customer's sales and service owners, managers)
    ASSIGNEE = "assignee"  # the person it is assigned to
    WORKER = "worker"  # the service department: may change tickets and the ticket is in their own scope, or it is
    #                    unassigned and they belong to its responsible department
    MANAGER = "manager"  # a worker who may assign tickets (the department's manager)
    CLOSER = "closer"  # may close tickets, and the ticket is in their own scope (managers, senior management)
    CUSTOMER = "customer"  # the customer, on the ticket's status page (no account)


@dataclass(frozen=True)
class TicketStep:
    target: str | None  # the status after the step; None: the status does not change
    who: frozenset[str]  # any one of these roles may take it


_S = TicketStatus
_R = TicketRole
_VIEWER, _WORKER, _MANAGER = frozenset({_R.VIEWER}), frozenset({_R.WORKER}), frozenset({_R.MANAGER})
_ASSIGNEE_OR_MANAGER = frozenset({_R.ASSIGNEE, _R.MANAGER})
# Working an open ticket, whatever its status: editing, replying to the customer, noting, raising an improvement.
_WORK_OPEN = {
    "edit": TicketStep(None, _WORKER),
    "reply": TicketStep(None, _WORKER),
    "comment": TicketStep(None, _VIEWER),
    "raise": TicketStep(None, _WORKER),
}
_DONE = {
    "reopen": TicketStep(_S.IN_PROGRESS, _WORKER),
    "comment": TicketStep(None, _VIEWER),
    "raise": TicketStep(None, _WORKER),
}
_WORKER_OR_CUSTOMER = frozenset({_R.WORKER, _R.CUSTOMER})

TICKET_WORKFLOW: dict[str, dict[str, TicketStep]] = {
    # New tickets have no assignee: a manager assigns it, or someone of the department takes it by starting.
    _S.NEW: {**_WORK_OPEN, "assign": TicketStep(_S.ASSIGNED, _MANAGER), "start": TicketStep(_S.IN_PROGRESS, _WORKER)},
    _S.ASSIGNED: {
        **_WORK_OPEN,
        "assign": TicketStep(None, _MANAGER),
        "start": TicketStep(_S.IN_PROGRESS, _ASSIGNEE_OR_MANAGER),
    },
    _S.IN_PROGRESS: {
        **_WORK_OPEN,
        "assign": TicketStep(None, _MANAGER),
        "await": TicketStep(_S.WAITING_CUSTOMER, _WORKER),
        "resolve": TicketStep(_S.RESOLVED, _WORKER),
    },
    _S.WAITING_CUSTOMER: {
        **_WORK_OPEN,
        "assign": TicketStep(None, _MANAGER),
        "resume": TicketStep(_S.IN_PROGRESS, _WORKER_OR_CUSTOMER),
        "resolve": TicketStep(_S.RESOLVED, _WORKER),
    },
    # The customer confirms (closes) or rejects (reopens) the resolution on the status page.
    _S.RESOLVED: {
        **_DONE,
        "close": TicketStep(_S.CLOSED, frozenset({_R.CLOSER, _R.CUSTOMER})),
        "reopen": TicketStep(_S.IN_PROGRESS, _WORKER_OR_CUSTOMER),
    },
    _S.CLOSED: dict(_DONE),
}
# Every action of the table, in the order the page shows them.
TICKET_ACTIONS = (
    "start",
    "reply",
    "assign",
    "await",
    "resume",
    "resolve",
    "close",
    "reopen",
    "comment",
    "edit",
    "raise",
)


class Ticket(TimeStampedModel):
    number = models.CharField(_("ticket number"), max_length=30, unique=True, editable=False)
    title = models.CharField(_("subject"), max_length=200)
    ticket_type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices)
    complaint_category = models.CharField(
        _("complaint category"), max_length=20, choices=ComplaintCategory.choices, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=TicketPriority.choices, default=TicketPriority.MEDIUM
    )
    channel = models.CharField(_("channel"), max_length=10, choices=TicketChannel.choices, default=TicketChannel.PHONE)
    origin = models.CharField(_("origin"), max_length=20, choices=TicketOrigin.choices, default=TicketOrigin.STAFF)
    customer = optional_fk("customers.Customer", _("customer"), on_delete=models.PROTECT, related_name="tickets")
    contact = optional_fk("customers.Contact", _("contact"), on_delete=models.SET_NULL, related_name="tickets")
    # What a customer without an account typed into the public form (matched to a customer by staff later).
    requester_name = models.CharField(_("requester"), max_length=50, blank=True)
    requester_mobile = models.CharField(_("requester mobile"), max_length=11, blank=True)
    requester_company = models.CharField(_("requester company"), max_length=200, blank=True)
    contract = optional_fk("sales.Contract", _("contract"), on_delete=models.SET_NULL, related_name="tickets")
    product = optional_fk("sales.Product", _("product"), on_delete=models.SET_NULL, related_name="tickets")
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.NEW)
    assignee = optional_fk(User, _("assignee"), on_delete=models.PROTECT, related_name="assigned_tickets")
    department = models.ForeignKey(
        "org.Department", verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = optional_fk(User, _("created by"), on_delete=models.SET_NULL, related_name="+")
    # The clock (时限), from the rules of ``rules_version``.
    rules_version = models.ForeignKey(
        "policy.PolicyVersion", verbose_name=_("policy version"), on_delete=models.PROTECT, related_name="+"
    )
    first_response_due = models.DateTimeField(_("first response due"))
    resolution_due = models.DateTimeField(_("resolution due"))
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    waiting_since = models.DateTimeField(_("awaiting the customer since"), null=True, blank=True)
    paused_hours = models.DecimalField(_("working hours paused"), max_digits=8, decimal_places=2, default=0)
    warned_at = models.DateTimeField(_("deadline warning sent at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation"), choices=EscalationLevel.choices, default=EscalationLevel.NONE
    )
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    resolution = models.TextField(_("resolution"), blank=True)
    # Complaints (投诉) additionally record these.
    root_cause = models.TextField(_("root cause"), blank=True)
    corrective_action = models.TextField(_("corrective action"), blank=True)
    compensation_amount = models.DecimalField(
        _("compensation (CNY)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    compensation_note = models.CharField(_("compensation"), max_length=200, blank=True)
    # A follow-up of a survey detractor (NPS ≤ 6 or CSAT ≤ 2): one ticket per answer.
    survey_response = models.OneToOneField(
        "surveys.SurveyResponse",
        verbose_name=_("survey answer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_up_ticket",
    )
    # The private status link of the person who opened it (no account needed).
    public_token = models.CharField(max_length=64, unique=True, editable=False)
    # The customer's sales owner and service owner, copied onto the ticket (issue 14) so the visibility rule reads
    # the ticket's own indexed columns instead of every customer: kept equal to the customer's by
    # ``services.tickets.ticket_customer_keys_sync``, which runs when a ticket is opened or moved to another
    # customer and, through the customers' and org's hooks, whenever a customer changes owner or service owner
    # (transfer, pool claim / assignment / return / recycling, service owner, handover of a leaving employee).
    customer_owner = optional_fk(User, on_delete=models.SET_NULL, editable=False, related_name="+")
    customer_service_owner = optional_fk(User, on_delete=models.SET_NULL, editable=False, related_name="+")
    history = HistoricalRecords(excluded_fields=["public_token", "customer_owner", "customer_service_owner"])

    # The assignee works it, the department is responsible; whoever opened it, the customer's service owner and
    # the customer's sales owner follow it whatever their scope (through the copies above; for a department scope
    # "a member of my department (tree)" is one small subquery of users per column, so no customer is read).
    scope_fields = ScopeFields(
        owner="assignee",
        unit="department",
        shared_with=("created_by", "customer_service_owner", "customer_owner"),
        shared_via_subquery=True,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("assign_ticket", _("Can assign tickets")),
            ("close_ticket", _("Can close tickets")),
        ]
        indexes = [
            models.Index(fields=["status", "resolution_due"]),
            models.Index(fields=["department", "status"]),
            models.Index(fields=["customer", "-created_at"]),
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),  # the list's sort
            # The assignee filter's choices: one probe per person for their newest visible ticket.
            models.Index(fields=["assignee", "-created_at"], name="ticket_assignee_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_complaint(self) -> bool:
        return self.ticket_type == TicketType.COMPLAINT


class TicketEvent(models.Model):
    """The ticket's log (处理记录); public ones (replies, status) show on the customer's status page.
    Read only through its ticket, which carries the scope."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=TicketEventKind.choices)
    at = models.DateTimeField(_("time"))
    actor = optional_fk(User, _("by"), on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("content"), blank=True)
    from_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=TicketStatus.choices, blank=True)
    is_public = models.BooleanField(_("shown to the customer"), default=False)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} · {self.get_kind_display()}"
