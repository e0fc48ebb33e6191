"""Factories and tree builders for target tests: sets and nodes written directly (set-up only; the writes under
test go through the services)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Department
from apps.org.testing import make_department, make_employee
from apps.sales.choices import TargetMetric, TargetTier
from apps.sales.models import TargetNode, TargetSet
from apps.sales.models.targets import MONTH_FIELDS


class TargetSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetSet

    fiscal_year = factory.Sequence(lambda n: 2026 + n)
    metric = TargetMetric.CONTRACT_AMOUNT
    tier = TargetTier.BASE


def months_of(value: Any) -> dict[str, Decimal]:
    return {name: Decimal(str(value)) for name in MONTH_FIELDS}


def make_node(
    target_set: TargetSet,
    department: Department,
    person: Any = None,
    parent: TargetNode | None = None,
    monthly: Any = 0,
) -> TargetNode:
    return TargetNode.objects.create(
        target_set=target_set, department=department, person=person, parent=parent, **months_of(monthly)
    )


def build_tree(personas: dict, *, monthly_person: Any = 100, extra_people: int = 0) -> dict[str, Any]:
    """company → 销售部 A → {A1: alice (+ extra people), A2: a second team with its own person}, reconciled."""
    company = personas["auditor_dave"].unit
    unit_a = personas["lead_bob"].unit
    unit_a1 = personas["rep_alice"].unit
    unit_a2 = make_department("销售二组", "t-sales-2", DepartmentKind.SALES, unit_a)
    zed = make_employee("zed", "泽德", unit_a2, BuiltinRole.STAFF).user
    lead_a2 = make_employee("lead2", "二组组长", unit_a2, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    unit_a2.manager = lead_a2
    unit_a2.save(update_fields=["manager"])
    lead_a1 = make_employee("lead1", "一组组长", unit_a1, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    people_a1 = [personas["rep_alice"].user] + [
        make_employee(f"extra{i}", f"员工{i:03d}", unit_a1, BuiltinRole.STAFF).user for i in range(extra_people)
    ]
    m = Decimal(str(monthly_person))
    target_set = TargetSetFactory()
    total = m * (len(people_a1) + 1)
    root = make_node(target_set, company, monthly=total)
    node_a = make_node(target_set, unit_a, parent=root, monthly=total)
    node_a1 = make_node(target_set, unit_a1, parent=node_a, monthly=m * len(people_a1))
    node_a2 = make_node(target_set, unit_a2, parent=node_a, monthly=m)
    person_nodes = [make_node(target_set, unit_a1, person, node_a1, m) for person in people_a1]
    zed_node = make_node(target_set, unit_a2, zed, node_a2, m)
    return {
        "set": target_set,
        "root": root,
        "a": node_a,
        "a1": node_a1,
        "a2": node_a2,
        "alice": person_nodes[0],
        "people": person_nodes,
        "zed": zed_node,
        "zed_user": zed,
        "lead_a1": lead_a1,
        "lead_a2": lead_a2,
        "unit_a2": unit_a2,
    }
