"""One attribution rule for every node of the attainment tree: a record counts for the department stamped on it
when recorded (the owner's department on the contract date). When a person moves team, what they signed before
stays with the old team and their node there, what they sign after goes to the new team, and every parent still
equals the sum of its children and an independent recomputation from the raw records."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.sales.choices import ContractStatus, TargetMetric
from apps.sales.models import Contract, Payment, TargetNode
from apps.sales.selectors.attainment import ATTRIBUTION_RULE, attainment_for_nodes, make_period, tree_nodes
from apps.sales.services import contracts as contract_services
from apps.sales.tests.factories_attainment import YEAR, make_contract, make_customer, make_node, make_target_set

pytestmark = pytest.mark.django_db
YEAR_P = make_period("year", YEAR)


def _records(metric: str) -> list[tuple[int, Any, Decimal]]:
    """(owner id, stamped department, amount) of every record the metric counts, from the raw tables."""
    if metric == TargetMetric.PAYMENTS:
        return [
            (p.contract.owner_id, p.contract.owner_unit, p.amount)
            for p in Payment.objects.select_related("contract__owner_unit")
        ]
    return [
        (c.owner_id, c.owner_unit, c.amount)
        for c in Contract.objects.filter(status=ContractStatus.APPROVED).select_related("owner_unit")
    ]


def _by_hand(node: TargetNode, metric: str) -> Decimal:
    return sum(
        (
            amount
            for owner, unit, amount in _records(metric)
            if unit.path.startswith(node.department.path) and node.person_id in (None, owner)
        ),
        Decimal("0"),
    )


def _check_tree(nodes: list[TargetNode], metric: str) -> dict[int, Decimal]:
    figures = {f.node.pk: f.actual for f in attainment_for_nodes(nodes, YEAR_P, as_of=dt.date(YEAR, 12, 31))}
    for node in nodes:
        assert figures[node.pk] == _by_hand(node, metric), node
        children = [n for n in nodes if n.parent_id == node.pk]
        if children:
            assert figures[node.pk] == sum(figures[c.pk] for c in children), f"{node} ≠ sum of its children"
    return figures


def _signed(owner: Any, amount: str, day: dt.date, metric: str) -> Contract:
    """A contract recorded through the service (which stamps the owner's department), then approved."""
    contract = contract_services.contract_create(
        actor=owner,
        data={"title": "合同", "customer": make_customer(owner), "signed_on": day, "amount": Decimal(amount)},
    )
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.APPROVED)
    if metric == TargetMetric.PAYMENTS:
        Payment.objects.create(
            contract=contract, number=f"HK-M-{contract.pk}", received_on=day, amount=Decimal(amount), recorded_by=owner
        )
    return contract


@pytest.mark.parametrize("metric", [TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS])
def test_the_tree_adds_up_before_and_after_a_person_moves_team(personas: dict, metric: str) -> None:
    alice = personas["rep_alice"].user
    team1 = personas["rep_alice"].unit
    department = team1.parent
    team2 = make_department("销售二组", "t-sales-2", DepartmentKind.SALES, department)
    dan = make_employee("dan", "丹", team2, BuiltinRole.STAFF).user
    target_set = make_target_set(metric)
    root = make_node(target_set, department.parent)
    dept = make_node(target_set, department, root)
    node_team1 = make_node(target_set, team1, dept)
    alice_in_team1 = make_node(target_set, team1, node_team1, person=alice)
    node_team2 = make_node(target_set, team2, dept)
    make_node(target_set, team2, node_team2, person=dan)

    _signed(alice, "20000.00", dt.date(YEAR, 3, 5), metric)
    _signed(dan, "5000.00", dt.date(YEAR, 3, 6), metric)
    before = _check_tree(tree_nodes(target_set), metric)
    assert before[alice_in_team1.pk] == before[node_team1.pk] == Decimal("20000.00")

    employee = alice.employee
    employee.department = team2
    employee.save(update_fields=["department"])
    alice = type(alice).objects.get(pk=alice.pk)
    alice_in_team2 = make_node(target_set, team2, node_team2, person=alice)  # the target follows her
    after_move = _signed(alice, "30000.00", dt.date(YEAR, 4, 2), metric)
    assert after_move.owner_unit == team2

    after = _check_tree(tree_nodes(target_set), metric)
    assert after[alice_in_team1.pk] == after[node_team1.pk] == Decimal("20000.00")  # her earlier business stays
    assert after[alice_in_team2.pk] == Decimal("30000.00")
    assert after[node_team2.pk] == Decimal("35000.00")
    assert after[dept.pk] == after[root.pk] == Decimal("55000.00")


def test_the_attainment_page_states_the_rule(personas: dict) -> None:
    target_set = make_target_set()
    make_node(target_set, personas["rep_alice"].unit, person=personas["rep_alice"].user, monthly="100")
    make_contract(personas["rep_alice"].user, "1.00", dt.date(YEAR, 1, 2))
    client = Client()
    client.force_login(personas["auditor_dave"].user)
    body = client.get(reverse("sales:attainment", args=[target_set.pk])).content.decode()
    assert str(ATTRIBUTION_RULE)[:20] in body or 'data-testid="attribution-rule"' in body


def test_a_move_into_a_locked_tree_shows_as_other_so_the_page_still_adds_up(personas: dict) -> None:
    """No node for the newcomer in the new team (the set is locked): the team's row still equals the rows under it,
    the newcomer's business appearing as the team's "other" row."""
    alice = personas["rep_alice"].user
    team1 = personas["rep_alice"].unit
    team2 = make_department("销售二组", "t-sales-2", DepartmentKind.SALES, team1.parent)
    dan = make_employee("dan", "丹", team2, BuiltinRole.STAFF).user
    target_set = make_target_set()
    root = make_node(target_set, team1.parent.parent)
    dept = make_node(target_set, team1.parent, root)
    node_team1 = make_node(target_set, team1, dept)
    make_node(target_set, team1, node_team1, person=alice)
    node_team2 = make_node(target_set, team2, dept)
    make_node(target_set, team2, node_team2, person=dan)
    _signed(alice, "20000.00", dt.date(YEAR, 3, 5), TargetMetric.CONTRACT_AMOUNT)
    _signed(dan, "5000.00", dt.date(YEAR, 3, 6), TargetMetric.CONTRACT_AMOUNT)
    alice.employee.department = team2
    alice.employee.save(update_fields=["department"])
    _signed(type(alice).objects.get(pk=alice.pk), "30000.00", dt.date(YEAR, 4, 2), TargetMetric.CONTRACT_AMOUNT)

    client = Client()
    client.force_login(personas["auditor_dave"].user)
    body = client.get(reverse("sales:attainment", args=[target_set.pk]), {"period": str(YEAR)}).content.decode()
    actual = {int(n): Decimal(v) for n, v in re.findall(r'data-node="(\d+)"[^>]*data-actual="([-\d.]+)"', body)}
    other = {
        int(n): Decimal(v)
        for n, v in re.findall(r'data-testid="attainment-other" data-parent="(\d+)" data-actual="([-\d.]+)"', body)
    }
    nodes = tree_nodes(target_set)
    for node in nodes:
        assert actual[node.pk] == _by_hand(node, TargetMetric.CONTRACT_AMOUNT), node
        kids = [n for n in nodes if n.parent_id == node.pk]
        if kids:
            assert actual[node.pk] == sum(actual[k.pk] for k in kids) + other.get(node.pk, 0), node
    assert other == {node_team2.pk: Decimal("30000.00")}  # alice's business after the move, in her new team
