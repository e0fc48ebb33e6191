"""Rounding is half-up (四舍五入) everywhere in sales, as a finance reader expects: half a fen, half a tenth of a
percent and half a percent of progress round up, never to the even neighbour."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from apps.sales.models import ContractLine
from apps.sales.selectors.attainment import make_period, node_attainment, pct
from apps.sales.selectors.plans import plan_progress
from apps.sales.services.contracts import contract_amount
from apps.sales.tests.factories_attainment import YEAR, make_contract, make_node, make_target_set

pytestmark = pytest.mark.django_db


def test_percentages_round_half_up() -> None:
    assert pct(Decimal("1"), Decimal("16")) == Decimal("6.3")  # 6.25: half-to-even gave 6.2
    assert pct(Decimal("1"), Decimal("80")) == Decimal("1.3")  # 1.25


def test_attainment_completion_rounds_half_up_on_the_api(personas: dict) -> None:
    alice = personas["rep_alice"]
    target_set = make_target_set()
    node = make_node(target_set, alice.unit, person=alice.user, monthly="1600")
    make_contract(alice.user, "100.00", dt.date(YEAR, 2, 3))
    february = make_period("month", YEAR, 2)
    assert node_attainment(node, february).completion_pct == Decimal("6.3")
    answer = alice.client().get("/api/v1/attainment/", {"node": node.pk, "period": february.key}).json()
    assert answer["completion_pct"] == "6.3"
    assert answer["target"] == "1600.00" and answer["actual"] == "100.00"  # money as strings
    assert all(isinstance(r["amount"], str) for r in answer["records"])


def test_money_rounds_half_up_to_the_fen() -> None:
    line = ContractLine(quantity=Decimal("1"), unit_price=Decimal("0.25"), discount_pct=Decimal("50"))
    assert line.amount == Decimal("0.13")  # 0.125
    lines = [{"quantity": Decimal("1"), "unit_price": Decimal("0.25"), "discount_pct": Decimal("50")}]
    assert contract_amount(lines, Decimal("0"), None) == Decimal("0.13")
    assert contract_amount([], Decimal("0"), Decimal("10.005")) == Decimal("10.01")


def test_plan_progress_rounds_half_up() -> None:
    assert plan_progress([SimpleNamespace(progress=50), SimpleNamespace(progress=75)]) == 63  # 62.5
    assert plan_progress([SimpleNamespace(progress=0), SimpleNamespace(progress=5)]) == 3  # 2.5
