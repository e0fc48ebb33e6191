"""Plain helpers for attainment tests: a target tree over the personas (company → 销售部 → 销售一组 → alice), and
contracts, payments and opportunities at known dates made with ``Model.objects.create`` (set-up only), so figures
can be recomputed by hand in the tests."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from apps.customers.models import Customer
from apps.org.models import Department
from apps.sales.choices import ContractStatus, OpportunityStage, TargetMetric, TargetStatus, TargetTier
from apps.sales.models import MONTH_FIELDS, Contract, Opportunity, Payment, StageSetting, TargetNode, TargetSet

YEAR = 2026
_seq = itertools.count(1)
STAGE_PROBABILITIES = {
    "initial": 10,
    "needs": 30,
    "proposal": 50,
    "negotiation": 70,
    "won": 100,
    "lost": 0,
    "invalid": 0,
}


def stage_settings() -> None:
    for stage, probability in STAGE_PROBABILITIES.items():
        StageSetting.objects.update_or_create(stage=stage, defaults={"probability": probability})


def make_customer(owner: Any = None, name: str | None = None) -> Customer:
    n = next(_seq)
    unit = owner.employee.department if owner is not None else None
    return Customer.objects.create(name=name or f"测试客户{n}有限公司", owner=owner, owner_unit=unit)


def make_contract(
    owner: Any,
    amount: str | Decimal,
    signed_on: dt.date,
    *,
    customer: Customer | None = None,
    status: str = ContractStatus.APPROVED,
    unit: Department | None = None,
) -> Contract:
    n = next(_seq)
    return Contract.objects.create(
        number=f"HT-T-{n:05d}",
        title=f"合同{n}",
        customer=customer or make_customer(owner),
        signed_on=signed_on,
        amount=Decimal(amount),
        status=status,
        owner=owner,
        owner_unit=unit or owner.employee.department,
        created_by=owner,
    )


def make_payment(contract: Contract, amount: str | Decimal, received_on: dt.date) -> Payment:
    n = next(_seq)
    return Payment.objects.create(
        contract=contract,
        number=f"HK-T-{n:05d}",
        received_on=received_on,
        amount=Decimal(amount),
        recorded_by=contract.owner,
    )


def make_opportunity(
    owner: Any,
    amount: str | Decimal,
    stage: str = OpportunityStage.PROPOSAL,
    expected_close_date: dt.date | None = None,
    customer: Customer | None = None,
) -> Opportunity:
    n = next(_seq)
    return Opportunity.objects.create(
        name=f"商机{n}",
        customer=customer or make_customer(owner),
        amount=Decimal(amount),
        stage=stage,
        expected_close_date=expected_close_date,
        owner=owner,
        owner_unit=owner.employee.department,
        created_by=owner,
    )


def make_target_set(
    metric: str = TargetMetric.CONTRACT_AMOUNT, year: int = YEAR, status: str = TargetStatus.APPROVED
) -> TargetSet:
    return TargetSet.objects.create(fiscal_year=year, metric=metric, tier=TargetTier.BASE, status=status)


def make_node(
    target_set: TargetSet,
    department: Department,
    parent: TargetNode | None = None,
    person: Any = None,
    monthly: str | Decimal = "0",
) -> TargetNode:
    values = dict.fromkeys(MONTH_FIELDS, Decimal(monthly))
    return TargetNode.objects.create(
        target_set=target_set, department=department, parent=parent, person=person, **values
    )


def persona_tree(personas: dict, target_set: TargetSet, monthly: str = "10000") -> dict[str, TargetNode]:
    """company → 销售部 A → 销售一组 A1 → alice; alice carries the monthly target, parents are the sums."""
    alice = personas["rep_alice"]
    team = alice.unit
    department = team.parent
    company = department.parent
    root = make_node(target_set, company, monthly=monthly)
    dept = make_node(target_set, department, root, monthly=monthly)
    team_node = make_node(target_set, team, dept, monthly=monthly)
    person = make_node(target_set, team, team_node, person=alice.user, monthly=monthly)
    return {"company": root, "department": dept, "team": team_node, "alice": person}
