"""Tickets: creating and editing, and the staff's steps (assign, start, reply, comment, await the customer, resume,
resolve, close, reopen, raise an improvement action)."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.numbering import next_number
from apps.core.services import model_save
from apps.core.workdays import (
    add_working_hours,
)
from apps.improvements.choices import ImprovementSource
from apps.improvements.services import improvement_raise
from apps.org.models import User
from apps.policy.selectors import rules_in_force
from apps.service.choices import (
    EscalationLevel,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.selectors.tickets import ticket_roles
from apps.service.services import sla
from apps.service.services.tickets.common import (
    ASSIGNEE_INACTIVE,
    BODY_REQUIRED,
    COMPENSATION_NEGATIVE,
    CORRECTIVE_ACTION_REQUIRED,
    CREATE_FIELDS,
    EDITABLE_FIELDS,
    EVENT_RESUMED,
    NOTE_ASSIGNED,
    NOTE_CREATED,
    NOTE_REOPENED,
    NOTE_RESOLVED,
    ONLY_COMPLAINTS,
    RESOLUTION_REQUIRED,
    ROOT_CAUSE_REQUIRED,
    _active_employee,
    _authorize,
    _check_assignable,
    _customer_keys,
    _default_department,
    _event,
    _first_response,
    _is_manager,
    _lock,
    _notify,
    _params,
    _require,
    _resume_clock,
    _save,
    _step,
    _validate_complaint,
    _validate_links,
    department_manager,
)
from apps.surveys.services.invitations import invitation_after_ticket

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
    model_save(ticket, actor=actor)
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
