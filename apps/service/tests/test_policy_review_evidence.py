"""The customer-service figures a policy review keeps (art. 15), recomputed here from the tickets themselves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from apps.policy.choices import TicketType
from apps.service.choices import ComplaintCategory
from apps.service.hooks.policy import service_evidence
from apps.service.models import Ticket
from apps.service.tests.factories_tickets import make_ticket, service_manager

pytestmark = pytest.mark.django_db


def test_tickets_on_time_and_complaints(personas: dict) -> None:
    manager = service_manager(personas)
    make_ticket(manager)
    make_ticket(manager, ticket_type=TicketType.COMPLAINT, complaint_category=ComplaintCategory.DELIVERY)
    late = make_ticket(manager)
    Ticket.objects.exclude(pk=late.pk).update(resolved_at=F("resolution_due") - dt.timedelta(hours=1))
    Ticket.objects.filter(pk=late.pk).update(resolved_at=F("resolution_due") + dt.timedelta(hours=1))
    today = timezone.localdate()
    figures = [str(value) for _label, value in service_evidence(today - dt.timedelta(days=1), today)]
    tickets = Ticket.objects.all()
    on_time = sum(t.resolved_at <= t.resolution_due for t in tickets)
    complaints = sum(t.ticket_type == TicketType.COMPLAINT for t in tickets)
    assert figures == [
        str(len(tickets)),
        f"{on_time} / {len(tickets)} ({round(100 * on_time / len(tickets), 1)}%)",
        str(complaints),
    ]
    assert service_evidence(today + dt.timedelta(days=1), today + dt.timedelta(days=2))[0][1] == 0
