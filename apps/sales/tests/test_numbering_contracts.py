"""Contracts and payments created at the same moment: distinct numbers, every row kept, never over-collected.

Threaded on PostgreSQL (each thread its own connection); SQLite serialises writers, so there the same calls run
in turn.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from apps.core.tests.test_numbering import run_concurrently
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User
from apps.sales.models import Contract, Payment
from apps.sales.services import contracts as services
from apps.sales.tests.factories_contracts import ContractFactory

pytestmark = pytest.mark.django_db(transaction=True)
CONCURRENT = connection.vendor == "postgresql"


def test_concurrent_contract_creation_gets_distinct_numbers(personas: dict) -> None:
    alice_id = personas["rep_alice"].user.pk
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    today = timezone.localdate()

    def take(index: int) -> str:
        actor = User.objects.get(pk=alice_id)
        data = {"title": f"并发合同{index}", "customer": customer, "signed_on": today, "amount": Decimal("1000")}
        return services.contract_create(actor=actor, data=data).number

    numbers = run_concurrently(take) if CONCURRENT else [take(i) for i in range(100)]
    assert len(set(numbers)) == 100
    assert Contract.objects.count() == 100
    prefix = f"HT{today:%Y%m%d}-"
    assert sorted(numbers) == [f"{prefix}{n:04d}" for n in range(1, 101)]


def test_concurrent_payments_cannot_exceed_the_amount(personas: dict) -> None:
    alice = personas["rep_alice"].user
    contract = ContractFactory(owner=alice, amount=Decimal("10000.00"))
    refused: list[str] = []

    def take(index: int) -> str:
        actor = User.objects.get(pk=alice.pk)
        try:
            return services.payment_record(
                actor=actor, contract=contract, data={"amount": Decimal("1500.00"), "received_on": timezone.localdate()}
            ).number
        except ValidationError as error:
            refused.append(error.messages[0])
            return ""

    results = run_concurrently(take, total=16) if CONCURRENT else [take(i) for i in range(16)]
    recorded = [r for r in results if r]
    assert len(recorded) == 6  # 6 × 1500 = 9000; a seventh would make 10 500 > 10 000
    assert Payment.objects.filter(contract=contract).count() == 6
    assert sum(Payment.objects.values_list("amount", flat=True)) == Decimal("9000.00")
    assert len(refused) == 10 and "¥1,000.00" in refused[-1]
