"""Contracts: creation and numbering, the approval flow and its thresholds, who may approve, what is editable."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import Notification
from apps.customers.tests.factories import CustomerFactory
from apps.policy.tests.factories import new_version
from apps.sales.choices import ApprovalAction, ContractStatus, OpportunityStage
from apps.sales.models import Contract
from apps.sales.services import contracts as services
from apps.sales.services.opportunities import opportunity_create
from apps.sales.tests.factories_contracts import ProductFactory

pytestmark = pytest.mark.django_db


def _u(personas: dict, key: str):
    return personas[key].user


def _draft(personas: dict, owner: str = "rep_alice", **data) -> Contract:
    user = _u(personas, owner)
    values = {
        "title": "年度框架合同",
        "customer": CustomerFactory(owner=user),
        "signed_on": timezone.localdate(),
        "amount": Decimal("100000"),
    } | data
    return services.contract_create(actor=user, data=values)


class TestCreate:
    def test_number_amount_from_lines_and_order_discount(self, personas: dict) -> None:
        product = ProductFactory()
        lines = [
            {
                "product": product,
                "quantity": Decimal("2"),
                "unit_price": Decimal("1000"),
                "discount_pct": Decimal("10"),
            },
            {"product": product, "quantity": Decimal("1"), "unit_price": Decimal("500")},
        ]
        alice = _u(personas, "rep_alice")
        contract = services.contract_create(
            actor=alice,
            lines=lines,
            data={
                "title": "设备合同",
                "customer": CustomerFactory(owner=alice),
                "signed_on": dt.date(2026, 11, 27),
                "discount_pct": Decimal("5"),
            },
        )
        contract.refresh_from_db()
        # (2×1000×0.9 + 500) × 0.95 = 2185.00
        assert contract.amount == Decimal("2185.00")
        assert contract.number == "HT20261127-0001"
        assert contract.status == ContractStatus.DRAFT and contract.lines.count() == 2
        assert _draft(personas, signed_on=dt.date(2026, 11, 27)).number == "HT20261127-0002"

    def test_customer_out_of_scope_is_refused(self, personas: dict) -> None:
        foreign = CustomerFactory(owner=_u(personas, "rep_carol"))
        with pytest.raises(ValidationError) as error:
            _draft(personas, customer=foreign)
        assert "customer" in error.value.message_dict
        assert not Contract.objects.exists()

    def test_end_before_start_is_refused(self, personas: dict) -> None:
        with pytest.raises(ValidationError) as error:
            _draft(personas, start_date=dt.date(2026, 12, 1), end_date=dt.date(2026, 11, 1))
        assert "end_date" in error.value.message_dict


class TestApprovalThresholds:
    def test_below_both_thresholds_is_approved_at_once(self, personas: dict) -> None:
        contract = _draft(personas, amount=Decimal("100000"), discount_pct=Decimal("5"))
        contract = services.contract_submit(actor=_u(personas, "rep_alice"), contract=contract)
        assert contract.status == ContractStatus.APPROVED and contract.policy_version
        actions = list(contract.approvals.values_list("action", flat=True))
        assert actions == [ApprovalAction.SUBMIT, ApprovalAction.AUTO_APPROVE]
        contract.customer.refresh_from_db()
        assert contract.customer.deal_status == "won"

    def test_amount_above_threshold_needs_approval(self, personas: dict) -> None:
        contract = _draft(personas, amount=Decimal("500000.01"))
        contract = services.contract_submit(actor=_u(personas, "rep_alice"), contract=contract)
        assert contract.status == ContractStatus.PENDING
        assert Notification.objects.filter(recipient=_u(personas, "lead_bob")).exists()

    def test_discount_above_threshold_needs_approval(self, personas: dict) -> None:
        contract = _draft(personas, amount=Decimal("1000"), discount_pct=Decimal("10.01"))
        assert (
            services.contract_submit(actor=_u(personas, "rep_alice"), contract=contract).status
            == ContractStatus.PENDING
        )

    def test_thresholds_come_from_the_rules_in_force(self, personas: dict) -> None:
        new_version(
            _u(personas, "admin"),
            "1.1",
            timezone.localdate(),
            approval_thresholds={"discount_percent": "50", "contract_amount": "1000000"},
        )
        contract = _draft(personas, amount=Decimal("900000"), discount_pct=Decimal("20"))
        contract = services.contract_submit(actor=_u(personas, "rep_alice"), contract=contract)
        assert contract.status == ContractStatus.APPROVED and contract.policy_version == "1.1"


def _pending(personas: dict) -> Contract:
    contract = _draft(personas, amount=Decimal("800000"))
    return services.contract_submit(actor=_u(personas, "rep_alice"), contract=contract, comment="请审批")


class TestApprovers:
    def test_manager_approves_and_submitter_is_notified(self, personas: dict) -> None:
        contract = services.contract_approve(
            actor=_u(personas, "lead_bob"), contract=_pending(personas), comment="同意"
        )
        assert contract.status == ContractStatus.APPROVED and contract.approved_by == _u(personas, "lead_bob")
        assert contract.approvals.filter(action=ApprovalAction.APPROVE, comment="同意").exists()
        assert Notification.objects.filter(recipient=_u(personas, "rep_alice"), title__contains=contract.number)

    def test_owner_cannot_approve_own_contract(self, personas: dict) -> None:
        contract = _draft(personas, owner="lead_bob", amount=Decimal("800000"))
        contract = services.contract_submit(actor=_u(personas, "lead_bob"), contract=contract)
        with pytest.raises(ValidationError):
            services.contract_approve(actor=_u(personas, "lead_bob"), contract=contract)
        services.contract_approve(actor=_u(personas, "auditor_dave"), contract=contract)

    def test_out_of_scope_or_staff_cannot_approve(self, personas: dict) -> None:
        contract = _pending(personas)
        for key in ("rep_carol", "rep_alice"):
            with pytest.raises((PermissionDenied, ValidationError)):
                services.contract_approve(actor=_u(personas, key), contract=contract)
        contract.refresh_from_db()
        assert contract.status == ContractStatus.PENDING

    def test_reject_needs_a_comment_and_reopens_editing(self, personas: dict) -> None:
        contract = _pending(personas)
        with pytest.raises(ValidationError):
            services.contract_reject(actor=_u(personas, "lead_bob"), contract=contract, comment=" ")
        contract = services.contract_reject(actor=_u(personas, "lead_bob"), contract=contract, comment="价格过低")
        assert contract.status == ContractStatus.REJECTED
        services.contract_update(actor=_u(personas, "rep_alice"), contract=contract, data={"title": "改后"})
        assert Contract.objects.get(pk=contract.pk).title == "改后"

    def test_withdraw_only_by_the_submitter(self, personas: dict) -> None:
        contract = _pending(personas)
        with pytest.raises(ValidationError):
            services.contract_withdraw(actor=_u(personas, "lead_bob"), contract=contract)
        contract = services.contract_withdraw(actor=_u(personas, "rep_alice"), contract=contract)
        assert contract.status == ContractStatus.WITHDRAWN


class TestEditingAndVoiding:
    @pytest.mark.parametrize("status", [ContractStatus.PENDING, ContractStatus.APPROVED, ContractStatus.VOIDED])
    def test_not_editable_outside_draft_rejected(self, personas: dict, status: str) -> None:
        contract = _draft(personas)
        Contract.objects.filter(pk=contract.pk).update(status=status)
        with pytest.raises(ValidationError) as error:
            services.contract_update(actor=_u(personas, "rep_alice"), contract=contract, data={"title": "X"})
        assert error.value.code == "not_editable"
        assert Contract.objects.get(pk=contract.pk).title == "年度框架合同"

    def test_void_needs_permission_reason_and_no_payments(self, personas: dict) -> None:
        contract = services.contract_submit(actor=_u(personas, "rep_alice"), contract=_draft(personas))
        with pytest.raises(PermissionDenied):
            services.contract_void(actor=_u(personas, "rep_alice"), contract=contract, reason="客户取消")
        with pytest.raises(ValidationError):
            services.contract_void(actor=_u(personas, "lead_bob"), contract=contract, reason="")
        services.payment_record(
            actor=_u(personas, "rep_alice"),
            contract=contract,
            data={"amount": Decimal("10"), "received_on": timezone.localdate()},
        )
        with pytest.raises(ValidationError) as error:
            services.contract_void(actor=_u(personas, "lead_bob"), contract=contract, reason="客户取消")
        assert error.value.code == "has_payments"

    def test_void_an_approved_contract(self, personas: dict) -> None:
        contract = services.contract_submit(actor=_u(personas, "rep_alice"), contract=_draft(personas))
        contract = services.contract_void(actor=_u(personas, "lead_bob"), contract=contract, reason="客户取消")
        assert contract.status == ContractStatus.VOIDED
        assert contract.approvals.filter(action=ApprovalAction.VOID, comment="客户取消").exists()


class TestFromOpportunity:
    def test_prefills_from_the_opportunity_and_wins_it(self, personas: dict) -> None:
        alice = _u(personas, "rep_alice")
        product = ProductFactory()
        opportunity = opportunity_create(
            actor=alice,
            data={"name": "二期扩容", "customer": CustomerFactory(owner=alice)},
            lines=[{"product": product, "quantity": Decimal("2"), "unit_price": Decimal("300")}],
        )
        contract = services.contract_create(
            actor=alice, data={"opportunity": opportunity, "signed_on": timezone.localdate()}
        )
        assert contract.customer == opportunity.customer and contract.title == "二期扩容"
        assert contract.amount == Decimal("600.00") and contract.lines.count() == 1
        opportunity.refresh_from_db()
        assert opportunity.stage == OpportunityStage.WON
