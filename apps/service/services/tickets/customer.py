"""Tickets: the customer's steps on the status page (no account): a message, confirming, reopening; and the ticket
a detractor's survey answer opens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from apps.service.choices import (
    ComplaintCategory,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.services.tickets.common import (
    BODY_REQUIRED,
    CLOSED_STATUSES,
    CUSTOMER,
    DETRACTOR_TITLE,
    EVENT_DETRACTOR,
    NOTE_CUSTOMER_CONFIRMED,
    NOTE_CUSTOMER_MESSAGE,
    NOTE_REOPENED,
    _active_employee,
    _event,
    _lock,
    _notify,
    _params,
    _refuse,
    _responsible,
    _step,
    _unit_of,
)
from apps.service.services.tickets.lifecycle import _close, _reopen, _resume, ticket_create

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
