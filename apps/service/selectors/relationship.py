"""Reads of relationship maintenance (art. 10 "客户关系维护"): due contacts (mine, overdue first), contact records,
and what the periodic job needs to decide which contacts fall due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from apps.customers.models import Contact, Customer
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract
from apps.service.choices import DueContactReason, DueContactStatus
from apps.service.models import DueContact, RelationshipContact

# A regular contact is put on the list this many days before it falls due; birthdays and anniversaries a week ahead.
CADENCE_LOOKAHEAD_DAYS = 3
OCCASION_LOOKAHEAD_DAYS = 7


def due_contact_list(
    *, user: Any, reason: str = "", status: str = "", owner: Any = None, mine: bool = False, q: str = ""
) -> QuerySet[DueContact]:
    """Due contacts the user may see: open ones first, soonest (most overdue) first."""
    qs = DueContact.objects.visible_to(user)
    if mine:
        qs = qs.filter(owner=user)
    if owner is not None:
        qs = qs.filter(owner=owner)
    if reason:
        qs = qs.filter(reason=reason)
    if status:
        qs = qs.filter(status=status)
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(customer__name__icontains=term) | Q(note__icontains=term))
    return qs.select_related("customer", "owner", "record").order_by("status", "due_on", "id")


def due_contacts_of(*, user: Any, today: dt.date | None = None) -> QuerySet[DueContact]:
    """The user's own open due contacts falling due today or overdue."""
    today = today or timezone.localdate()
    return DueContact.objects.filter(owner=user, status=DueContactStatus.OPEN, due_on__lte=today)


def contact_list(
    *,
    user: Any,
    channel: str = "",
    satisfaction: str = "",
    customer: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[RelationshipContact]:
    """Contact records (回访) the user may see, filtered and searched, newest first."""
    qs = RelationshipContact.objects.visible_to(user)
    if channel:
        qs = qs.filter(channel=channel)
    if satisfaction:
        qs = qs.filter(satisfaction=satisfaction)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if date_from:
        qs = qs.filter(occurred_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(occurred_at__date__lte=date_to)
    term = (q or "").strip()
    if term:
        qs = qs.filter(
            Q(content__icontains=term) | Q(customer__name__icontains=term) | Q(personal_notes__icontains=term)
        )
    return qs.select_related("customer", "contact", "owner")


def contacts_of_customer(*, customer: Any) -> QuerySet[RelationshipContact]:
    return RelationshipContact.objects.filter(customer=customer).select_related("owner", "contact")


def serviced_customers() -> QuerySet[Customer]:
    """Customers with a service owner, not in the public pool, with the time of their latest contact record."""
    return (
        Customer.objects.filter(service_owner__isnull=False, owner__isnull=False, service_owner__is_active=True)
        .annotate(last_contact_at=Max("relationship_contacts__occurred_at"))
        .select_related("service_owner__employee")
    )


def birthday_contacts() -> QuerySet[Contact]:
    """Contacts with a birthday at serviced customers."""
    return Contact.objects.filter(
        birthday__isnull=False,
        customer__service_owner__isnull=False,
        customer__owner__isnull=False,
        customer__service_owner__is_active=True,
    ).select_related("customer__service_owner__employee")


def anniversary_contracts(*, before: dt.date) -> QuerySet[Contract]:
    """Approved contracts of serviced customers signed at least a year before ``before``."""
    return Contract.objects.filter(
        status=ContractStatus.APPROVED,
        signed_on__lte=before,
        customer__service_owner__isnull=False,
        customer__owner__isnull=False,
        customer__service_owner__is_active=True,
    ).select_related("customer__service_owner__employee")


def open_cadence_customer_ids() -> set[int]:
    return set(
        DueContact.objects.filter(reason=DueContactReason.CADENCE, status=DueContactStatus.OPEN).values_list(
            "customer_id", flat=True
        )
    )


def existing_due_keys(*, since: dt.date) -> set[tuple[int, str, dt.date]]:
    return set(DueContact.objects.filter(due_on__gte=since).values_list("customer_id", "reason", "due_on"))
