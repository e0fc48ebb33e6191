"""The contract page reads its payments' count and sum once (for the workflow's conditions and the collected
figure) and answers the scope questions of its moves in one query: its queries do not grow with the payments, the
collected and remaining figures equal the recount from the payment rows (refunds included), and its buttons are
the ones ``contract_allowed`` gives."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.sales.models import Payment
from apps.sales.selectors.contracts import contract_allowed
from apps.sales.tests.factories_contracts import ContractFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def _page(client: Any, contract: Any) -> tuple[int, Any]:
    url = reverse("sales:contract_detail", args=[contract.pk])
    client.get(url)  # warm: the user's access and unread count are cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    # Sessions are in Redis in production (``cached_db``): the tests' database session is left out.
    return sum(1 for q in captured.captured_queries if "django_session" not in q["sql"]), response


@pytest.mark.parametrize("who", ["lead_bob", "auditor_dave", "rep_alice"])
def test_the_page_costs_the_same_queries_for_1_and_9_payments(personas: dict, who: str) -> None:
    alice = personas["rep_alice"]
    client, user = personas[who].client(), personas[who].user
    counts = []
    for payments in (1, 9):
        contract = ContractFactory(owner=alice.user, owner_unit=alice.unit, amount=Decimal("100000.00"))
        for i in range(payments):
            PaymentFactory(contract=contract, amount=Decimal("1000.25") + i)
        PaymentFactory(contract=contract, amount=Decimal("-300.00"))  # a refund paid back
        count, response = _page(client, contract)
        recount = sum(Payment.objects.filter(contract=contract).values_list("amount", flat=True), Decimal("0"))
        assert response.context["collected"] == recount
        assert response.context["remaining"] == contract.amount - recount
        assert response.context["allowed"] == contract_allowed(user, contract)
        counts.append(count)
    assert counts[0] == counts[1] <= 12, counts


def test_a_contract_without_payments_may_still_be_voided_or_edited_as_before(personas: dict) -> None:
    """The "no payments" and "collected" conditions read from the same count and sum as before."""
    alice = personas["rep_alice"]
    contract = ContractFactory(owner=alice.user, owner_unit=alice.unit)
    before = contract_allowed(alice.user, contract)
    _count, response = _page(alice.client(), contract)
    assert response.context["allowed"] == before
    PaymentFactory(contract=contract, amount=Decimal("500.00"))
    PaymentFactory(contract=contract, amount=Decimal("-500.00"))  # paid and refunded: payments exist, none kept
    _count, response = _page(alice.client(), contract)
    assert response.context["collected"] == Decimal("0")
    assert response.context["allowed"] == contract_allowed(alice.user, contract)
