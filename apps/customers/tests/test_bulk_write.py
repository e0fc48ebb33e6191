"""``core.bulk`` — the one bulk write path (COPY on PostgreSQL, ``bulk_create`` elsewhere) — writes exactly what
django-simple-history's ``bulk_create_with_history`` writes: the same row values, the primary keys set on the
objects, one "+" history row each naming the actor and the reason, the sequence moved on (an ordinary save after it
gets a fresh id), historical dates kept under ``keep_dates``, and a duplicate refused with Django's IntegrityError
(the import turns it into its duplicate message). Runs on both databases (``.ci/run`` runs the suite on each)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from simple_history.utils import bulk_create_with_history

from apps.core import bulk
from apps.customers.models import Contact, Customer, OwnershipLog
from apps.customers.tests.factories_pool import CustomerFactory
from apps.org.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at", "name", "name_key", "uscc"}


SINCE = dt.datetime(2026, 11, 30, 16, 0, tzinfo=dt.UTC)  # 00:00 on 1 December in Shanghai


def _customers(prefix: str, owner: Any, count: int = 5) -> list[Customer]:
    return [
        Customer(
            name=f"{prefix}批量{i}号有限公司",
            name_key=f"{prefix}批量{i}号",
            name_initials="pl",
            uscc="",
            level="A" if i % 2 else "C",
            province="上海",
            city="上海",
            owner=owner,
            owner_since=SINCE if i % 2 else None,
            is_locked=bool(i % 3 == 0),
            remarks="" if i % 2 else "备注",
        )
        for i in range(count)
    ]


def _values(qs: Any) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if k not in SKIP} for row in qs.order_by("name").values()]


def test_the_path_in_force_writes_what_bulk_create_with_history_writes() -> None:
    owner = UserFactory()
    ours = bulk.create_with_history(Customer, _customers("甲", owner), actor=owner, reason="导入")
    theirs = bulk_create_with_history(
        _customers("乙", owner), Customer, batch_size=100, default_user=owner, default_change_reason="导入"
    )
    assert all(c.pk and not c._state.adding for c in ours)
    # The objects hold their ids and the database holds what they say.
    for customer in ours:
        stored = Customer.objects.get(pk=customer.pk)
        assert (stored.name, stored.level, stored.owner_id, stored.is_locked, stored.remarks) == (
            customer.name,
            customer.level,
            customer.owner_id,
            customer.is_locked,
            customer.remarks,
        )
    ours_qs = Customer.objects.filter(pk__in=[c.pk for c in ours])
    theirs_qs = Customer.objects.filter(pk__in=[c.pk for c in theirs])
    assert _values(ours_qs) == _values(theirs_qs)

    history = Customer.history.model.objects
    ours_h = history.filter(id__in=[c.pk for c in ours])
    theirs_h = history.filter(id__in=[c.pk for c in theirs])
    skip_h = SKIP | {"history_id", "history_date"}
    assert [{k: v for k, v in r.items() if k not in skip_h} for r in ours_h.order_by("name").values()] == [
        {k: v for k, v in r.items() if k not in skip_h} for r in theirs_h.order_by("name").values()
    ]
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in ours_h} == {("+", owner.pk, "导入")}
    # Each history row carries the row's own dates, as saved.
    assert {(h.id, h.created_at) for h in ours_h} == {(c.pk, c.created_at) for c in ours}

    # The sequence moved on: an ordinary save gets a fresh id.
    later = CustomerFactory()
    assert later.pk > max(c.pk for c in ours + list(theirs))


def test_child_rows_logs_and_kept_dates() -> None:
    actor = UserFactory()
    long_ago = dt.datetime(2024, 3, 31, 23, 30, tzinfo=dt.UTC)
    customers = _customers("丙", None, count=3)
    for c in customers:
        c.created_at = c.updated_at = long_ago
    with bulk.keep_dates(Customer):
        bulk.create_with_history(Customer, customers, actor=actor)
    contacts = [Contact(customer=c, name=f"联系人{i}", mobile=f"1390000{i:04d}") for i, c in enumerate(customers)]
    bulk.create_with_history(Contact, contacts, actor=actor)
    logs = bulk.create(OwnershipLog, [OwnershipLog(customer=c, action="create", actor=actor) for c in customers])
    assert {c.created_at for c in Customer.objects.filter(pk__in=[c.pk for c in customers])} == {long_ago}
    assert sorted(Contact.objects.filter(customer__in=customers).values_list("customer_id", "mobile")) == sorted(
        (c.customer_id, c.mobile) for c in contacts
    )
    assert Contact.history.filter(id__in=[c.pk for c in contacts], history_user=actor).count() == 3
    assert all(log.pk for log in logs) and OwnershipLog.objects.filter(actor=actor).count() == 3


def test_a_duplicate_is_refused_with_djangos_integrity_error_and_nothing_written() -> None:
    actor = UserFactory()
    taken = Contact(customer=CustomerFactory(), name="已有", mobile="13911112222")
    taken.save()
    customer = CustomerFactory()
    before = Contact.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.create_with_history(
            Contact,
            [
                Contact(customer=customer, name="新", mobile="13911113333"),
                Contact(customer=customer, name="重", mobile="13911112222"),
            ],
            actor=actor,
        )
    assert Contact.objects.count() == before
