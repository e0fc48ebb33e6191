"""Reads of customer visits (客户拜访): the scoped list, a customer's or a lead's visits, next steps due."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.marketing.models import Visit

# A next step stays on the workbench from a few days before its date until a week after it.
NEXT_STEP_LOOKAHEAD_DAYS = 3
NEXT_STEP_OVERDUE_DAYS = 7


def _related(qs: QuerySet[Visit]) -> QuerySet[Visit]:
    return qs.select_related("customer", "lead", "owner").prefetch_related("visitors")


def visit_list(
    *,
    user: Any,
    customer: Any = None,
    lead: Any = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    q: str = "",
) -> QuerySet[Visit]:
    """Return the visits the user may see, optionally of one customer or lead, in a date range, searched."""
    qs = Visit.objects.visible_to(user)
    if customer is not None:
        qs = qs.filter(customer=customer)
    if lead is not None:
        qs = qs.filter(lead=lead)
    if date_from:
        qs = qs.filter(visited_on__gte=date_from)
    if date_to:
        qs = qs.filter(visited_on__lte=date_to)
    term = (q or "").strip()
    if term:
        qs = qs.filter(
            Q(purpose__icontains=term)
            | Q(customer__name__icontains=term)
            | Q(lead__company_name__icontains=term)
            | Q(outcome__icontains=term)
        )
    return _related(qs)


def visits_of_customer(*, customer: Any) -> QuerySet[Visit]:
    """All visits to a customer (for its timeline; the customer page is already scoped)."""
    return _related(Visit.objects.filter(customer=customer))


def visits_of_lead(*, lead: Any) -> QuerySet[Visit]:
    return _related(Visit.objects.filter(lead=lead))


def visit_next_steps_due(*, user: Any, today: dt.date | None = None) -> QuerySet[Visit]:
    """The user's visits (organised or attended) whose next step falls due soon or recently."""
    today = today or timezone.localdate()
    window = (today - dt.timedelta(days=NEXT_STEP_OVERDUE_DAYS), today + dt.timedelta(days=NEXT_STEP_LOOKAHEAD_DAYS))
    mine = Q(owner=user) | Q(pk__in=Visit.visitors.through.objects.filter(user=user).values("visit_id"))
    return Visit.objects.filter(mine, next_step_on__range=window).exclude(next_step="").order_by("next_step_on")
