"""Writes to after-sales tickets and complaints (policy art. 10 "售后服务", art. 6 "及时处理客户投诉").

Status machine: new → assigned → in_progress ⇄ waiting_customer → resolved → closed; a resolved or closed ticket can
be reopened (back to in_progress). Every action checks the permission and the actor's scope, records history and a
``TicketEvent``, and tells the people concerned. The clock is ``services.sla``; warnings and escalations are
``ticket_check_deadlines`` (periodic task ``service.check_ticket_deadlines``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, NoReturn, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.history import record_actor
from apps.core.numbering import next_number
from apps.core.scoping import users_assignable
from apps.core.services import notify
from apps.core.workdays import (
    TZ,
    add_working_hours,
    calendar_preloaded,
    workday_calendar,
    working_hours_between,
)
from apps.customers.models import Customer
from apps.improvements.choices import ImprovementSource
from apps.improvements.services import improvement_raise
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Department, User
from apps.org.selectors import users_with_role
from apps.policy.models import PolicyVersion
from apps.policy.rules import parse_rules
from apps.policy.selectors import rules_in_force
from apps.service.choices import (
    OPEN_STATUSES,
    ComplaintCategory,
    EscalationLevel,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.models.tickets import TICKET_WORKFLOW, TicketRole
from apps.service.selectors.tickets import roles_for_action, ticket_roles
from apps.service.services import sla
from apps.surveys.services.invitations import invitation_after_ticket

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


#
# Create and edit
#


@transaction.atomic
def ticket_create(*, actor: User | None, data: dict[str, Any], origin: str = TicketOrigin.STAFF) -> Ticket:
    """Open a ticket. ``actor`` is None for the public form and for survey detractors."""
    if actor is not None:
        _require(actor.has_perm("service.add_ticket"))
    data = dict(data)
    data.setdefault("ticket_type", TicketType.CONSULTATION)
    data.setdefault("priority", TicketPriority.MEDIUM)
    _validate_complaint(data)
    _validate_links(actor, data)
    assignee = data.get("assignee")
    if assignee is not None:
        if not _active_employee(assignee):
            raise ValidationError({"assignee": ASSIGNEE_INACTIVE})
        if actor is not None and assignee.pk != actor.pk:
            _require(_is_manager(actor))
        _check_assignable(actor, assignee)
    department = data.get("department") or _default_department(actor, assignee)
    now = timezone.now()
    in_force = rules_in_force()
    first_due, resolution_due = sla.compute_deadlines(in_force.rules, data["ticket_type"], data["priority"], now)
    ticket = Ticket(
        **{name: data[name] for name in CREATE_FIELDS if name in data and data[name] is not None},
        origin=origin,
        assignee=assignee,
        department=department,
        created_by=actor,
        status=TicketStatus.ASSIGNED if assignee else TicketStatus.NEW,
        rules_version_id=in_force.version_id,
        first_response_due=first_due,
        resolution_due=resolution_due,
        public_token=secrets.token_urlsafe(32),
        number=next_number("ticket"),
    )
    if data.get("survey_response") is not None:
        ticket.survey_response = data["survey_response"]
    _customer_keys(ticket)
    ticket.full_clean()
    record_actor(ticket, actor)
    ticket.save()
    _event(ticket, TicketEventKind.CREATED, actor, to_status=ticket.status, public=True, at=now)
    if assignee is not None:
        _event(ticket, TicketEventKind.ASSIGNED, actor, str(assignee), to_status=ticket.status, at=now)
        _notify([assignee], NOTE_ASSIGNED, _params(ticket), ticket, exclude=actor)
    else:
        _notify(
            [department_manager(department)],
            NOTE_CREATED,
            _params(ticket),
            ticket,
            body=ticket.description[:500],
            exclude=actor,
        )
    return ticket


@transaction.atomic
def ticket_update(*, actor: User, ticket: Ticket, data: dict[str, Any]) -> Ticket:
    """Change the fields of an open ticket; a new type or priority recomputes the deadlines from the ticket's own
    rules version, counted from its creation and keeping the hours already paused."""
    roles = _authorize(actor, ticket, "edit")
    ticket = _lock(ticket)
    _step(ticket, "edit", roles)
    data = {k: v for k, v in data.items() if k in EDITABLE_FIELDS}
    merged = {name: data.get(name, getattr(ticket, name)) for name in EDITABLE_FIELDS}
    merged["complaint_category"] = merged["complaint_category"] or ""
    _validate_complaint(merged)
    links = {k: merged[k] for k in ("customer", "contact", "contract")}
    if data.get("product") is not None:
        links["product"] = data["product"]
    if any(k in data for k in ("customer", "contact", "contract")):
        _validate_links(actor, links)
    changed = []
    for name in EDITABLE_FIELDS:
        if (name in data or name == "complaint_category") and getattr(ticket, name) != merged[name]:
            setattr(ticket, name, merged[name])
            changed.append(name)
    if not changed:
        return ticket
    if "customer" in changed:
        changed += _customer_keys(ticket)
    if "ticket_type" in changed or "priority" in changed:
        rules = sla.ticket_rules(ticket)
        ticket.first_response_due, ticket.resolution_due = sla.compute_deadlines(
            rules, ticket.ticket_type, ticket.priority, ticket.created_at, ticket.paused_hours
        )
        ticket.warned_at = None
        changed += ["first_response_due", "resolution_due", "warned_at"]
    ticket.full_clean()
    _save(ticket, actor, changed)
    return ticket


#
# Lifecycle
#


@transaction.atomic
def ticket_assign(*, actor: User, ticket: Ticket, assignee: Any, note: str = "") -> Ticket:
    """(Re)assign an open ticket to an active employee and tell them."""
    roles = _authorize(actor, ticket, "assign")
    ticket = _lock(ticket)
    _step(ticket, "assign", roles)
    if not _active_employee(assignee):
        raise ValidationError({"assignee": ASSIGNEE_INACTIVE})
    _check_assignable(actor, assignee)
    before = ticket.status
    ticket.assignee = assignee
    fields = ["assignee"]
    if ticket.status == TicketStatus.NEW:
        ticket.status = TicketStatus.ASSIGNED
        fields.append("status")
    _save(ticket, actor, fields)
    _event(
        ticket,
        TicketEventKind.ASSIGNED,
        actor,
        note or str(assignee),
        from_status=before,
        to_status=ticket.status,
        public=before != ticket.status,
    )
    _notify([assignee], NOTE_ASSIGNED, _params(ticket), ticket, body=note, exclude=actor)
    return ticket


@transaction.atomic
def ticket_start(*, actor: User, ticket: Ticket) -> Ticket:
    """The assignee starts work (counts as the first response). An unassigned ticket is taken by the actor."""
    _authorize(actor, ticket, "start")
    ticket = _lock(ticket)
    _step(ticket, "start", ticket_roles(actor, ticket))  # as assigned now
    before = ticket.status
    fields = ["status"]
    if not ticket.assignee_id:
        ticket.assignee = actor
        fields.append("assignee")
    ticket.status = TicketStatus.IN_PROGRESS
    fields += _first_response(ticket, timezone.now())
    _save(ticket, actor, fields)
    _event(ticket, TicketEventKind.STATUS, actor, from_status=before, to_status=ticket.status, public=True)
    return ticket


@transaction.atomic
def ticket_reply(*, actor: User, ticket: Ticket, body: str) -> TicketEvent:
    """A reply to the customer (shown on the status page); the first one is the first response."""
    roles = _authorize(actor, ticket, "reply")
    if not body.strip():
        raise ValidationError({"body": BODY_REQUIRED})
    ticket = _lock(ticket)
    _step(ticket, "reply", roles)
    fields = _first_response(ticket, timezone.now())
    if fields:
        _save(ticket, actor, fields)
    return _event(ticket, TicketEventKind.REPLY, actor, body.strip(), public=True)


@transaction.atomic
def ticket_comment(*, actor: User, ticket: Ticket, body: str) -> TicketEvent:
    """An internal note (never shown to the customer); whoever sees the ticket may add one."""
    _step(ticket, "comment", _authorize(actor, ticket, "comment"))
    if not body.strip():
        raise ValidationError({"body": BODY_REQUIRED})
    return _event(ticket, TicketEventKind.COMMENT, actor, body.strip())


@transaction.atomic
def ticket_await_customer(*, actor: User, ticket: Ticket, body: str = "") -> Ticket:
    """Put the ticket on hold for the customer: the clock stops. ``body`` is an optional message to them."""
    roles = _authorize(actor, ticket, "await")
    ticket = _lock(ticket)
    _step(ticket, "await", roles)
    now = timezone.now()
    ticket.status = TicketStatus.WAITING_CUSTOMER
    ticket.waiting_since = now
    _save(ticket, actor, ["status", "waiting_since"])
    _event(
        ticket,
        TicketEventKind.STATUS,
        actor,
        body.strip(),
        from_status=TicketStatus.IN_PROGRESS,
        to_status=ticket.status,
        public=True,
        at=now,
    )
    return ticket


def _resume(ticket: Ticket, actor: Any, body: str = "") -> Ticket:
    now = timezone.now()
    fields, paused = _resume_clock(ticket, now)
    ticket.status = TicketStatus.IN_PROGRESS
    _save(ticket, actor, [*fields, "status"])
    _event(
        ticket,
        TicketEventKind.STATUS,
        actor,
        body.strip(),
        from_status=TicketStatus.WAITING_CUSTOMER,
        to_status=ticket.status,
        public=True,
        at=now,
    )
    # The clock is internal: the customer's status page shows the status change, staff also see the hours paused.
    _event(ticket, TicketEventKind.COMMENT, actor, str(EVENT_RESUMED) % {"hours": f"{paused:g}"}, at=now)
    return ticket


@transaction.atomic
def ticket_resume(*, actor: User, ticket: Ticket, body: str = "") -> Ticket:
    """Back from waiting on the customer: the deadlines not yet met move back by the paused working hours."""
    roles = _authorize(actor, ticket, "resume")
    ticket = _lock(ticket)
    _step(ticket, "resume", roles)
    return _resume(ticket, actor, body)


@transaction.atomic
def ticket_resolve(
    *,
    actor: User,
    ticket: Ticket,
    resolution: str,
    root_cause: str = "",
    corrective_action: str = "",
    compensation_amount: Decimal | None = None,
    compensation_note: str = "",
) -> Ticket:
    """Resolve with the resolution (a complaint also with root cause and corrective action; compensation optional)
    and send the post-ticket survey."""
    roles = _authorize(actor, ticket, "resolve")
    ticket = _lock(ticket)
    _step(ticket, "resolve", roles)
    errors: dict[str, Any] = {}
    if not resolution.strip():
        errors["resolution"] = RESOLUTION_REQUIRED
    if ticket.is_complaint:
        root_cause = root_cause.strip() or ticket.root_cause
        corrective_action = corrective_action.strip() or ticket.corrective_action
        if not root_cause:
            errors["root_cause"] = ROOT_CAUSE_REQUIRED
        if not corrective_action:
            errors["corrective_action"] = CORRECTIVE_ACTION_REQUIRED
    if compensation_amount is not None and Decimal(compensation_amount) < 0:
        errors["compensation_amount"] = COMPENSATION_NEGATIVE
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    before = ticket.status
    fields = ["status", "resolved_at", "resolution"]
    if before == TicketStatus.WAITING_CUSTOMER:
        fields += _resume_clock(ticket, now)[0]
    fields += _first_response(ticket, now)
    ticket.status = TicketStatus.RESOLVED
    ticket.resolved_at = now
    ticket.resolution = resolution.strip()
    if ticket.is_complaint:
        ticket.root_cause, ticket.corrective_action = root_cause, corrective_action
        fields += ["root_cause", "corrective_action"]
    if compensation_amount is not None:
        ticket.compensation_amount = compensation_amount
        fields.append("compensation_amount")
    if compensation_note:
        ticket.compensation_note = compensation_note.strip()
        fields.append("compensation_note")
    ticket.full_clean()
    _save(ticket, actor, fields)
    _event(
        ticket,
        TicketEventKind.STATUS,
        actor,
        ticket.resolution,
        from_status=before,
        to_status=ticket.status,
        public=True,
        at=now,
    )
    others = [
        u
        for u in (ticket.created_by, department_manager(ticket.department) if ticket.is_complaint else None)
        if u is not None
    ]
    _notify(others, NOTE_RESOLVED, _params(ticket), ticket, exclude=actor)
    invitation_after_ticket(ticket=ticket)
    return ticket


def _close(ticket: Ticket, actor: Any, body: str = "") -> Ticket:
    now = timezone.now()
    ticket.status = TicketStatus.CLOSED
    ticket.closed_at = now
    _save(ticket, actor, ["status", "closed_at"])
    _event(
        ticket,
        TicketEventKind.STATUS,
        actor,
        body,
        from_status=TicketStatus.RESOLVED,
        to_status=ticket.status,
        public=True,
        at=now,
    )
    return ticket


@transaction.atomic
def ticket_close(*, actor: User, ticket: Ticket, body: str = "") -> Ticket:
    """Close a resolved ticket (managers; the customer closes it by confirming on the status page)."""
    roles = _authorize(actor, ticket, "close")
    ticket = _lock(ticket)
    _step(ticket, "close", roles)
    return _close(ticket, actor, body.strip())


def _reopen(ticket: Ticket, actor: Any, body: str, kind: str) -> Ticket:
    """Back to in progress with a fresh resolution deadline (the ticket's own rules, counted from now); the
    warning and the escalation start over."""
    now = timezone.now()
    before = ticket.status
    _, resolution_hours = sla.deadline_hours(sla.ticket_rules(ticket), ticket.ticket_type, ticket.priority)
    ticket.status = TicketStatus.IN_PROGRESS
    ticket.resolution_due = add_working_hours(now, resolution_hours)
    ticket.resolved_at = ticket.closed_at = ticket.warned_at = ticket.escalated_at = None
    ticket.escalation_level = EscalationLevel.NONE
    ticket.reopen_count += 1
    _save(
        ticket,
        actor,
        [
            "status",
            "resolution_due",
            "resolved_at",
            "closed_at",
            "warned_at",
            "escalated_at",
            "escalation_level",
            "reopen_count",
        ],
    )
    _event(ticket, kind, actor, body, from_status=before, to_status=ticket.status, public=True, at=now)
    return ticket


@transaction.atomic
def ticket_reopen(*, actor: User, ticket: Ticket, body: str = "") -> Ticket:
    roles = _authorize(actor, ticket, "reopen")
    ticket = _lock(ticket)
    _step(ticket, "reopen", roles)
    _reopen(ticket, actor, body.strip(), TicketEventKind.REOPENED)
    _notify(
        [ticket.assignee or department_manager(ticket.department)],
        NOTE_REOPENED,
        _params(ticket),
        ticket,
        body=body,
        exclude=actor,
    )
    return ticket


@transaction.atomic
def ticket_raise_improvement(
    *, actor: User, ticket: Ticket, title: str, owner: Any, due_date: dt.date, description: str = ""
) -> Any:
    """A complaint raises an improvement action (整改) linked to it."""
    roles = _authorize(actor, ticket, "raise")
    if not ticket.is_complaint:
        raise ValidationError(ONLY_COMPLAINTS)
    _step(ticket, "raise", roles)
    action = improvement_raise(
        actor=actor,
        title=title,
        owner=owner,
        due_date=due_date,
        source_kind=ImprovementSource.COMPLAINT,
        source=ticket,
        description=description or ticket.root_cause,
    )
    _event(ticket, TicketEventKind.COMMENT, actor, str(action))
    return action


#
# The customer (status page; no account)
#


@transaction.atomic
def ticket_customer_message(*, ticket: Ticket, body: str) -> TicketEvent:
    """The customer writes on their ticket; if it was awaiting them the clock runs again."""
    if not body.strip():
        raise ValidationError({"body": BODY_REQUIRED})
    ticket = _lock(ticket)
    if ticket.status in CLOSED_STATUSES:
        _refuse(ticket, "message")
    event = _event(ticket, TicketEventKind.CUSTOMER, None, body.strip(), public=True)
    if ticket.status == TicketStatus.WAITING_CUSTOMER:
        _resume(ticket, None)
    with translation.override(settings.LANGUAGE_CODE):
        _notify(_responsible(ticket), NOTE_CUSTOMER_MESSAGE, _params(ticket), ticket, body=body.strip()[:500])
    return event


@transaction.atomic
def ticket_customer_confirm(*, ticket: Ticket) -> Ticket:
    """The customer confirms the resolution: resolved → closed."""
    ticket = _lock(ticket)
    _step(ticket, "close", CUSTOMER)
    _close(ticket, None)
    _notify(_responsible(ticket), NOTE_CUSTOMER_CONFIRMED, _params(ticket), ticket)
    return ticket


@transaction.atomic
def ticket_customer_reopen(*, ticket: Ticket, body: str) -> Ticket:
    """The customer is not satisfied with the resolution: resolved → in progress."""
    if not body.strip():
        raise ValidationError({"body": BODY_REQUIRED})
    ticket = _lock(ticket)
    _step(ticket, "reopen", CUSTOMER)
    _reopen(ticket, None, body.strip(), TicketEventKind.REOPENED)
    _notify(_responsible(ticket), NOTE_REOPENED, _params(ticket), ticket, body=body.strip()[:500])
    return ticket


@transaction.atomic
def ticket_open_for_detractor(*, response: Any) -> Ticket:
    """A detractor's survey answer opens a follow-up complaint for the invitation's owner (once per answer)."""
    existing = Ticket.objects.filter(survey_response=response).first()
    if existing is not None:
        return existing
    invitation = response.invitation
    owner = invitation.owner if _active_employee(invitation.owner) else None
    department = invitation.department or _unit_of(owner)
    with translation.override(settings.LANGUAGE_CODE):
        title = str(DETRACTOR_TITLE) % {"customer": invitation.customer}
        description = str(EVENT_DETRACTOR) % {
            "nps": "—" if response.nps_score is None else response.nps_score,
            "csat": "—" if response.csat is None else response.csat,
        }
    data = {
        "title": title[:200],
        "ticket_type": TicketType.COMPLAINT,
        "priority": TicketPriority.HIGH,
        "complaint_category": ComplaintCategory.OTHER,
        "customer": invitation.customer,
        "contact": invitation.contact
        if invitation.contact and invitation.contact.customer_id == invitation.customer_id
        else None,
        "description": description,
        "assignee": owner,
        "department": department,
        "survey_response": response,
    }
    return ticket_create(actor=None, data=data, origin=TicketOrigin.SURVEY)


#
# Warnings and escalation (periodic)
#


def ticket_check_deadlines(now: dt.datetime | None = None) -> dict[str, int]:
    """Warn once when ``warning_percent`` of the running deadline has passed; escalate a breached deadline to the
    department manager (level 1) and a complaint still open ``senior_after_hours`` working hours later to senior
    management (level 2). Tickets awaiting the customer are skipped. Running twice notifies once.

    The running tickets are read once and judged on one calendar read; only those needing action are locked and
    judged again inside their own transaction (so a concurrent run or a change in between notifies nobody twice).
    """
    now = now or timezone.now()
    counts = {"checked": 0, "warned": 0, "escalated": 0, "escalated_senior": 0}
    running = list(
        Ticket.objects.filter(status__in=sla.RUNNING_STATUSES).only(
            "pk",
            "status",
            "ticket_type",
            "created_at",
            "first_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "waiting_since",
            "paused_hours",
            "warned_at",
            "escalation_level",
            "escalated_at",
            "rules_version_id",
        )
    )
    counts["checked"] = len(running)
    if not running:
        return counts
    rules = {
        pk: parse_rules(data).service_escalation
        for pk, data in PolicyVersion.objects.filter(pk__in={t.rules_version_id for t in running}).values_list(
            "pk", "rules"
        )
    }
    earliest = min(min(t.created_at, t.escalated_at or now) for t in running)
    latest = max(max(t.first_response_due, t.resolution_due, now) for t in running)
    calendar = workday_calendar(earliest.astimezone(TZ).date(), latest.astimezone(TZ).date())
    senior: list[Any] | None = None
    for candidate in running:
        if _deadline_step(candidate, rules[candidate.rules_version_id], now, calendar) is None:
            continue
        with transaction.atomic():
            ticket = _lock(candidate)
            escalation = rules[ticket.rules_version_id]
            step = _deadline_step(ticket, escalation, now, calendar)
            if step == "escalate":
                _escalate_to_manager(ticket, cast(str, sla.breached_deadline(ticket, now)), now)  # breached
                counts["escalated"] += 1
            elif step == "senior":
                if senior is None:
                    senior = list(users_with_role(BuiltinRole.SENIOR_MANAGEMENT))
                _escalate_to_senior(ticket, senior, escalation.senior_after_hours, now)
                counts["escalated_senior"] += 1
            elif step == "warn":
                _warn(
                    ticket,
                    sla.countdown(ticket, now=now, warning_percent=escalation.warning_percent, calendar=calendar),
                    now,
                )
                counts["warned"] += 1
    return counts


def _deadline_step(ticket: Ticket, escalation: Any, now: dt.datetime, calendar: dict) -> str | None:
    """What the deadline check must do with this ticket now: "escalate", "senior", "warn" or nothing."""
    if ticket.status not in sla.RUNNING_STATUSES:
        return None
    breached = sla.breached_deadline(ticket, now)
    if breached and ticket.escalation_level == EscalationLevel.NONE:
        return "escalate"
    if (
        ticket.is_complaint
        and ticket.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
        and ticket.escalated_at is not None
        and working_hours_between(ticket.escalated_at, now, calendar=calendar) >= escalation.senior_after_hours
    ):
        return "senior"
    if not breached and ticket.warned_at is None:
        clock = sla.countdown(ticket, now=now, warning_percent=escalation.warning_percent, calendar=calendar)
        if clock.state == sla.STATE_WARNING:
            return "warn"
    return None


def _due_text(due: dt.datetime) -> str:
    return timezone.localtime(due).strftime("%Y-%m-%d %H:%M")


def _deadline_label(which: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(sla.DEADLINE_LABELS[which])


def _warn(ticket: Ticket, countdown: sla.Countdown, now: dt.datetime) -> None:
    ticket.warned_at = now
    ticket.save(update_fields=["warned_at", "updated_at"])
    due = cast(dt.datetime, countdown.due)  # a warning is only for a deadline that is set
    params = {
        **_params(ticket),
        "deadline": _deadline_label(countdown.which),
        "due": _due_text(due),
        "percent": countdown.elapsed_percent,
    }
    with translation.override(settings.LANGUAGE_CODE):
        body = str(EVENT_WARNED) % params
    _event(ticket, TicketEventKind.WARNED, None, body, at=now)
    _notify(_responsible(ticket), NOTE_WARNING, params, ticket, body=body, kind="escalation")


def _escalate_to_manager(ticket: Ticket, which: str, now: dt.datetime) -> None:
    manager = department_manager(ticket.department)
    due = ticket.first_response_due if which == sla.FIRST_RESPONSE else ticket.resolution_due
    ticket.escalation_level = EscalationLevel.DEPARTMENT_MANAGER
    ticket.escalated_at = now
    ticket.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
    params = {
        **_params(ticket),
        "deadline": _deadline_label(which),
        "due": _due_text(due),
        "manager": manager or "—",
        "department": ticket.department,
        "assignee": ticket.assignee or "—",
    }
    with translation.override(settings.LANGUAGE_CODE):
        event_body = str(EVENT_ESCALATED_1) % params
        body = str(BODY_ESCALATED) % params
    _event(ticket, TicketEventKind.ESCALATED, None, event_body, at=now)
    _notify([manager], NOTE_ESCALATED, params, ticket, body=f"{ticket.title}\n{body}", kind="escalation")


def _escalate_to_senior(ticket: Ticket, senior: list[Any], hours: int, now: dt.datetime) -> None:
    ticket.escalation_level = EscalationLevel.SENIOR_MANAGEMENT
    ticket.escalated_at = now
    ticket.save(update_fields=["escalation_level", "escalated_at", "updated_at"])
    params = {
        **_params(ticket),
        "hours": hours,
        "department": ticket.department,
        "assignee": ticket.assignee or "—",
        "due": _due_text(ticket.resolution_due),
    }
    with translation.override(settings.LANGUAGE_CODE):
        event_body = str(EVENT_ESCALATED_2) % params
        body = str(BODY_ESCALATED) % params
    _event(ticket, TicketEventKind.ESCALATED, None, event_body, at=now)
    _notify(senior, NOTE_SENIOR, params, ticket, body=f"{ticket.title}\n{body}", kind="escalation")


#
# The working-day calendar changed (``core.calendar_services`` registry)
#


def tickets_follow_calendar(change: Any) -> int:
    """Recompute the unmet deadlines of open tickets on the changed calendar: each keeps the working hours it lay
    after the first changed day. Met deadlines (a first response made) and closed tickets stay as they are; each
    moved ticket gets a history row saying why. Returns how many tickets moved."""
    start = dt.datetime.combine(change.first_day, dt.time(0), TZ)
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(status__in=OPEN_STATUSES)
        .filter(
            Q(first_responded_at__isnull=True, first_response_due__gt=start)
            | Q(resolved_at__isnull=True, resolution_due__gt=start)
        )
    )
    if not tickets:
        return 0
    latest = max(max(t.first_response_due, t.resolution_due) for t in tickets).astimezone(TZ).date()
    # A reopened ticket's resolution is counted from its last reopening.
    reopened = dict(
        TicketEvent.objects.filter(ticket__in=tickets, kind=TicketEventKind.REOPENED)
        .values("ticket_id")
        .annotate(last=Max("at"))
        .values_list("ticket_id", "last")
    )
    moved = 0
    with calendar_preloaded(change.first_day, latest + dt.timedelta(days=120)):
        for ticket in tickets:
            fields = []
            if ticket.first_responded_at is None:
                due = change.moved_deadline(ticket.created_at, ticket.first_response_due)
                if due != ticket.first_response_due:
                    ticket.first_response_due = due
                    fields.append("first_response_due")
            if ticket.resolved_at is None:
                due = change.moved_deadline(reopened.get(ticket.pk, ticket.created_at), ticket.resolution_due)
                if due != ticket.resolution_due:
                    ticket.resolution_due = due
                    fields.append("resolution_due")
            if fields:
                _save(ticket, change.actor, fields, reason=change.reason)
                moved += 1
    return moved
