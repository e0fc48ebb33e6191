"""The ticket visibility rule on the ticket's own columns (issue 14): the customer's sales owner and service owner
are copied onto each ticket and kept in step by the services that change them. Whatever happens to the customers
and the people — a transfer, the pool's recycling and claiming, a new service owner, a move to another department,
a leaving employee's handover — every persona sees exactly the tickets that the rule computed from the raw records
(following the ticket to its customer and the customer's owners to their departments) gives."""

from __future__ import annotations

import datetime as dt
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from apps.core.scoping import ScopeFields
from apps.customers.models import Customer
from apps.customers.services import archive, pool
from apps.customers.tests.factories_pool import owned
from apps.org.models import Employee, User
from apps.org.services import employee_offboard, employee_update
from apps.service.models import Ticket
from apps.service.services.tickets import ticket_customer_keys_sync, ticket_update
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))

# The rule as it reads the raw records: the ticket's creator, its customer's service owner and sales owner — and
# for a department scope the members of the department (tree) among them — through joins, nothing copied.
FROM_RAW_RECORDS = ScopeFields(
    owner="assignee", unit="department", shared_with=("created_by", "customer__service_owner", "customer__owner")
)


def _visible(user: User) -> set[int]:
    fresh = User.objects.get(pk=user.pk)  # scopes are cached per user object
    return set(Ticket.objects.visible_to(fresh).values_list("pk", flat=True))


def _check(people: list[User], step: str) -> None:
    rows = Ticket.objects.values_list("customer_owner_id", "customer_service_owner_id", "customer_id")
    owners = dict(Customer.objects.values_list("pk", "owner_id"))
    servers = dict(Customer.objects.values_list("pk", "service_owner_id"))
    for owner_id, server_id, customer_id in rows:
        expected = (owners[customer_id], servers[customer_id]) if customer_id else (None, None)
        assert (owner_id, server_id) == expected, step
    keyed = {u.username: _visible(u) for u in people}
    with mock.patch.object(Ticket, "scope_fields", FROM_RAW_RECORDS):
        raw = {u.username: _visible(u) for u in people}
    assert keyed == raw, step


def test_every_persona_sees_what_the_raw_records_give_through_every_change(personas: dict) -> None:
    alice, bob, carol, dave, root = (
        personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave", "admin")
    )
    manager = service_manager(personas)
    people = [alice, bob, carol, dave, manager]
    mine = customer_of(alice)
    served = customer_of(bob, service_owner=carol)
    pooled = customer_of(None)
    neglected = owned(alice, days_owned=16, now=NOW, level="A")  # the pool takes it back at NOW (rules 1.0)
    for customer in (mine, served, pooled, neglected, mine):
        make_ticket(root, customer=customer)
    make_ticket(root, requester_name="王先生")
    make_ticket(root, customer=served, assignee=manager)
    _check(people, "opened")
    assert _visible(alice) == set(Ticket.objects.filter(customer__in=[mine, neglected]).values_list("pk", flat=True))

    archive.customer_transfer(actor=root, customers=[mine], to_owner=bob, reason="调岗")
    _check(people, "transfer")
    assert not _visible(alice) & set(Ticket.objects.filter(customer=mine).values_list("pk", flat=True))

    assert neglected.pk in pool.pool_recycle_due(now=NOW).recycled
    _check(people, "recycled to the pool")
    pool.customer_claim(actor=alice, customer=pooled)
    _check(people, "claimed from the pool")
    assert set(Ticket.objects.filter(customer=pooled).values_list("pk", flat=True)) <= _visible(alice)

    archive.customer_update(actor=root, customer=Customer.objects.get(pk=mine.pk), data={"service_owner": carol})
    _check(people, "service owner named on the form")
    archive.customer_set_service_owner(actor=root, customer=served, service_owner=manager)
    _check(people, "service owner changed")

    employee_update(
        actor=root, employee=Employee.objects.get(user=alice), data={"department": personas["rep_carol"].unit}
    )
    _check(people, "alice moved to customer service")

    employee_offboard(actor=root, employee=Employee.objects.get(user=bob), successor=Employee.objects.get(user=alice))
    _check([alice, carol, dave, manager], "bob left, alice took over")
    assert set(Ticket.objects.filter(customer=mine).values_list("pk", flat=True)) <= _visible(alice)


def test_moving_a_ticket_to_another_customer_moves_its_keys(personas: dict) -> None:
    alice, bob, root = (personas[k].user for k in ("rep_alice", "lead_bob", "admin"))
    ticket = make_ticket(root, customer=customer_of(alice, service_owner=bob))
    assert (ticket.customer_owner, ticket.customer_service_owner) == (alice, bob)
    ticket_update(actor=root, ticket=ticket, data={"customer": customer_of(bob), "contact": None, "contract": None})
    ticket.refresh_from_db()
    assert (ticket.customer_owner, ticket.customer_service_owner) == (bob, None)
    _check([alice, bob], "ticket moved")


def test_a_bulk_load_is_put_right_by_the_sync(personas: dict) -> None:
    alice, bob, root = (personas[k].user for k in ("rep_alice", "lead_bob", "admin"))
    model = make_ticket(root, customer=customer_of(alice, service_owner=bob))
    Ticket.objects.bulk_create(
        Ticket(
            **{f.attname: getattr(model, f.attname) for f in Ticket._meta.concrete_fields if f.name != "id"}
            | {"number": f"BULK-{i}", "public_token": f"bulk-{i}", "customer_id": customer_of(bob).pk}
            | {"customer_owner_id": None, "customer_service_owner_id": None}
        )
        for i in range(3)
    )
    with pytest.raises(AssertionError):
        _check([alice, bob], "bulk-loaded without keys")
    assert ticket_customer_keys_sync() == 4
    _check([alice, bob], "after the sync")
