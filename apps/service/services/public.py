"""The public support pages' writes and reads (customers without an account, policy art. 10 "售后服务").

A customer opens a ticket through the public form and follows it by its private link (``Ticket.public_token``).
Nothing here may tell a visitor whether a customer, a mobile number or a contract exists: the form is matched to
the customer archive silently and answers the same either way.

Rate limits are counted in Django's cache (Redis in production, so every worker shares the counters), per client
address and fixed window; ``SUPPORT_RATE_LIMITS`` in the settings may override the defaults below.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from apps.customers.models import Contact
from apps.org.choices import DepartmentKind
from apps.org.models import Department, Employee
from apps.sales.models import Contract
from apps.service.choices import (
    OPEN_STATUSES,
    TicketChannel,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
)
from apps.service.models import Ticket, TicketEvent
from apps.service.services.tickets import (
    ticket_create,
    ticket_customer_confirm,
    ticket_customer_message,
    ticket_customer_reopen,
)
from apps.surveys.models import SurveyInvitation

logger = logging.getLogger(__name__)

# What the customer sees instead of the internal status names.
PUBLIC_STATUS_LABELS: dict[str, Any] = {
    TicketStatus.NEW: _("Received"),
    TicketStatus.ASSIGNED: _("Received"),
    TicketStatus.IN_PROGRESS: _("Being handled"),
    TicketStatus.WAITING_CUSTOMER: _("Waiting for your reply"),
    TicketStatus.RESOLVED: _("Resolved — please confirm"),
    TicketStatus.CLOSED: _("Closed"),
}
PUBLIC_STATUS_TONES: dict[str, str] = {
    TicketStatus.NEW: "secondary",
    TicketStatus.ASSIGNED: "secondary",
    TicketStatus.IN_PROGRESS: "primary",
    TicketStatus.WAITING_CUSTOMER: "warning",
    TicketStatus.RESOLVED: "success",
    TicketStatus.CLOSED: "dark",
}
# Only these events ever reach the customer (and only when marked public).
PUBLIC_EVENT_KINDS = (
    TicketEventKind.CREATED,
    TicketEventKind.STATUS,
    TicketEventKind.REPLY,
    TicketEventKind.CUSTOMER,
    TicketEventKind.REOPENED,
)
# The status changes whose text is written to the customer (others may carry internal notes).
TEXT_STATUSES = (TicketStatus.WAITING_CUSTOMER, TicketStatus.RESOLVED)

NOT_OPEN = _("This ticket is closed. Please open a new one if you need more help.")
NOT_RESOLVED_YET = _("This ticket has not been resolved yet.")

#
# Rate limits
#

# action → ((window seconds, most requests per window), …)
DEFAULT_RATE_LIMITS: dict[str, tuple[tuple[int, int], ...]] = {
    "ticket": ((3600, 5), (86400, 20)),
    "message": ((3600, 10), (86400, 50)),
}


def _limits(action: str) -> tuple[tuple[int, int], ...]:
    overrides = getattr(settings, "SUPPORT_RATE_LIMITS", None) or {}
    return tuple(overrides.get(action, DEFAULT_RATE_LIMITS[action]))


def _address_key(ip: str) -> str:
    """One key per client: the address, or its /64 network for IPv6 (one subscriber holds a whole /64).
    Hashed, so the cache holds no addresses."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        address = None
    if address is not None and address.version == 6 and address.ipv4_mapped is None:
        ip = str(ipaddress.ip_network(f"{address}/64", strict=False))
    elif address is not None and address.version == 6:
        ip = str(address.ipv4_mapped)
    return hashlib.sha256(ip.encode()).hexdigest()[:32]


def _window_keys(action: str, ip: str) -> list[tuple[str, int, int, int]]:
    """(cache key, limit, window, seconds left in the window) of each window of ``action``."""
    now = int(time.time())
    who = _address_key(ip)
    keys = []
    for window, limit in _limits(action):
        bucket = now // window
        keys.append((f"support:rl:{action}:{window}:{bucket}:{who}", limit, window, window - now % window))
    return keys


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    retry_after: int = 0  # seconds until the exhausted window ends
    unavailable: bool = False  # the counters could not be read (the cache is down): refused, to be safe


# When the cache that holds the counters fails (Redis down), the limiter fails closed: nothing is stored, the
# visitor is asked to come back in a minute, and the failure is logged, rather than answering 500 or letting an
# unlimited number of posts through.
CACHE_DOWN_RETRY_AFTER = 60


def _cache_down(action: str) -> RateDecision:
    logger.exception("Public rate limit (%s): the cache is unavailable; refusing the request", action)
    return RateDecision(allowed=False, retry_after=CACHE_DOWN_RETRY_AFTER, unavailable=True)


def rate_limit_peek(*, action: str, ip: str) -> RateDecision:
    """Whether ``ip`` has already used up ``action`` (counts nothing): the form answers 429 straight away then."""
    try:
        return _peek(action, ip)
    except Exception:  # noqa: BLE001 - any cache backend error: fail closed
        return _cache_down(action)


def rate_limit_consume(*, action: str, ip: str) -> RateDecision:
    """Count one ``action`` by ``ip`` in every window; refused when any window is over its limit."""
    try:
        return _consume(action, ip)
    except Exception:  # noqa: BLE001 - any cache backend error: fail closed
        return _cache_down(action)


def _peek(action: str, ip: str) -> RateDecision:
    keys = _window_keys(action, ip)
    counts = cache.get_many([key for key, *_rest in keys])
    waits = [left for key, limit, _window, left in keys if counts.get(key, 0) >= limit]
    return RateDecision(allowed=not waits, retry_after=max(waits, default=0))


def _consume(action: str, ip: str) -> RateDecision:
    """``add`` then ``incr`` is atomic on Redis, so concurrent requests cannot slip past the limit together."""
    waits = []
    for key, limit, window, left in _window_keys(action, ip):
        cache.add(key, 0, timeout=window + 60)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.set(key, 1, timeout=window + 60)
            count = 1
        if count > limit:
            waits.append(left)
    return RateDecision(allowed=not waits, retry_after=max(waits, default=0))


#
# Opening a ticket
#


def _summary(description: str, length: int = 40) -> str:
    """The ticket's subject: the first line of the description, blanks collapsed, shortened."""
    first = next((line for line in description.splitlines() if line.strip()), description)
    first = re.sub(r"\s+", " ", first).strip()
    return first if len(first) <= length else first[: length - 1] + "…"


def _responsible_department(customer: Any) -> Department | None:
    """The customer's service owner's department, else the first customer-service department (else the company)."""
    if customer is not None and customer.service_owner_id:
        employee = (
            Employee.objects.select_related("department")
            .filter(user_id=customer.service_owner_id, is_active=True, department__is_active=True)
            .first()
        )
        if employee is not None:
            return employee.department
    active = Department.objects.filter(is_active=True).order_by("path")
    return active.filter(kind=DepartmentKind.CUSTOMER_SERVICE).first() or active.filter(parent=None).first()


def _match(*, mobile: str, contract_number: str) -> tuple[Any, Any, Any]:
    """(customer, contact, contract) the submission belongs to, each possibly None. Silent: the caller never
    tells the visitor what matched."""
    contact = Contact.objects.select_related("customer").filter(mobile=mobile).first() if mobile else None
    contract = (
        Contract.objects.select_related("customer").filter(number__iexact=contract_number).first()
        if contract_number
        else None
    )
    customer = contact.customer if contact is not None else (contract.customer if contract is not None else None)
    if contract is not None and customer is not None and contract.customer_id != customer.pk:
        contract = None  # a contract of another customer is not linked
    return customer, contact, contract


@transaction.atomic
def ticket_submit_public(*, data: dict[str, Any], ip: str) -> Ticket:
    """Open a ticket from the public form (no account): matched silently to the customer by the contact's mobile
    or the contract number; web channel, public-form origin; ``ticket_create`` sets the deadlines and tells the
    responsible department's manager.

    ``data``: company, name, mobile (normalised), email, ticket_type, complaint_category, contract_number,
    description — as ``PublicTicketForm`` cleans them.
    """
    customer, contact, contract = _match(mobile=data["mobile"], contract_number=data.get("contract_number", ""))
    department = _responsible_department(customer)
    description = data["description"]
    if data.get("email"):
        with translation.override(settings.LANGUAGE_CODE):
            description = f"{description}\n\n{_g('Email')}: {data['email']}"
    ticket = ticket_create(
        actor=None,
        origin=TicketOrigin.PUBLIC_FORM,
        data={
            "title": _summary(data["description"]),
            "ticket_type": data["ticket_type"],
            "complaint_category": data.get("complaint_category", ""),
            "priority": TicketPriority.MEDIUM,
            "channel": TicketChannel.WEB,
            "customer": customer,
            "contact": contact,
            "contract": contract,
            "description": description,
            "department": department,
            "requester_name": data["name"],
            "requester_mobile": data["mobile"],
            "requester_company": data["company"],
        },
    )
    # ``ticket_create`` tells the department's manager (the nearest one up the tree) about an unassigned ticket.
    logger.info("public ticket %s opened from %s", ticket.number, ip)
    return ticket


#
# Following it by the private link
#


def public_ticket_get(*, token: str) -> Ticket | None:
    """The ticket of a private status link, or None for a wrong one."""
    if not token or len(token) > 64:
        return None
    return Ticket.objects.filter(public_token=token).first()


def public_status_label(ticket: Ticket) -> Any:
    return PUBLIC_STATUS_LABELS.get(ticket.status, ticket.get_status_display())


@dataclass(frozen=True)
class PublicEvent:
    at: Any
    by_customer: bool
    kind: str
    text: str
    status_label: Any = ""


def public_events(ticket: Ticket) -> list[PublicEvent]:
    """What the customer may see of the ticket's log: replies, their own messages, status changes. Never internal
    notes, assignments, warnings, escalations, nor who on the staff did it. A status change shows its text only
    when it is meant for the customer: the question when the ticket waits for them, the resolution."""
    events = []
    for event in TicketEvent.objects.filter(ticket=ticket, is_public=True, kind__in=PUBLIC_EVENT_KINDS):
        if event.kind == TicketEventKind.CREATED:
            by_customer = ticket.origin == TicketOrigin.PUBLIC_FORM
        else:
            by_customer = event.kind in (TicketEventKind.CUSTOMER, TicketEventKind.REOPENED) and event.actor_id is None
        if event.kind == TicketEventKind.STATUS:
            text = event.body if event.to_status in TEXT_STATUSES else ""
        elif event.kind == TicketEventKind.CREATED:
            text = ""
        else:
            text = event.body
        label = PUBLIC_STATUS_LABELS.get(event.to_status, "") if event.to_status else ""
        events.append(PublicEvent(at=event.at, by_customer=by_customer, kind=event.kind, text=text, status_label=label))
    return events


def public_survey_token(ticket: Ticket) -> str | None:
    """The token of the unanswered, unexpired survey link sent for this ticket, if any."""
    invitation = (
        SurveyInvitation.objects.filter(
            source_type=ContentType.objects.get_for_model(Ticket),
            source_id=ticket.pk,
            answered_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .order_by("-created_at")
        .only("token")
        .first()
    )
    return invitation.token if invitation is not None else None


def public_can_write(ticket: Ticket) -> bool:
    return ticket.status in OPEN_STATUSES


def public_message(*, ticket: Ticket, body: str) -> Any:
    """The customer writes to an open ticket."""
    if not public_can_write(ticket):
        raise PublicActionRefused(NOT_OPEN)
    try:
        return ticket_customer_message(ticket=ticket, body=body)
    except ValidationError as error:  # closed meanwhile
        raise PublicActionRefused(NOT_OPEN) from error


def public_confirm(*, ticket: Ticket) -> Any:
    """The customer confirms a resolved ticket (it closes)."""
    if ticket.status != TicketStatus.RESOLVED:
        raise PublicActionRefused(NOT_RESOLVED_YET)
    try:
        return ticket_customer_confirm(ticket=ticket)
    except ValidationError as error:
        raise PublicActionRefused(NOT_RESOLVED_YET) from error


def public_reopen(*, ticket: Ticket, body: str) -> Any:
    """The customer says a resolved ticket is not resolved (it goes back to in progress)."""
    if ticket.status != TicketStatus.RESOLVED:
        raise PublicActionRefused(NOT_RESOLVED_YET)
    try:
        return ticket_customer_reopen(ticket=ticket, body=body)
    except ValidationError as error:
        raise PublicActionRefused(NOT_RESOLVED_YET) from error


class PublicActionRefused(Exception):
    """The ticket's state does not allow what the customer asked; the message says why."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message))
        self.message = message
