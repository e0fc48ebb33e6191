"""Tickets: the messages, the fields a ticket is created and edited with, and the helpers every step uses (the
role check against ``TICKET_WORKFLOW``, events, notifications, locking)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NoReturn

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.history import record_actor
from apps.core.scoping import users_assignable
from apps.core.services import notify
from apps.customers.models import Customer
from apps.org.choices import DepartmentKind
from apps.org.models import Department
from apps.service.choices import (
    TicketStatus,
    TicketType,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.models.tickets import TICKET_WORKFLOW, TicketRole
from apps.service.selectors.tickets import roles_for_action, ticket_roles
from apps.service.services import sla

# Messages (compared in tests through ``core.testing.shown``).
NO_DEPARTMENT = _("No customer-service department exists to take the ticket.")
CATEGORY_REQUIRED = _("Choose the complaint category.")
CUSTOMER_OUT_OF_SCOPE = _("Choose a customer within your data scope.")
CONTACT_OTHER_CUSTOMER = _("The contact belongs to another customer.")
CONTRACT_OTHER_CUSTOMER = _("The contract belongs to another customer.")
CONTRACT_NEEDS_CUSTOMER = _("Choose the customer before the contract.")
PRODUCT_INACTIVE = _("This product is no longer on sale.")
ASSIGNEE_INACTIVE = _("The assignee must be an active employee.")
NOT_OPEN = _("A resolved or closed ticket cannot be changed; reopen it first.")
ILLEGAL_TRANSITION = _("A ticket that is “%(status)s” cannot be %(action)s.")
RESOLUTION_REQUIRED = _("Describe how the ticket was resolved.")
ROOT_CAUSE_REQUIRED = _("A complaint needs its root cause before it is resolved.")
CORRECTIVE_ACTION_REQUIRED = _("A complaint needs its corrective action before it is resolved.")
BODY_REQUIRED = _("Write the message.")
ONLY_COMPLAINTS = _("Only a complaint can raise an improvement action.")
NOT_THE_ASSIGNEE = _("Only the assignee or a manager who may assign tickets can do this.")
COMPENSATION_NEGATIVE = _("The compensation cannot be negative.")
ASSIGNEE_NOT_ASSIGNABLE = _("You may assign tickets only to people of your own customer-service scope.")

ACTION_LABELS = {
    "assign": _("assigned"),
    "start": _("started"),
    "await": _("put on hold for the customer"),
    "resume": _("resumed"),
    "resolve": _("resolved"),
    "close": _("closed"),
    "reopen": _("reopened"),
    "reply": _("answered"),
    "message": _("given a customer message"),
}

NOTE_CREATED = _("Ticket %(number)s opened: %(title)s")
NOTE_ASSIGNED = _("Ticket %(number)s assigned to you: %(title)s")
NOTE_CUSTOMER_MESSAGE = _("The customer wrote on ticket %(number)s")
NOTE_CUSTOMER_CONFIRMED = _("The customer confirmed ticket %(number)s is resolved")
NOTE_REOPENED = _("Ticket %(number)s was reopened")
NOTE_RESOLVED = _("Ticket %(number)s was resolved")
NOTE_WARNING = _("Ticket %(number)s: %(deadline)s deadline approaching (%(due)s)")
NOTE_ESCALATED = _("Ticket %(number)s missed its %(deadline)s deadline and is escalated to you")
NOTE_SENIOR = _("Complaint %(number)s is still open after escalation and is escalated to senior management")
BODY_ESCALATED = _("Deadline %(due)s; responsible department %(department)s; assignee %(assignee)s.")

EVENT_WARNED = _("%(deadline)s deadline %(due)s: %(percent)s%% of the working time has passed.")
EVENT_ESCALATED_1 = _("%(deadline)s deadline %(due)s missed: escalated to the department manager %(manager)s.")
EVENT_ESCALATED_2 = _("Still open %(hours)s working hours after escalation: escalated to senior management.")
EVENT_RESUMED = _("The clock ran again after %(hours)s working hours awaiting the customer.")
EVENT_DETRACTOR = _("Opened from a survey answer (NPS %(nps)s, CSAT %(csat)s).")
DETRACTOR_TITLE = _("Follow up a dissatisfied survey answer: %(customer)s")

CREATE_FIELDS = (
    "title",
    "ticket_type",
    "complaint_category",
    "priority",
    "channel",
    "customer",
    "contact",
    "contract",
    "product",
    "description",
    "requester_name",
    "requester_mobile",
    "requester_company",
)
EDITABLE_FIELDS = (
    "title",
    "ticket_type",
    "complaint_category",
    "priority",
    "channel",
    "customer",
    "contact",
    "contract",
    "product",
    "description",
    "department",
    "requester_name",
    "requester_mobile",
    "requester_company",
    "root_cause",
    "corrective_action",
    "compensation_amount",
    "compensation_note",
)
CLOSED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
CUSTOMER = frozenset({TicketRole.CUSTOMER})


#
# Helpers
#


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def ticket_url(ticket: Ticket) -> str:
    try:
        return reverse("service:ticket_detail", args=[ticket.pk])
    except NoReverseMatch:  # pragma: no cover - the pages are mounted
        return ""


def _notify(
    recipients: Any, title: Any, params: dict, ticket: Ticket, body: str = "", exclude: Any = None, kind: str = ""
) -> None:
    people = [r for r in recipients if r is not None and r.is_active and (exclude is None or r.pk != exclude.pk)]
    if not people:
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = str(title) % params
    notify(recipients=people, title=text, body=body, url=ticket_url(ticket), kind=kind)


def _params(ticket: Ticket) -> dict[str, Any]:
    return {"number": ticket.number, "title": ticket.title}


def _event(
    ticket: Ticket,
    kind: str,
    actor: Any = None,
    body: str = "",
    *,
    from_status: str = "",
    to_status: str = "",
    public: bool = False,
    at: dt.datetime | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        at=at or timezone.now(),
        actor=actor,
        body=body,
        from_status=from_status,
        to_status=to_status,
        is_public=public,
    )


def _save(ticket: Ticket, actor: Any, fields: list[str], reason: str = "") -> None:
    record_actor(ticket, actor, reason)
    ticket.save(update_fields=[*dict.fromkeys(fields), "updated_at"])


def _lock(ticket: Ticket) -> Ticket:
    locked = Ticket.objects.select_for_update(of=("self",))  # the assignee may be empty: lock the ticket row only
    return locked.select_related("department", "assignee", "rules_version").get(pk=ticket.pk)


def _refuse(ticket: Ticket, action: str) -> NoReturn:
    raise ValidationError(
        str(ILLEGAL_TRANSITION) % {"status": ticket.get_status_display(), "action": ACTION_LABELS[action]}
    )


def _authorize(actor: Any, ticket: Ticket, action: str) -> frozenset[str]:
    """The actor's roles on the ticket, refused (403) when none of them may ever take ``action``
    (``TICKET_WORKFLOW``); the status is checked by ``_step`` once the ticket is locked."""
    roles = ticket_roles(actor, ticket)
    _require(bool(roles & roles_for_action(action)))
    return roles


def _step(ticket: Ticket, action: str, roles: frozenset[str]) -> None:
    """Allow ``action`` on the (locked) ticket only when ``TICKET_WORKFLOW`` has it for its status and one of the
    actor's roles: an illegal move is a validation error, a move for someone else a refusal."""
    step = TICKET_WORKFLOW.get(ticket.status, {}).get(action)
    if step is None:
        if action == "edit":
            raise ValidationError(NOT_OPEN)
        _refuse(ticket, action)
    if not roles & step.who:
        raise PermissionDenied(NOT_THE_ASSIGNEE)


def _check_assignable(actor: Any, assignee: Any) -> None:
    """The one "whom may I assign?" rule: people of the actor's own scope in the service app."""
    if actor is not None and not users_assignable(actor, Ticket._meta.app_label).filter(pk=assignee.pk).exists():
        raise ValidationError({"assignee": ASSIGNEE_NOT_ASSIGNABLE})


def _is_manager(actor: Any) -> bool:
    return actor.has_perm("service.assign_ticket")


def _unit_of(user: Any) -> Department | None:
    employee = getattr(user, "employee", None) if user is not None else None
    return employee.department if employee is not None else None


def _active_employee(user: Any) -> bool:
    employee = getattr(user, "employee", None)
    return bool(user is not None and user.is_active and employee is not None and employee.is_active)


def department_manager(department: Department | None) -> Any:
    """The manager of the department, or of the nearest department above it that has one."""
    while department is not None:
        if department.manager is not None and department.manager.is_active:
            return department.manager
        department = department.parent
    return None


def _default_department(actor: Any, assignee: Any) -> Department:
    unit = _unit_of(assignee)
    if unit is not None:
        return unit
    unit = _unit_of(actor)
    if unit is not None and unit.kind == DepartmentKind.CUSTOMER_SERVICE:
        return unit
    department = (
        Department.objects.filter(kind=DepartmentKind.CUSTOMER_SERVICE, is_active=True).order_by("path", "pk").first()
    )
    if department is None:
        raise ValidationError(NO_DEPARTMENT)
    return department


def _validate_links(actor: Any, data: dict[str, Any]) -> None:
    """Customer within the actor's scope; contact and contract of that customer; product on sale."""
    customer = data.get("customer")
    if (
        customer is not None
        and actor is not None
        and not actor.is_superuser
        and not Customer.objects.visible_to(actor).filter(pk=customer.pk).exists()
    ):
        raise ValidationError({"customer": CUSTOMER_OUT_OF_SCOPE})
    contact = data.get("contact")
    if contact is not None and (customer is None or contact.customer_id != customer.pk):
        raise ValidationError({"contact": CONTACT_OTHER_CUSTOMER})
    contract = data.get("contract")
    if contract is not None:
        if customer is None:
            raise ValidationError({"contract": CONTRACT_NEEDS_CUSTOMER})
        if contract.customer_id != customer.pk:
            raise ValidationError({"contract": CONTRACT_OTHER_CUSTOMER})
    product = data.get("product")
    if product is not None and not product.is_active:
        raise ValidationError({"product": PRODUCT_INACTIVE})


def _validate_complaint(data: dict[str, Any]) -> None:
    if data.get("ticket_type") == TicketType.COMPLAINT:
        if not data.get("complaint_category"):
            raise ValidationError({"complaint_category": CATEGORY_REQUIRED})
    elif "ticket_type" in data:
        data["complaint_category"] = ""
    amount = data.get("compensation_amount")
    if amount is not None and Decimal(amount) < 0:
        raise ValidationError({"compensation_amount": COMPENSATION_NEGATIVE})


def _first_response(ticket: Ticket, now: dt.datetime) -> list[str]:
    """Record the first response (the first reply or the start of work); the next warning is the resolution's."""
    if ticket.first_responded_at is not None:
        return []
    ticket.first_responded_at = now
    ticket.warned_at = None
    return ["first_responded_at", "warned_at"]


def _resume_clock(ticket: Ticket, now: dt.datetime) -> tuple[list[str], Decimal]:
    """Stop waiting: add the paused working hours and push the deadlines not met yet."""
    paused = sla.paused_working_hours(ticket, now)
    fields = sla.push_deadlines(ticket, paused)
    ticket.paused_hours = Decimal(ticket.paused_hours or 0) + paused
    ticket.waiting_since = None
    return [*fields, "paused_hours", "waiting_since"], paused


def _responsible(ticket: Ticket) -> list[Any]:
    """Who is told about the customer's moves: the assignee, or the department manager when unassigned."""
    return [ticket.assignee] if ticket.assignee_id else [department_manager(ticket.department)]


#
# The customer's sharing keys on the ticket
#


def _customer_keys(ticket: Ticket) -> list[str]:
    """Copy the customer's owner and service owner onto the ticket (read under the customer's row lock, so a
    transfer committing meanwhile either is seen here or sees this ticket when it syncs)."""
    if ticket.customer_id is None:
        ticket.customer_owner_id = ticket.customer_service_owner_id = None
    else:
        keys = Customer.objects.select_for_update().filter(pk=ticket.customer_id)
        ticket.customer_owner_id, ticket.customer_service_owner_id = keys.values_list("owner_id", "service_owner_id")[0]
    return ["customer_owner", "customer_service_owner"]


def ticket_customer_keys_sync(
    *, customer_ids: Iterable[int] | None = None, customer_owner_ids: Iterable[int] | None = None
) -> int:
    """Set every ticket's ``customer_owner`` / ``customer_service_owner`` to its customer's owner and service owner
    (the keys the visibility rule reads), in one UPDATE: the tickets of ``customer_ids``, or those whose copied
    owner is one of ``customer_owner_ids`` (a leaving employee's), or all of them. Returns how many were updated.
    Called by the services that change those people (through the customers' and org's hooks) and after bulk
    loads; ``updated_at`` and the history are left alone (nothing a user changed)."""
    tickets = Ticket.objects.all()
    if customer_ids is not None:
        tickets = tickets.filter(customer_id__in=list(customer_ids))
    if customer_owner_ids is not None:
        tickets = tickets.filter(customer_owner_id__in=list(customer_owner_ids))
    customer = Customer.objects.filter(pk=OuterRef("customer_id"))
    return tickets.update(
        customer_owner_id=Subquery(customer.values("owner_id")[:1]),
        customer_service_owner_id=Subquery(customer.values("service_owner_id")[:1]),
    )
