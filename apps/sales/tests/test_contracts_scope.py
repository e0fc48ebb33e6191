"""The generic data-scope matrix for contracts, payment plans and payments; the list's query count; the API."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.customers.tests.factories import CustomerFactory
from apps.sales.choices import AdjustmentKind
from apps.sales.models import Contract, ContractAdjustment, Payment, PaymentPlan, RefundRequest
from apps.sales.tests.factories_contracts import ContractFactory, PaymentFactory, PaymentPlanFactory


def _contract(persona: Persona, **extra) -> Contract:
    return ContractFactory(
        owner=persona.user,
        owner_unit=persona.unit,
        customer=CustomerFactory(owner=persona.user),
        title=f"范围合同{persona.key}",
        number=f"HTSCOPE-{persona.key}",
        **extra,
    )


class ContractScopeTests(core_testing.ScopeMatrixTests):
    model = Contract
    list_url = "/sales/contracts/"
    api_list_url = "/api/v1/contracts/"
    detail_route = "sales:contract_detail"

    def make(self, persona: Persona) -> Contract:
        return _contract(persona)

    def label(self, record: Contract) -> str:
        return record.number

    def test_list_url_is_the_named_route(self) -> None:
        assert reverse("sales:contract_list") == self.list_url


class PaymentPlanScopeTests(core_testing.ScopeMatrixTests):
    model = PaymentPlan
    list_url = "/sales/contracts/"
    api_list_url = "/api/v1/payment-plans/"

    def make(self, persona: Persona) -> PaymentPlan:
        return PaymentPlanFactory(contract=_contract(persona), instalment=1)

    def detail_url(self, record: PaymentPlan) -> str:
        return reverse("sales:contract_detail", args=[record.contract_id])

    def label(self, record: PaymentPlan) -> str:
        return record.contract.number


class PaymentScopeTests(core_testing.ScopeMatrixTests):
    model = Payment
    list_url = "/sales/contracts/"
    api_list_url = "/api/v1/payments/"

    def make(self, persona: Persona) -> Payment:
        return PaymentFactory(contract=_contract(persona), recorded_by=persona.user)

    def detail_url(self, record: Payment) -> str:
        return reverse("sales:contract_detail", args=[record.contract_id])

    def label(self, record: Payment) -> str:
        return record.contract.number


class RefundRequestScopeTests(core_testing.ScopeMatrixTests):
    model = RefundRequest
    list_url = "/sales/contracts/"
    api_list_url = "/api/v1/refunds/"

    def make(self, persona: Persona) -> RefundRequest:
        return RefundRequest.objects.create(
            contract=_contract(persona), amount=Decimal("1.00"), reason="退款", requested_by=persona.user
        )

    def detail_url(self, record: RefundRequest) -> str:
        return reverse("sales:contract_detail", args=[record.contract_id])

    def label(self, record: RefundRequest) -> str:
        return record.contract.number


class ContractAdjustmentScopeTests(core_testing.ScopeMatrixTests):
    model = ContractAdjustment
    list_url = "/sales/contracts/"
    api_list_url = "/api/v1/contract-adjustments/"

    def make(self, persona: Persona) -> ContractAdjustment:
        contract = _contract(persona)
        return ContractAdjustment.objects.create(
            contract=contract,
            kind=AdjustmentKind.AMENDMENT,
            old_amount=contract.amount,
            new_amount=contract.amount + 1,
            reason="增购",
            requested_by=persona.user,
        )

    def detail_url(self, record: ContractAdjustment) -> str:
        return reverse("sales:contract_detail", args=[record.contract_id])

    def label(self, record: ContractAdjustment) -> str:
        return record.contract.number


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 30])
def test_contract_list_runs_a_bounded_number_of_queries(
    personas: dict, size: int, django_assert_max_num_queries
) -> None:
    bob = personas["lead_bob"]
    for index in range(size):
        contract = ContractFactory(
            owner=personas["rep_alice"].user, owner_unit=personas["rep_alice"].unit, number=f"HTQ-{index}"
        )
        PaymentFactory(contract=contract, amount=Decimal("10"))
    client = bob.client()
    with django_assert_max_num_queries(14):
        response = client.get("/sales/contracts/", {"page_size": 50})
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="contract-row"') == size


@pytest.mark.django_db
class TestApi:
    def test_payment_beyond_the_amount_is_400_with_the_remaining(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        contract = _contract(alice, amount=Decimal("1000.00"))
        client = alice.client()
        ok = client.post(
            "/api/v1/payments/",
            {"contract": contract.pk, "amount": "400.00", "received_on": timezone.localdate().isoformat()},
            content_type="application/json",
        )
        assert ok.status_code == 201, ok.content
        refused = client.post(
            "/api/v1/payments/",
            {"contract": contract.pk, "amount": "600.01", "received_on": timezone.localdate().isoformat()},
            content_type="application/json",
        )
        assert refused.status_code == 400
        assert "¥600.00" in refused.json()["amount"][0]
        assert Payment.objects.count() == 1

    def test_create_submit_and_approve_through_the_api(self, personas: dict) -> None:
        alice, dave = personas["rep_alice"], personas["auditor_dave"]
        customer = CustomerFactory(owner=alice.user)
        created = alice.client().post(
            "/api/v1/contracts/",
            {
                "title": "接口合同",
                "customer": customer.pk,
                "signed_on": timezone.localdate().isoformat(),
                "amount": "900000.00",
            },
            content_type="application/json",
        )
        assert created.status_code == 201, created.content
        pk = created.json()["id"]
        submitted = alice.client().post(f"/api/v1/contracts/{pk}/submit/", {}, content_type="application/json")
        assert submitted.json()["status"] == "pending"
        own = alice.client().post(f"/api/v1/contracts/{pk}/approve/", {}, content_type="application/json")
        assert own.status_code in (400, 403)
        approved = dave.client().post(
            f"/api/v1/contracts/{pk}/approve/", {"comment": "同意"}, content_type="application/json"
        )
        assert approved.status_code == 200 and approved.json()["status"] == "approved"
