"""The filters of the service lists, one FilterSet per list, read by the page, the API and the Excel export."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget

from apps.core.filters import LazyChoices, ListFilterSet
from apps.service.choices import OPEN_STATUSES, TicketPriority, TicketStatus, TicketType
from apps.service.models import Ticket
from apps.service.selectors import tickets as selectors

UNASSIGNED = "none"
TICKET_STATES = [
    ("open", _("Open")),
    ("at_risk", _("At risk")),
    ("overdue", _("Overdue")),
    ("escalated", _("Escalated")),
]


class TicketFilterSet(ListFilterSet):
    """工单列表: status, type, priority, deadline state, assignee (a person in view or ``none``), my tickets,
    customer, department, escalation level, and ``q`` over number, subject, customer and requester."""

    search_placeholder = _("Number, subject or customer")

    status = django_filters.ChoiceFilter(label=_("Status"), choices=TicketStatus.choices, empty_label=_("All statuses"))
    ticket_type = django_filters.ChoiceFilter(label=_("Type"), choices=TicketType.choices, empty_label=_("All types"))
    priority = django_filters.ChoiceFilter(
        label=_("Priority"), choices=TicketPriority.choices, empty_label=_("All priorities")
    )
    state = django_filters.ChoiceFilter(
        label=_("Deadline"), choices=TICKET_STATES, empty_label=_("Any deadline state"), method="filter_state"
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"), empty_label=_("All assignees"), method="filter_assignee"
    )
    mine = django_filters.BooleanFilter(label=_("My tickets"), widget=BooleanWidget, method="filter_mine")
    customer = django_filters.NumberFilter(label=_("Customer"), field_name="customer")
    department = django_filters.NumberFilter(label=_("Department"), field_name="department")
    escalation_level = django_filters.NumberFilter(label=_("Escalation level"))

    class Meta:
        model = Ticket
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.filters["assignee"].extra["choices"] = LazyChoices(self.assignee_choices)

    def assignee_choices(self) -> list[tuple[str, Any]]:
        people = selectors.assignees_in_view(self.user) if self.user is not None else []
        return [(UNASSIGNED, _("Unassigned")), *[(str(u.pk), str(u)) for u in people]]

    def search_q(self, term: str) -> Q:
        return selectors.search_q(term)

    def filter_state(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        now = timezone.now()
        if value == "open":
            return qs.filter(status__in=OPEN_STATUSES)
        if value == "overdue":
            return qs.filter(selectors.overdue_q(now))
        if value == "at_risk":
            return qs.filter(selectors.at_risk_q(now))
        if value == "escalated":
            return qs.filter(escalation_level__gt=0, status__in=OPEN_STATUSES)
        return qs

    def filter_assignee(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.filter(assignee__isnull=True) if value == UNASSIGNED else qs.filter(assignee_id=int(value))

    def filter_mine(self, qs: QuerySet, name: str, value: bool | None) -> QuerySet:
        return qs.filter(assignee=self.user) if value else qs
