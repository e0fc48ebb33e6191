"""An approval request goes to every approver; once one decides (or the submitter withdraws), the request is
closed for all the others, so their notification centres do not fill with requests already dealt with."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.models import Notification
from apps.core.services import notify
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import Department
from apps.sales.services import contracts as services

pytestmark = pytest.mark.django_db


def _pending(personas: dict) -> object:
    """A contract above the threshold, submitted: its approvers are bob (sales) and dave (the company's manager)."""
    dave = personas["auditor_dave"]
    Department.objects.filter(pk=dave.unit.pk).update(manager=dave.user)
    alice = personas["rep_alice"].user
    contract = services.contract_create(
        actor=alice,
        data={
            "title": "年度框架合同",
            "customer": CustomerFactory(owner=alice),
            "signed_on": timezone.localdate(),
            "amount": Decimal("800000"),
        },
    )
    return services.contract_submit(actor=alice, contract=contract, comment="请审批")


def _unread_requests(contract: object) -> set[str]:
    return set(
        Notification.objects.filter(
            title__contains=contract.number, read_at__isnull=True, topic__startswith="approval:"
        ).values_list("recipient__username", flat=True)
    )


@pytest.mark.parametrize("decision", ["approve", "reject", "withdraw"])
def test_a_decision_closes_the_request_for_every_approver(personas: dict, decision: str) -> None:
    contract = _pending(personas)
    approvers = {u.username for u in services.contract_approvers(contract)}
    assert len(approvers) >= 2 and _unread_requests(contract) == approvers
    dave = personas["auditor_dave"].user
    notify(recipients=[dave], title="另一件事")  # unrelated: stays unread
    bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
    if decision == "approve":
        services.contract_approve(actor=bob, contract=contract)
    elif decision == "reject":
        services.contract_reject(actor=bob, contract=contract, comment="价格过低")
    else:
        services.contract_withdraw(actor=alice, contract=contract)
    assert _unread_requests(contract) == set()
    assert Notification.objects.filter(recipient=dave, title="另一件事", read_at__isnull=True).exists()
    if decision != "withdraw":  # the submitter hears the decision
        assert Notification.objects.filter(
            recipient=alice, title__contains=contract.number, read_at__isnull=True
        ).exists()
