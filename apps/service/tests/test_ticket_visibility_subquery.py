"""The ticket visibility rule through subqueries on the customer (issue 14): exactly the tickets of the rule as
joins (own scope, opened by me, the customer's sales or service owner is me — or, for department scopes, a member
of my department), but without joining every ticket to its customer, so the database can use the indexes."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.models import User
from apps.service.models import Ticket
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager

pytestmark = pytest.mark.django_db


def _visible(user: User) -> set[int]:
    User.objects.get(pk=user.pk)  # a fresh user: scopes are cached per user object
    return set(Ticket.objects.visible_to(User.objects.get(pk=user.pk)).values_list("pk", flat=True))


def test_the_subquery_rule_sees_the_same_tickets_as_the_join_rule(personas, monkeypatch) -> None:
    alice, bob, carol, dave = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave"))
    manager = service_manager(personas)
    root = personas["admin"].user
    mine, serviced, other = customer_of(alice), customer_of(bob, service_owner=alice), customer_of(bob)
    for customer in (mine, serviced, other, mine, None):
        make_ticket(root, **({"customer": customer} if customer else {"requester_name": "王先生"}))
    make_ticket(root, customer=other, assignee=manager)
    people = (alice, bob, carol, dave, manager)
    with_subqueries = {u.username: _visible(u) for u in people}
    monkeypatch.setattr(Ticket, "scope_fields", dataclasses.replace(Ticket.scope_fields, shared_via_subquery=False))
    with_joins = {u.username: _visible(u) for u in people}
    assert with_subqueries == with_joins
    assert with_subqueries["alice"] == set(
        Ticket.objects.filter(customer__in=[mine, serviced]).values_list("pk", flat=True)
    )
    assert with_subqueries["bob"]  # the manager sees his people's customers' tickets


def test_the_ticket_list_query_does_not_join_customers(personas) -> None:
    alice = User.objects.get(pk=personas["rep_alice"].user.pk)
    with CaptureQueriesContext(connection) as captured:
        list(Ticket.objects.visible_to(alice))
    sql = captured.captured_queries[-1]["sql"].lower()
    outer = sql.split(" where ")[0]
    assert "customers_customer" not in outer, sql
    # The customer's owners are copied onto the ticket (issue 14), so no customer is read at all.
    assert "customers_customer" not in sql, sql
