"""The ticket page reads the ticket with its scope and related rows in one query and answers the workflow's scope
questions (see, change, close) in at most one more: its queries do not grow with the ticket's events, and the
buttons it shows are the ones ``ticket_allowed`` gives."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.service.selectors.tickets import ticket_allowed
from apps.service.services import tickets as svc
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager

pytestmark = pytest.mark.django_db


def _page(client: Any, ticket: Any) -> tuple[int, Any]:
    url = reverse("service:ticket_detail", args=[ticket.pk])
    client.get(url)  # warm: the user's access and unread count are cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response


@pytest.mark.parametrize("who", ["manager", "ceo"])
def test_the_page_costs_the_same_queries_for_2_and_12_events(personas: dict, who: str) -> None:
    manager = service_manager(personas)
    carol = personas["rep_carol"].user
    user = manager if who == "manager" else personas["auditor_dave"].user
    client = Client()
    client.force_login(user)
    counts = []
    for events in (2, 12):
        ticket = make_ticket(None, title=f"报修{events}", assignee=carol, customer=customer_of(service_owner=carol))
        for i in range(events):
            svc.ticket_comment(actor=carol, ticket=ticket, body=f"备注{i}")
        count, response = _page(client, ticket)
        assert response.context["allowed"] == ticket_allowed(user, ticket)
        assert len(response.context["events"]) >= events
        counts.append(count)
    assert counts[0] == counts[1] <= 11, counts
