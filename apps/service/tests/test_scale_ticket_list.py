"""Issue 14, the ticket list at scale: a wide list's first screen counts only so far and says so
("超过 N 条记录", the exact count one click away), a filter or a search counts exactly, and the pages' queries do
not grow with the records."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.service.models import Ticket
from apps.service.tests.factories_tickets import customer_of, make_ticket
from apps.service.views.tickets import TicketListView

pytestmark = pytest.mark.django_db
LIST = "/service/tickets/"


def _tickets(carol, count: int) -> None:
    customer = customer_of(owner=None, service_owner=carol)
    for _ in range(count):
        n = Ticket.objects.count()
        make_ticket(None, title=f"规模工单{n:04d}", assignee=carol, customer=customer)


def test_the_wide_first_screen_counts_to_its_cap_and_offers_the_exact_count(personas, monkeypatch) -> None:
    monkeypatch.setattr(TicketListView, "wide_count_cap", 3)
    carol = personas["rep_carol"]
    _tickets(carol.user, 9)
    client = carol.client()
    # One row a page: the first screen counts to the cap or to five pages past the one shown, whichever is further.
    body = client.get(LIST, {"page_size": 1}).content.decode()
    assert 'data-testid="count-capped"' in body and "超过 6 条记录" in body and "共 9 条记录" not in body
    assert 'data-testid="count-exact"' in body and "count=exact" in body
    # On request, and whenever a filter or a search narrows the list, the count is exact.
    assert "共 9 条记录" in client.get(LIST, {"page_size": 1, "count": "exact"}).content.decode()
    assert "共 9 条记录" in client.get(LIST, {"page_size": 1, "q": "规模工单"}).content.decode()
    assert "共 9 条记录" in client.get(LIST, {"page_size": 1, "state": "open"}).content.decode()
    # A later page is reachable: the count reaches past it.
    later = client.get(LIST, {"page_size": 1, "page": 8})
    assert later.status_code == 200 and "共 9 条记录" in later.content.decode()
    # Below the cap nothing changes: the exact count and no link.
    body = client.get(LIST).content.decode()
    assert "共 9 条记录" in body and "count-exact" not in body


def test_ticket_list_queries_do_not_grow_with_the_records_for_a_manager(personas) -> None:
    """The manager of Carol's colleagues' customers (department tree) at 5 and at 45 tickets: equal queries."""
    bob = personas["lead_bob"]
    carol = personas["rep_carol"].user
    customer = customer_of(owner=personas["rep_alice"].user, service_owner=carol)
    client = bob.client()
    counts = {}
    for total in (5, 45):
        while Ticket.objects.count() < total:
            make_ticket(None, title=f"工单{Ticket.objects.count()}", assignee=carol, customer=customer)
        client.get(LIST)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"page_size": 4})
        assert response.status_code == 200 and response.content.decode().count('data-testid="ticket-row"') == 4
        counts[total] = len(captured.captured_queries)
    assert counts[5] == counts[45], counts


def test_the_warning_percent_comes_from_the_escalation_section_alone(personas) -> None:
    """The list's countdowns read only the escalation section of each rules version: the same warning percent as
    parsing the whole rules, a changed one included."""
    from apps.policy.models import PolicyVersion
    from apps.policy.rules import parse_rules
    from apps.service.services import sla

    ticket = make_ticket(None, title="预警比例", assignee=personas["rep_carol"].user)
    assert ticket.rules_version_id is not None
    version = PolicyVersion.objects.get(pk=ticket.rules_version_id)
    full = parse_rules(version.rules).service_escalation.warning_percent
    assert sla.warning_percents([ticket]) == {version.pk: full}
    rules = dict(version.rules)
    rules["service_escalation"] = {**dict(rules.get("service_escalation") or {}), "warning_percent": 60}
    PolicyVersion.objects.filter(pk=version.pk).update(rules=rules)
    assert parse_rules(rules).service_escalation.warning_percent == 60
    assert sla.warning_percents([ticket]) == {version.pk: 60}


def test_the_assignee_choices_are_the_assignees_of_what_each_persona_sees(personas) -> None:
    """Probed per person for a wide scope, plain for a narrow one: the same people as ``pk IN (SELECT …)``."""
    from apps.core.testing import PERSONAS
    from apps.org.models import User
    from apps.service.selectors.tickets import assignees_in_view

    for key in ("rep_alice", "lead_bob", "rep_carol"):
        owner = personas[key].user
        make_ticket(None, title=f"指派{key}", assignee=owner, customer=customer_of(owner=owner))
    for key in PERSONAS:
        user = personas[key].user
        ids = Ticket.objects.visible_to(user).filter(assignee__isnull=False).values("assignee")
        assert list(assignees_in_view(user)) == list(User.objects.filter(pk__in=ids).order_by("name", "username"))
