"""Payment plans and payments: only on approved contracts, never beyond the amount, derived instalment status."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.sales.choices import ContractStatus
from apps.sales.models import Payment, PaymentPlan
from apps.sales.selectors import contracts as selectors
from apps.sales.services import contracts as services
from apps.sales.tests.factories_contracts import ContractFactory, PaymentPlanFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _pay(actor, contract, amount: str, **extra) -> Payment:
    return services.payment_record(
        actor=actor, contract=contract, data={"amount": Decimal(amount), "received_on": TODAY(), **extra}
    )


class TestPayments:
    @pytest.mark.parametrize(
        "status", [ContractStatus.DRAFT, ContractStatus.PENDING, ContractStatus.REJECTED, ContractStatus.VOIDED]
    )
    def test_only_on_approved_contracts(self, personas: dict, status: str) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice, status=status)
        with pytest.raises(ValidationError) as error:
            _pay(alice, contract, "100")
        assert error.value.code == "not_approved"
        assert not Payment.objects.exists()

    def test_exceeding_the_amount_is_refused_with_the_remaining_amount(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice, amount=Decimal("100000.00"))
        first = _pay(alice, contract, "87655.00")
        assert first.number.startswith(f"HK{TODAY():%Y%m%d}-")
        with pytest.raises(ValidationError) as error:
            _pay(alice, contract, "12345.01")
        assert "¥12,345.00" in error.value.message_dict["amount"][0]
        assert Payment.objects.count() == 1
        _pay(alice, contract, "12345.00")
        assert selectors.collected(contract) == Decimal("100000.00")

    def test_payment_out_of_scope_is_refused(self, personas: dict) -> None:
        contract = ContractFactory(owner=personas["rep_alice"].user)
        with pytest.raises(PermissionDenied):
            _pay(personas["rep_carol"].user, contract, "10")
        assert not Payment.objects.exists()

    def test_owner_is_notified_of_a_payment_recorded_by_someone_else(self, personas: dict) -> None:
        contract = ContractFactory(owner=personas["rep_alice"].user)
        _pay(personas["lead_bob"].user, contract, "10")
        assert personas["rep_alice"].user.notifications.filter(title__contains=contract.number).exists()


class TestPaymentPlan:
    def test_instalments_cannot_exceed_the_amount(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice, amount=Decimal("1000"))
        rows = [{"due_date": TODAY(), "amount": Decimal("600")}, {"due_date": TODAY(), "amount": Decimal("401")}]
        with pytest.raises(ValidationError) as error:
            services.payment_plan_set(actor=alice, contract=contract, instalments=rows)
        assert error.value.code == "plan_exceeds"
        assert not PaymentPlan.objects.exists()
        rows[1]["amount"] = Decimal("400")
        plans = services.payment_plan_set(actor=alice, contract=contract, instalments=rows)
        assert [p.instalment for p in plans] == [1, 2]

    def test_only_on_approved_contracts(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice, status=ContractStatus.DRAFT)
        with pytest.raises(ValidationError):
            services.payment_plan_set(
                actor=alice, contract=contract, instalments=[{"due_date": TODAY(), "amount": Decimal("1")}]
            )

    def test_an_instalment_with_payments_is_kept(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice)
        plan = PaymentPlanFactory(contract=contract, instalment=1)
        _pay(alice, contract, "10", plan=plan)
        with pytest.raises(ValidationError) as error:
            services.payment_plan_set(
                actor=alice,
                contract=contract,
                instalments=[{"instalment": 2, "due_date": TODAY(), "amount": Decimal("5")}],
            )
        assert error.value.code == "has_payments"

    def test_statuses_are_derived(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        contract = ContractFactory(owner=alice)
        today = TODAY()
        paid = PaymentPlanFactory(contract=contract, instalment=1, amount=Decimal("100"), due_date=today)
        partial = PaymentPlanFactory(
            contract=contract, instalment=2, amount=Decimal("100"), due_date=today + dt.timedelta(days=5)
        )
        PaymentPlanFactory(
            contract=contract, instalment=3, amount=Decimal("100"), due_date=today - dt.timedelta(days=1)
        )
        PaymentPlanFactory(
            contract=contract, instalment=4, amount=Decimal("100"), due_date=today + dt.timedelta(days=40)
        )
        _pay(alice, contract, "100", plan=paid)
        _pay(alice, contract, "40", plan=partial)
        statuses = [row.status for row in selectors.instalments(contract, today)]
        assert statuses == ["paid", "partial", "overdue", "pending"]
        overdue, soon = selectors.due_rows(user=alice, today=today)
        assert [p.instalment for p in overdue] == [3]
        assert [p.instalment for p in soon] == []  # #2 is 5 days out, reminder 3 days before
        assert [p.instalment for p in selectors.due_rows(user=alice, today=today + dt.timedelta(days=2))[1]] == [2]


class TestPaymentPage:
    def test_exceeding_payment_shows_the_error_and_writes_nothing(self, personas: dict) -> None:
        contract = ContractFactory(owner=personas["rep_alice"].user, amount=Decimal("500.00"))
        response = (
            personas["rep_alice"]
            .client()
            .post(
                reverse("sales:payment_create", args=[contract.pk]),
                {"received_on": TODAY().isoformat(), "amount": "600", "method": "bank_transfer"},
            )
        )
        assert response.status_code == 200
        assert "¥500.00" in response.content.decode()
        assert not Payment.objects.exists()

    def test_recording_a_payment_redirects_to_the_contract(self, personas: dict) -> None:
        contract = ContractFactory(owner=personas["rep_alice"].user, amount=Decimal("500.00"))
        response = (
            personas["rep_alice"]
            .client()
            .post(
                reverse("sales:payment_create", args=[contract.pk]),
                {"received_on": TODAY().isoformat(), "amount": "200", "method": "bank_transfer"},
            )
        )
        assert response.status_code == 302
        page = personas["rep_alice"].client().get(response["Location"]).content.decode()
        assert "¥200.00" in page and "¥300.00" in page
