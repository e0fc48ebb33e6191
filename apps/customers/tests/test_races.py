"""Two people at once: simultaneous pool claims keep the daily cap; simultaneous imports create each customer once.

Threads released at the same instant, each with its own database connection (SQLite: a file database with the
settings `make run` uses; PostgreSQL with DATABASE_URL).
"""

from __future__ import annotations

import importlib
import io
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from apps.core import excel
from apps.core.testing import run_together
from apps.customers.choices import OwnershipAction
from apps.customers.models import Customer, OwnershipLog
from apps.customers.selectors.io import IMPORT_COLUMNS
from apps.customers.services import io as import_service
from apps.customers.services import pool
from apps.customers.services.archive import customer_create
from apps.customers.tests.factories_pool import CustomerFactory
from apps.policy.selectors import rules_in_force

pytestmark = pytest.mark.django_db(transaction=True)


def _seed_policy() -> None:
    """A transactional test that ran before flushed the data migration's policy; seed it again (idempotent)."""
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(apps, None)


def test_simultaneous_claims_stop_at_the_daily_cap(personas: dict[str, Any]) -> None:
    _seed_policy()
    alice = personas["rep_alice"].user
    cap = rules_in_force().rules.public_pool.claims_per_day
    assert cap > 0
    tries = cap + 4
    customers = CustomerFactory.create_batch(tries)

    def claim(index: int) -> str:
        try:
            pool.customer_claim(actor=alice, customer=customers[index])
        except ValidationError as refused:
            return str(refused.code)
        return "claimed"

    results, errors = run_together(claim, tries)
    assert not errors, errors
    assert Counter(results) == {"claimed": cap, "claim_limit": tries - cap}
    assert Customer.objects.filter(owner=alice).count() == cap
    assert OwnershipLog.objects.filter(to_owner=alice, action=OwnershipAction.CLAIM).count() == cap


def _names_only_file(count: int) -> bytes:
    """Customers known by their name only (no USCC or mobile: nothing but the duplicate check guards them)."""
    rows = [
        {"name": f"并发导入{i:03d}贸易有限公司", "level": "B", "province": "上海市", "city": "上海市"}
        for i in range(count)
    ]
    return excel.write_workbook(IMPORT_COLUMNS, rows)


@pytest.mark.parametrize("skip_failed", [False, True])
def test_the_same_file_imported_at_once_creates_each_customer_once(personas: dict[str, Any], skip_failed: bool) -> None:
    _seed_policy()
    bob = personas["lead_bob"].user
    count, uploads = 20, 4
    content = _names_only_file(count)

    def upload(index: int) -> import_service.ImportResult:
        return import_service.customer_import(actor=bob, file=io.BytesIO(content), owner=bob, skip_failed=skip_failed)

    results, errors = run_together(upload, uploads)
    assert not errors, errors
    names = list(Customer.objects.filter(name__startswith="并发导入").values_list("name", flat=True))
    assert len(names) == count and len(set(names)) == count
    # One upload imported the file; the others were told every row is already in the archive.
    assert sorted(r.created for r in results) == [0] * (uploads - 1) + [count]
    for result in results:
        if result.created == 0:
            assert result.failed == count
            assert all("已" in p.message or "Already" in p.message for p in result.problems)


def test_a_customer_typed_in_while_an_import_runs_is_not_doubled(personas: dict[str, Any]) -> None:
    _seed_policy()
    bob = personas["lead_bob"].user
    content = _names_only_file(5)

    def work(index: int) -> str:
        if index == 0:
            return f"import:{import_service.customer_import(actor=bob, file=io.BytesIO(content), owner=bob).created}"
        try:
            customer_create(actor=bob, data={"name": "并发导入003贸易有限公司", "level": "B"})
        except ValidationError as refused:
            return f"form:{refused.code}"
        return "form:created"

    results, errors = run_together(work, 2)
    assert not errors, errors
    assert Customer.objects.filter(name="并发导入003贸易有限公司").count() == 1
