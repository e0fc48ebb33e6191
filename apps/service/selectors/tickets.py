"""Reads of tickets, always from what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core.scoping import can_each, get_visible_or_404, user_scope, users_assignable
from apps.core.selectors import people_in_view
from apps.service.choices import TicketStatus
from apps.service.models import Ticket, TicketEvent
from apps.service.models.tickets import TICKET_ACTIONS, TICKET_WORKFLOW, TicketRole

RUNNING = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS)


def overdue_q(now: dt.datetime) -> Q:
    """Open, not paused, with a running deadline already passed."""
    return Q(status__in=RUNNING) & (
        Q(first_responded_at__isnull=True, first_response_due__lte=now) | Q(resolution_due__lte=now)
    )


def at_risk_q(now: dt.datetime) -> Q:
    """Open, not paused, not overdue, already warned: the periodic check sets ``warned_at`` once the warning share
    of the running deadline's working time has passed (and clears it at the first response), so this matches the
    amber badge without computing working hours in the database."""
    return Q(status__in=RUNNING, warned_at__isnull=False) & ~overdue_q(now)


def ticket_list(*, user: Any) -> QuerySet:
    """Tickets within the user's scope, with what the list shows (customer, assignee, department); the list's
    filters are ``service.filters.TicketFilterSet``."""
    qs = (
        Ticket.objects.visible_to(user)
        .select_related("customer", "assignee", "department")
        .only(
            "pk",
            "number",
            "title",
            "ticket_type",
            "priority",
            "status",
            "customer__name",
            "requester_name",
            "requester_company",
            "assignee__name",
            "assignee__username",
            "department__name",
            "created_at",
            "first_response_due",
            "resolution_due",
            "first_responded_at",
            "resolved_at",
            "waiting_since",
            "paused_hours",
            "rules_version_id",
            "escalation_level",
            "customer_id",
            "assignee_id",
            "department_id",
        )
    )
    return qs


def search_q(term: str) -> Q:
    return (
        Q(number__icontains=term)
        | Q(title__icontains=term)
        | Q(customer__name__icontains=term)
        | Q(requester_name__icontains=term)
        | Q(requester_company__icontains=term)
    )


def ticket_get(*, user: Any, pk: Any, action: str = "view") -> Ticket:
    """One ticket the user may ``action``, with what its page shows, in one query (the scope's filter and the
    related rows together); 404 otherwise."""
    related = Ticket.objects.select_related(
        "customer",
        "contact",
        "contract",
        "product",
        "assignee",
        "department",
        "department__manager",
        "created_by",
        "rules_version",
        "survey_response",
    )
    return get_visible_or_404(Ticket, user, pk, action, queryset=related)


def events_of(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.select_related("actor").order_by("at", "id")


def assignees_in_view(user: Any) -> QuerySet:
    """People the user's visible tickets are assigned to (the list's assignee filter); for a wide scope one indexed
    probe per person (``core.selectors.people_in_view``), not a read of every visible ticket."""
    rows = Ticket.objects.visible_to(user)
    return people_in_view(rows, "assignee", user=user, probe_order="-created_at").order_by("name", "username")


def assignable_users(user: Any, ticket: Ticket | None = None) -> QuerySet:
    """The people the user may assign tickets to: the one rule ``core.scoping.users_assignable`` for the service
    app (a service manager: the department's people; never a salesperson outside their scope)."""
    return users_assignable(user, Ticket._meta.app_label).order_by("name", "username")


#
# The workflow (``models.tickets.TICKET_WORKFLOW``): who the user is for a ticket and which steps they may take
#


def ticket_roles(user: Any, ticket: Ticket) -> frozenset[str]:
    """The roles of ``TICKET_WORKFLOW`` the user holds on this ticket (none when they cannot see it)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    # One query at most for the three scope questions (none for a scope without conditions).
    allowed = can_each(user, ticket, ["view", "change"], own_scope=user.has_perm("service.close_ticket"))
    if not allowed["view"]:
        return frozenset()
    roles = {TicketRole.VIEWER}
    # The service department: the ticket in the user's own scope with the permission to change tickets (sharing
    # left out), or — while nobody is assigned — any member of the responsible department (they take it).
    if allowed["change"] or (
        ticket.assignee_id is None
        and user.has_perm("service.change_ticket")
        and user_scope(user).unit_id == ticket.department_id
    ):
        roles.add(TicketRole.WORKER)
        if ticket.assignee_id == user.pk:
            roles.add(TicketRole.ASSIGNEE)
        if user.has_perm("service.assign_ticket"):
            roles.add(TicketRole.MANAGER)
    if allowed.get("own"):
        roles.add(TicketRole.CLOSER)
    return frozenset(roles)


def roles_for_action(action: str) -> frozenset[str]:
    """Every role that may take ``action`` in some status."""
    return frozenset(role for steps in TICKET_WORKFLOW.values() if action in steps for role in steps[action].who)


def ticket_allowed(user: Any, ticket: Ticket, roles: frozenset[str] | None = None) -> tuple[str, ...]:
    """The actions the user may take on the ticket now, in page order (raising an improvement: complaints)."""
    roles = ticket_roles(user, ticket) if roles is None else roles
    steps = TICKET_WORKFLOW.get(ticket.status, {})
    return tuple(
        action
        for action in TICKET_ACTIONS
        if action in steps and roles & steps[action].who and (action != "raise" or ticket.is_complaint)
    )


def my_open_tickets(user: Any, now: dt.datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    return Ticket.objects.filter(assignee=user, status__in=RUNNING).filter(overdue_q(now) | at_risk_q(now))


def unassigned_tickets(user: Any) -> QuerySet:
    return Ticket.objects.visible_to(user).filter(status=TicketStatus.NEW, assignee__isnull=True)


def customers_with_tickets_closed(date_from: dt.date | None, date_to: dt.date | None) -> list[int]:
    """The customers whose tickets were resolved or closed in the period (a survey segment; either end open)."""
    tickets = Ticket.objects.filter(customer__isnull=False, resolved_at__isnull=False)
    if date_from:
        tickets = tickets.filter(resolved_at__date__gte=date_from)
    if date_to:
        tickets = tickets.filter(resolved_at__date__lte=date_to)
    return list(tickets.values_list("customer_id", flat=True).distinct())
