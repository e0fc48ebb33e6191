"""The contract workflow is one table (``CONTRACT_WORKFLOW``): for every status (and an approved contract with and
without payments) and every demo role, the buttons on the contract page, the API's ``allowed_actions`` and what
the services accept are the same, and match the table.

sales1 (east team) owns the contract and submits it; sales_mgr manages the sales department (changes, approves,
voids, records payments); ceo sees every contract and may approve it, nothing else; cs1 (customer service) and
sales2 (south team) do not see it — a contract has no sharing, so no one sees it only by being shared with.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from apps.core.testing import assert_workflow_agrees
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User
from apps.sales.choices import AdjustmentKind, ContractStatus
from apps.sales.models import Contract
from apps.sales.models.contracts import (
    C_APPROVER,
    C_CHANGER,
    C_COLLECTOR,
    C_PLANNER,
    C_SUBMITTER,
    C_VOIDER,
    CONTRACT_MOVES,
    CONTRACT_WORKFLOW,
)
from apps.sales.selectors.contracts import CONTRACT_CONDITIONS, contract_allowed, contract_roles
from apps.sales.services import contracts as svc
from apps.sales.services import refunds as refund_svc

PEOPLE = ("sales1", "sales_mgr", "ceo", "cs1", "sales2")
_MANAGER = {C_CHANGER, C_APPROVER, C_VOIDER, C_COLLECTOR, C_PLANNER}
ROLES = {
    "sales1": {C_CHANGER, C_COLLECTOR, C_PLANNER},
    "sales_mgr": _MANAGER,
    "ceo": {C_APPROVER},
    "cs1": set(),
    "sales2": set(),
}
BUTTONS = {
    "edit": "contract-edit",
    "submit": "contract-submit",
    "withdraw": "contract-withdraw",
    "approve": "contract-approve",
    "reject": "contract-reject",
    "void": "contract-void",
    "pay": "payment-create",
    "plan": "plan-edit",
    "refund": "refund-submit",
    "adjust": "adjustment-submit",
}
TODAY = dt.date.today()
SERVICES = {
    "edit": lambda u, c: svc.contract_update(actor=u, contract=c, data={}),
    "submit": lambda u, c: svc.contract_submit(actor=u, contract=c),
    "withdraw": lambda u, c: svc.contract_withdraw(actor=u, contract=c),
    "approve": lambda u, c: svc.contract_approve(actor=u, contract=c),
    "reject": lambda u, c: svc.contract_reject(actor=u, contract=c, comment="价格不符"),
    "void": lambda u, c: svc.contract_void(actor=u, contract=c, reason="客户取消"),
    "pay": lambda u, c: svc.payment_record(actor=u, contract=c, data={"amount": Decimal("100"), "received_on": TODAY}),
    "plan": lambda u, c: svc.payment_plan_set(
        actor=u, contract=c, instalments=[{"instalment": 1, "due_date": TODAY, "amount": Decimal("1000")}]
    ),
    "refund": lambda u, c: refund_svc.refund_request(actor=u, contract=c, amount=Decimal("50"), reason="退货"),
    "adjust": lambda u, c: refund_svc.contract_adjust_request(
        actor=u, contract=c, kind=AdjustmentKind.AMENDMENT, new_amount=Decimal("9000"), reason="增补"
    ),
}
# (case, status, the moves that lead there from a fresh draft, whether a payment was recorded)
CASES = [
    ("draft", ContractStatus.DRAFT, [], False),
    ("pending", ContractStatus.PENDING, ["submit"], False),
    ("rejected", ContractStatus.REJECTED, ["submit", "reject"], False),
    ("withdrawn", ContractStatus.WITHDRAWN, ["submit", "withdraw"], False),
    ("approved", ContractStatus.APPROVED, ["submit", "approve"], False),
    ("approved-paid", ContractStatus.APPROVED, ["submit", "approve", "pay"], True),
    ("voided", ContractStatus.VOIDED, ["submit", "approve", "void"], False),
]
BY_MANAGER = {"approve", "reject", "void"}


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _contract(path: list[str], people: dict[str, User]) -> Contract:
    owner = people["sales1"]
    customer = CustomerFactory(owner=owner, owner_unit=owner.employee.department)
    contract = svc.contract_create(
        actor=owner,
        data={"title": "设备采购合同", "customer": customer, "signed_on": TODAY, "amount": Decimal("1000000")},
    )
    for move in path:
        SERVICES[move](people["sales_mgr"] if move in BY_MANAGER else owner, Contract.objects.get(pk=contract.pk))
    return Contract.objects.get(pk=contract.pk)


@pytest.mark.parametrize(("case", "status", "path", "paid"), CASES, ids=[c[0] for c in CASES])
def test_page_api_and_service_agree_with_the_table(
    case: str, status: str, path: list[str], paid: bool, people: dict[str, User]
) -> None:
    contract = _contract(path, people)  # above the approval threshold of the rules in force: submitting awaits approval
    assert contract.status == status
    for name in PEOPLE:
        user = people[name]
        roles = ROLES[name] | ({C_SUBMITTER} if name == "sales1" and status == ContractStatus.PENDING else set())
        assert contract_roles(user, contract) == roles, name
        steps = CONTRACT_WORKFLOW[status]
        expected = tuple(
            m
            for m in CONTRACT_MOVES
            if m in steps and steps[m][1] & roles and (not steps[m][2] or CONTRACT_CONDITIONS[steps[m][2]](contract))
        )
        allowed = contract_allowed(user, contract)
        assert allowed == expected, (case, name)
        seen = assert_workflow_agrees(
            user,
            allowed=allowed,
            actions=CONTRACT_MOVES,
            take=lambda move, actor: SERVICES[move](actor, Contract.objects.get(pk=contract.pk)),
            page_url=f"/sales/contracts/{contract.pk}/",
            api_url=f"/api/v1/contracts/{contract.pk}/",
            buttons=BUTTONS,
            hidden=(404,),
            api_hidden=(403, 404),
            ordered=True,
            label=(case, name),
        )
        assert seen == (name not in ("cs1", "sales2")), (case, name)
    assert paid == contract.payments.exists()
