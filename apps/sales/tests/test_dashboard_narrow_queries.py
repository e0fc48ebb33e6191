"""The sales dashboard's narrow queries (issue 14): the leaderboard reads the contracts of the period with the
viewer's scope as a plain condition, and the funnel reads the visible opportunities once, grouped by stage and the
stages reached. Both are recomputed here from the raw rows for every viewer — after a refund, a contract of
another team, a move to another team and a contract signed at a month end (Asia/Shanghai) — and their query
counts stay the same at two sizes of data."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.org.models import Employee
from apps.sales.choices import OPEN_STAGES, ContractStatus, TargetMetric
from apps.sales.models import Contract, Opportunity, OpportunityStageChange, Payment
from apps.sales.selectors.dashboard import FUNNEL_STAGES, funnel, leaderboard
from apps.sales.tests.factories_attainment import make_contract, make_opportunity, make_payment

pytestmark = pytest.mark.django_db

VIEWERS = ("rep_alice", "lead_bob", "rep_carol", "auditor_dave")
METRICS = (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS, TargetMetric.NEW_CUSTOMERS)
MONTH_END = dt.date(2026, 5, 31)  # the last day of May in Asia/Shanghai: counts in May, not June


def _expected_board(user: Any, metric: str, start: dt.date, end: dt.date) -> list[tuple[int, Decimal]]:
    """The leaderboard by its definition, from the raw rows in Python."""
    visible = set(Contract.objects.visible_to(user).values_list("pk", flat=True))
    approved = {c.pk: c for c in Contract.objects.filter(status=ContractStatus.APPROVED)}
    totals: dict[int, Decimal] = defaultdict(Decimal)
    if metric == TargetMetric.PAYMENTS:
        for p in Payment.objects.all():
            contract = approved.get(p.contract_id)
            if contract and p.contract_id in visible and start <= p.received_on <= end:
                totals[contract.owner_id] += p.amount
    elif metric == TargetMetric.NEW_CUSTOMERS:
        first: dict[int, Contract] = {}
        for c in sorted(approved.values(), key=lambda c: (c.signed_on, c.pk)):
            first.setdefault(c.customer_id, c)
        customers: dict[int, set[int]] = defaultdict(set)
        for c in first.values():
            if c.pk in visible and start <= c.signed_on <= end:
                customers[c.owner_id].add(c.customer_id)
        totals = {owner: Decimal(len(ids)) for owner, ids in customers.items()}
    else:
        for c in approved.values():
            if c.pk in visible and start <= c.signed_on <= end:
                totals[c.owner_id] += c.amount
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:10]


def _expected_open(user: Any) -> list[tuple[int, Decimal]]:
    rows = list(Opportunity.objects.visible_to(user).filter(stage__in=OPEN_STAGES))
    return [
        (
            sum(1 for o in rows if o.stage == stage),
            sum((o.amount for o in rows if o.stage == stage), Decimal("0")),
        )
        for stage in FUNNEL_STAGES
    ]


def _business(personas: dict, rng: random.Random) -> None:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    for owner in (alice, alice, bob, carol):
        for day in (dt.date(2026, 5, 1), MONTH_END, dt.date(2026, 6, 1)):
            contract = make_contract(owner, f"{rng.randrange(1, 90) * 100}.00", day)
            paid = make_payment(contract, "300.00", day)
            if rng.random() < 0.5:  # an approved refund: a negative payment dated the day of approval
                make_payment(contract, "-100.00", day)
            make_contract(owner, "50.00", day, customer=contract.customer)  # the customer's second contract
            make_contract(owner, "70.00", day, status=ContractStatus.PENDING)
            assert paid.amount > 0
    for stage in ("initial", "needs", "proposal", "negotiation", "won", "lost"):
        for owner in (alice, bob, carol):
            opportunity = make_opportunity(owner, f"{rng.randrange(1, 50)}.50", stage=stage)
            for target in rng.sample(list(FUNNEL_STAGES), rng.randrange(0, 3)):
                OpportunityStageChange.objects.create(opportunity=opportunity, to_stage=target)


def _move_alice_to_carols_team(personas: dict) -> None:
    """Alice moves team: her earlier contracts keep their stamp, what she signs afterwards carries the new one."""
    alice, carol = personas["rep_alice"].user, personas["rep_carol"].user
    Employee.objects.filter(user=alice).update(department=carol.employee.department)
    alice.employee.refresh_from_db()
    make_contract(alice, "4321.00", MONTH_END)


def _check(personas: dict) -> None:
    periods = [(dt.date(2026, 5, 1), MONTH_END), (dt.date(2026, 6, 1), dt.date(2026, 6, 30))]
    for key in VIEWERS:
        user = personas[key].user
        for metric in METRICS:
            for start, end in periods:
                got = [(r.owner_id, r.value) for r in leaderboard(user=user, metric=metric, start=start, end=end)]
                assert got == _expected_board(user, metric, start, end), (key, metric, start)
        assert [(s.open_count, s.open_amount) for s in funnel(user=user)] == _expected_open(user), key


def test_the_leaderboard_and_the_funnel_equal_their_definitions(personas: dict) -> None:
    _business(personas, random.Random(14))
    _check(personas)
    _move_alice_to_carols_team(personas)
    _check(personas)


def test_the_month_end_in_shanghai_counts_in_its_own_month(personas: dict) -> None:
    alice = personas["rep_alice"].user
    make_contract(alice, "800.00", MONTH_END)
    may = leaderboard(user=alice, metric=TargetMetric.CONTRACT_AMOUNT, start=dt.date(2026, 5, 1), end=MONTH_END)
    june = leaderboard(
        user=alice, metric=TargetMetric.CONTRACT_AMOUNT, start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30)
    )
    assert [(r.owner_id, r.value) for r in may] == [(alice.pk, Decimal("800.00"))] and june == []


def _queries(fn: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return len(captured)


@pytest.mark.parametrize("viewer", ["lead_bob", "auditor_dave"])
def test_the_leaderboard_and_the_funnel_run_one_query_each_at_two_sizes(personas: dict, viewer: str) -> None:
    user = personas[viewer].user
    start, end = dt.date(2026, 5, 1), dt.date(2026, 6, 30)
    calls = [lambda m=m: leaderboard(user=user, metric=m, start=start, end=end) for m in METRICS]
    calls.append(lambda: funnel(user=user))
    for call in calls:
        call()  # the viewer's scope is resolved once (cached)
    _business(personas, random.Random(1))
    small = [_queries(call) for call in calls]
    for seed in range(2, 5):
        _business(personas, random.Random(seed))
    with CaptureQueriesContext(connection) as captured:
        large = [_queries(call) for call in calls]
    assert small == large == [1, 1, 1, 1]
    # the scope is a condition on the period's contracts, not a list of every contract the viewer may see
    assert all('"id" IN (SELECT' not in q["sql"] for q in captured.captured_queries)


def test_postgresql_answers_attainment_and_the_leaderboard_from_covering_indexes() -> None:
    """Migration 0007 (PostgreSQL only): the approved contracts of a period and the payments of a period are read
    from an index holding every column attainment and the leaderboard need; a customer's earlier approved contract
    is found by an index of approved contracts by customer."""
    if connection.vendor != "postgresql":
        # INCLUDE and partial expression indexes are PostgreSQL's: on SQLite the migration leaves the schema alone and
        # the models' plain indexes serve.
        with connection.cursor() as cursor:
            names = {
                name
                for table in ("sales_contract", "sales_payment")
                for name in connection.introspection.get_constraints(cursor, table)
            }
        assert not names & {
            "sales_contract_approved_cover",
            "sales_payment_received_cover",
            "sales_contract_approved_customer",
        }
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE %s", ["sales_%_cover"])
        found = dict(cursor.fetchall())
    assert "WHERE ((status)::text = 'approved'::text)" in found["sales_contract_approved_cover"]
    assert (
        "INCLUDE (owner_id, owner_unit_id, customer_id, amount, signed_amount)"
        in found["sales_contract_approved_cover"]
    )
    assert "INCLUDE (contract_id, amount)" in found["sales_payment_received_cover"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", ["sales_contract_approved_customer"])
        (first_contract,) = cursor.fetchone()
    assert "(customer_id, signed_on, id) WHERE ((status)::text = 'approved'::text)" in first_contract
