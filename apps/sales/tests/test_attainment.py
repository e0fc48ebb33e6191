"""Attainment (目标完成度): actuals recomputed by hand from the records equal the selector at every level of the
tree; only approved contracts count; each metric uses its own date; forecast components; drill-down totals; and
the whole tree in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.sales.choices import ContractStatus, OpportunityStage, TargetMetric
from apps.sales.models import Contract
from apps.sales.selectors.attainment import (
    attainment_for_nodes,
    counted_records,
    elapsed_days,
    make_period,
    node_attainment,
    parse_period,
    tree_nodes,
)
from apps.sales.tests.factories_attainment import (
    YEAR,
    make_contract,
    make_customer,
    make_node,
    make_opportunity,
    make_payment,
    make_target_set,
    persona_tree,
    stage_settings,
)

pytestmark = pytest.mark.django_db
MAY = make_period("month", YEAR, 5)
YEAR_P = make_period("year", YEAR)
END_OF_YEAR = dt.date(YEAR, 12, 31)


def _by_hand(records: list[Contract], start: dt.date, end: dt.date, in_scope) -> Decimal:
    return sum(
        (
            c.amount
            for c in records
            if c.status == ContractStatus.APPROVED and start <= c.signed_on <= end and in_scope(c)
        ),
        Decimal("0"),
    )


def test_actual_equals_the_sum_by_hand_at_every_level(personas: dict) -> None:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    tree = persona_tree(personas, make_target_set())
    records = [
        make_contract(alice, "120000.00", dt.date(YEAR, 5, 3)),
        make_contract(alice, "30000.50", dt.date(YEAR, 5, 31)),
        make_contract(alice, "99999.00", dt.date(YEAR, 6, 1)),  # next month
        make_contract(bob, "50000.00", dt.date(YEAR, 5, 10)),  # the department, not the team
        make_contract(carol, "70000.00", dt.date(YEAR, 5, 12)),  # service department: only the company
        make_contract(alice, "888.00", dt.date(YEAR - 1, 5, 12)),  # last year
    ]
    start, end = MAY.start, MAY.end
    scopes = {
        "alice": lambda c: c.owner_id == alice.pk,
        "team": lambda c: c.owner_unit.path.startswith(tree["team"].department.path),
        "department": lambda c: c.owner_unit.path.startswith(tree["department"].department.path),
        "company": lambda c: True,
    }
    figures = {
        f.node.pk: f for f in attainment_for_nodes(tree_nodes(tree["company"].target_set), MAY, as_of=END_OF_YEAR)
    }
    for key, in_scope in scopes.items():
        assert figures[tree[key].pk].actual == _by_hand(records, start, end, in_scope), key
    assert figures[tree["alice"].pk].actual == Decimal("150000.50")
    assert figures[tree["company"].pk].actual == Decimal("270000.50")


def test_one_approved_contract_moves_every_ancestor_by_exactly_its_amount(personas: dict) -> None:
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set())
    make_contract(alice, "1000.00", dt.date(YEAR, 3, 1))
    nodes = tree_nodes(tree["company"].target_set)
    before = {f.node.pk: f.actual for f in attainment_for_nodes(nodes, YEAR_P, as_of=END_OF_YEAR)}
    contract = make_contract(alice, "12345.67", dt.date(YEAR, 4, 2), status=ContractStatus.PENDING)
    assert {f.node.pk: f.actual for f in attainment_for_nodes(nodes, YEAR_P, as_of=END_OF_YEAR)} == before
    contract.status = ContractStatus.APPROVED
    contract.save(update_fields=["status"])
    after = {f.node.pk: f.actual for f in attainment_for_nodes(nodes, YEAR_P, as_of=END_OF_YEAR)}
    assert {pk: after[pk] - before[pk] for pk in after} == dict.fromkeys(after, Decimal("12345.67"))


@pytest.mark.parametrize(
    "status",
    [
        ContractStatus.DRAFT,
        ContractStatus.PENDING,
        ContractStatus.REJECTED,
        ContractStatus.WITHDRAWN,
        ContractStatus.VOIDED,
    ],
)
def test_contracts_not_approved_never_count(personas: dict, status: str) -> None:
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set())
    contract = make_contract(alice, "5000.00", dt.date(YEAR, 5, 3), status=status)
    make_payment(contract, "1000.00", dt.date(YEAR, 5, 4))
    for metric in TargetMetric.values:
        tree["alice"].target_set.metric = metric
        assert node_attainment(tree["alice"], MAY, as_of=END_OF_YEAR).actual == 0, metric
        assert counted_records(tree["alice"], MAY).rows == [], metric


def test_payments_count_by_received_on(personas: dict) -> None:
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set(TargetMetric.PAYMENTS))
    contract = make_contract(alice, "100000.00", dt.date(YEAR, 4, 20))  # signed in April
    make_payment(contract, "30000.00", dt.date(YEAR, 5, 2))
    make_payment(contract, "20000.00", dt.date(YEAR, 5, 31))
    make_payment(contract, "40000.00", dt.date(YEAR, 6, 1))
    for key in ("alice", "team", "department", "company"):
        assert node_attainment(tree[key], MAY, as_of=END_OF_YEAR).actual == Decimal("50000.00"), key
    assert node_attainment(tree["alice"], make_period("month", YEAR, 4), as_of=END_OF_YEAR).actual == 0
    drill = counted_records(tree["company"], MAY)
    assert [p.amount for p in drill.rows] == [Decimal("30000.00"), Decimal("20000.00")]
    assert drill.total == Decimal("50000.00")


def test_new_customer_counts_once_at_its_first_approved_contract(personas: dict) -> None:
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set(TargetMetric.NEW_CUSTOMERS), monthly="2")
    returning = make_customer(alice)
    make_contract(alice, "100.00", dt.date(YEAR, 2, 1), customer=returning)  # first in February
    make_contract(alice, "100.00", dt.date(YEAR, 5, 5), customer=returning)  # again in May: not new
    fresh = make_customer(alice)
    make_contract(alice, "100.00", dt.date(YEAR, 5, 6), customer=fresh)
    make_contract(alice, "100.00", dt.date(YEAR, 5, 20), customer=fresh)  # second contract the same month
    make_contract(alice, "100.00", dt.date(YEAR, 4, 1), customer=fresh, status=ContractStatus.VOIDED)
    figures = node_attainment(tree["alice"], MAY, as_of=END_OF_YEAR)
    assert figures.actual == 1
    assert figures.completion_pct == Decimal("50.0")
    assert node_attainment(tree["company"], make_period("month", YEAR, 2), as_of=END_OF_YEAR).actual == 1
    assert [c.customer_id for c in counted_records(tree["alice"], MAY).rows] == [fresh.pk]


def test_time_elapsed_is_capped_and_measured_in_days() -> None:
    assert elapsed_days(MAY, dt.date(YEAR, 4, 30)) == 0
    assert elapsed_days(MAY, dt.date(YEAR, 5, 1)) == 1
    assert elapsed_days(MAY, dt.date(YEAR, 5, 31)) == 31
    assert elapsed_days(MAY, dt.date(YEAR, 7, 1)) == 31
    assert parse_period("2026-Q2").months == (4, 5, 6)
    assert parse_period("2026-ytd", today=dt.date(2026, 5, 10)).end == dt.date(2026, 5, 10)
    with pytest.raises(ValueError):
        parse_period("2026-13")


def test_forecast_blends_run_rate_and_pipeline_by_the_share_of_the_period_elapsed(personas: dict) -> None:
    stage_settings()
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set(), monthly="100000")
    make_contract(alice, "31000.00", dt.date(YEAR, 5, 3))
    make_opportunity(alice, "20000.00", OpportunityStage.PROPOSAL, dt.date(YEAR, 5, 25))  # 50 %
    make_opportunity(alice, "10000.00", OpportunityStage.NEGOTIATION, dt.date(YEAR, 5, 31))  # 70 %
    make_opportunity(alice, "90000.00", OpportunityStage.PROPOSAL, dt.date(YEAR, 6, 2))  # after the period
    make_opportunity(alice, "90000.00", OpportunityStage.PROPOSAL, dt.date(YEAR, 5, 5))  # already past as_of
    make_opportunity(alice, "90000.00", OpportunityStage.WON, dt.date(YEAR, 5, 25))  # not open
    figures = node_attainment(tree["alice"], MAY, as_of=dt.date(YEAR, 5, 10))
    assert figures.elapsed_pct == Decimal("32.3")  # 10 of 31 days
    assert figures.pipeline == Decimal("17000.00")
    assert figures.run_rate == Decimal("65100.00")  # 31000 / 10 days × 21 remaining days
    # 10 of 31 days elapsed: the run rate weighs 10/31, the pipeline 21/31 (rounded half-up to the fen).
    run_part = (Decimal("65100.00") * 10 / 31).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    pipe_part = (Decimal("17000.00") * 21 / 31).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert (figures.run_rate_part, figures.pipeline_part) == (run_part, pipe_part)
    assert figures.forecast == Decimal("31000.00") + run_part + pipe_part
    assert figures.gap == Decimal("69000.00")
    assert figures.completion_pct == Decimal("31.0")
    assert figures.behind is True
    company = node_attainment(tree["company"], MAY, as_of=dt.date(YEAR, 5, 10))
    assert (company.pipeline, company.run_rate) == (figures.pipeline, figures.run_rate)


def test_drill_down_rows_sum_to_the_actual(personas: dict) -> None:
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    tree = persona_tree(personas, make_target_set())
    for day, amount in ((3, "1.10"), (9, "2.20"), (28, "3.30")):
        make_contract(alice, amount, dt.date(YEAR, 5, day))
    make_contract(bob, "4.40", dt.date(YEAR, 5, 4))
    make_contract(bob, "4.40", dt.date(YEAR, 5, 4), status=ContractStatus.REJECTED)
    for key in ("alice", "team", "department", "company"):
        drill = counted_records(tree[key], MAY)
        assert drill.total == sum(c.amount for c in drill.rows)
        assert drill.total == node_attainment(tree[key], MAY, as_of=END_OF_YEAR).actual, key
    assert counted_records(tree["department"], MAY).total == Decimal("11.00")


def _big_tree(personas: dict, people: int) -> list:
    target_set = make_target_set()
    tree = persona_tree(personas, target_set)
    team = personas["rep_alice"].unit
    for n in range(people):
        user = make_employee(f"p{people}-{n}", f"员工{n}", team, BuiltinRole.STAFF).user
        make_node(target_set, team, tree["team"], person=user, monthly="1000")
        make_contract(user, "10.00", dt.date(YEAR, 1 + n % 12, 5))
    return tree_nodes(target_set)


@pytest.mark.parametrize("people", [10, 200])
def test_whole_tree_in_a_constant_number_of_queries(personas: dict, people: int) -> None:
    stage_settings()
    nodes = _big_tree(personas, people)
    with CaptureQueriesContext(connection) as queries:
        figures = attainment_for_nodes(tree_nodes(nodes[0].target_set), YEAR_P, as_of=dt.date(YEAR, 6, 30))
    assert len(figures) == people + 4
    assert len(queries) == 5  # nodes, stage settings, contracts, amendments, pipeline
    assert figures[0].actual == Decimal("10.00") * people


def test_the_year_to_date_choice_reads_in_the_interface_language() -> None:
    """ "2026 YTD" was English in the Chinese period switcher."""
    from django.utils import translation

    from apps.sales.views.attainment import period_options

    with translation.override("zh-hans"):
        assert dict(period_options(2026))["2026-YTD"] == "2026年初至今"
    with translation.override("en"):
        assert dict(period_options(2026))["2026-YTD"] == "2026, year to date"
