"""The sales dashboards and attainment pages: what managers, senior management and staff see, the funnel's
stage-to-stage conversion, the leaderboard, the empty state without targets, the attainment API's scope, and flat
query counts at two sizes of data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy.selectors import policy_today
from apps.sales.choices import OpportunityStage, TargetMetric
from apps.sales.models import OpportunityStageChange, PaymentPlan
from apps.sales.selectors.dashboard import funnel, leaderboard
from apps.sales.tests.factories_attainment import (
    make_contract,
    make_node,
    make_opportunity,
    make_payment,
    make_target_set,
    persona_tree,
    stage_settings,
)

pytestmark = pytest.mark.django_db


def _this_year_tree(personas: dict, metric: str = TargetMetric.CONTRACT_AMOUNT) -> dict:
    return persona_tree(personas, make_target_set(metric, year=policy_today().year))


def _reach(opportunity: Any, *stages: str) -> None:
    previous = ""
    for stage in stages:
        OpportunityStageChange.objects.create(opportunity=opportunity, from_stage=previous, to_stage=stage)
        previous = stage


def test_funnel_conversion_counts_those_that_reached_the_next_stage(personas: dict) -> None:
    alice = personas["rep_alice"].user
    for stages in (("initial", "needs", "proposal"), ("initial", "needs"), ("initial",), ("initial", "lost")):
        opportunity = make_opportunity(alice, "100.00", stage=stages[-1])
        _reach(opportunity, *stages)
    steps = {s.stage: s for s in funnel(user=personas["lead_bob"].user)}
    assert steps["initial"].reached == 4 and steps["initial"].conversion_pct == Decimal("50.0")
    assert steps["needs"].reached == 2 and steps["needs"].conversion_pct == Decimal("50.0")
    assert steps["proposal"].open_count == 1 and steps["proposal"].open_amount == Decimal("100.00")
    assert funnel(user=personas["rep_carol"].user)[0].reached == 0  # out of her scope


def test_leaderboard_ranks_people_within_scope(personas: dict) -> None:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    today = policy_today()
    make_contract(alice, "300.00", today)
    make_contract(bob, "500.00", today)
    make_contract(carol, "900.00", today)
    rows = leaderboard(user=bob, metric=TargetMetric.CONTRACT_AMOUNT, start=today, end=today)
    assert [(r.name, r.value) for r in rows] == [(bob.name, Decimal("500.00")), (alice.name, Decimal("300.00"))]
    assert [
        r.name
        for r in leaderboard(
            user=personas["auditor_dave"].user, metric=TargetMetric.CONTRACT_AMOUNT, start=today, end=today
        )
    ][0] == carol.name


def test_manager_dashboard_shows_the_department_and_the_ranking(personas: dict) -> None:
    tree = _this_year_tree(personas)
    make_contract(personas["rep_alice"].user, "7654.00", policy_today())
    body = personas["lead_bob"].client().get(reverse("sales:index")).content.decode()
    assert "chart-monthly" in body and "dashboard-data" in body
    assert reverse("sales:attainment_drilldown", args=[tree["department"].pk]) in body
    assert "7,654" in body
    ceo = personas["auditor_dave"].client().get(reverse("sales:index"), {"period": "year"}).content.decode()
    assert reverse("sales:attainment_drilldown", args=[tree["company"].pk]) in ceo


def test_staff_see_their_own_dashboard(personas: dict) -> None:
    tree = _this_year_tree(personas)
    alice = personas["rep_alice"].user
    contract = make_contract(alice, "5000.00", policy_today())
    PaymentPlan.objects.create(contract=contract, instalment=1, due_date=policy_today(), amount=Decimal("2000.00"))
    paid = PaymentPlan.objects.create(
        contract=contract, instalment=2, due_date=policy_today(), amount=Decimal("3000.00")
    )
    payment = make_payment(contract, "3000.00", policy_today())
    payment.plan = paid
    payment.save()
    make_opportunity(alice, "888.00", OpportunityStage.NEEDS, policy_today())
    body = personas["rep_alice"].client().get(reverse("sales:index")).content.decode()
    assert reverse("sales:attainment_drilldown", args=[tree["alice"].pk]) in body
    assert "payments-due" in body and f"{contract.number} #1" in body and f"{contract.number} #2" not in body
    assert "888" in body
    assert "chart-people" not in body


def test_without_approved_targets_an_empty_state_explains(personas: dict) -> None:
    body = personas["lead_bob"].client().get(reverse("sales:index")).content.decode()
    assert 'data-testid="no-targets"' in body


def test_attainment_page_and_drill_down_agree(personas: dict) -> None:
    tree = _this_year_tree(personas)
    today = policy_today()
    make_contract(personas["rep_alice"].user, "1234.50", today)
    key = f"{today.year}-{today.month:02d}"
    client = personas["lead_bob"].client()
    page = client.get(reverse("sales:attainment", args=[tree["company"].target_set.pk]), {"period": key})
    body = page.content.decode()
    assert "1,234.50" in body
    assert f'data-node="{tree["company"].pk}"' not in body  # bob sees his department down, not the company
    drill = client.get(reverse("sales:attainment_drilldown", args=[tree["team"].pk]), {"period": key})
    assert 'data-testid="drill-total">¥1,234.50' in drill.content.decode().replace("\n", "")
    assert client.get(reverse("sales:attainment_drilldown", args=[tree["company"].pk])).status_code == 404


def test_attainment_api_is_scoped_and_lists_the_records(personas: dict) -> None:
    tree = _this_year_tree(personas, TargetMetric.PAYMENTS)
    today = policy_today()
    contract = make_contract(personas["rep_alice"].user, "5000.00", today)
    make_payment(contract, "1200.00", today)
    url = "/api/v1/attainment/"
    response = personas["rep_alice"].client().get(url, {"node": tree["alice"].pk, "period": f"{today.year}-YTD"})
    assert response.status_code == 200
    data = response.json()
    assert data["actual"] == data["records_total"] == "1200.00"
    assert [r["kind"] for r in data["records"]] == ["payment"]
    assert personas["rep_alice"].client().get(url, {"node": tree["team"].pk, "period": "2026"}).status_code == 404
    assert personas["rep_alice"].client().get(url, {"node": tree["alice"].pk, "period": "x"}).status_code == 400


def _grow(personas: dict, tree: dict, people: int) -> None:
    stage_settings()
    team = personas["rep_alice"].unit
    today = policy_today()
    for n in range(people):
        user = make_employee(f"d{people}-{n}", f"员工{n}", team, BuiltinRole.STAFF).user
        make_node(tree["company"].target_set, team, tree["team"], person=user, monthly="1000")
        contract = make_contract(user, "10.00", today)
        make_payment(contract, "5.00", today)
        opportunity = make_opportunity(user, "50.00", OpportunityStage.NEEDS, today)
        _reach(opportunity, "initial", "needs")


@pytest.mark.parametrize("people", [3, 30])
def test_manager_dashboard_query_count_is_flat(personas: dict, people: int, django_assert_max_num_queries) -> None:
    tree = _this_year_tree(personas)
    _grow(personas, tree, people)
    client = personas["auditor_dave"].client()
    client.get(reverse("sales:index"))  # warm the session and the scope cache
    with django_assert_max_num_queries(30):
        assert client.get(reverse("sales:index"), {"period": "year"}).status_code == 200
    with django_assert_max_num_queries(25):
        client.get(reverse("sales:attainment", args=[tree["company"].target_set.pk]))


@pytest.mark.parametrize("people", [3, 30])
def test_staff_dashboard_query_count_is_flat(personas: dict, people: int, django_assert_max_num_queries) -> None:
    tree = _this_year_tree(personas)
    _grow(personas, tree, people)
    contract = make_contract(personas["rep_alice"].user, "10.00", policy_today())
    for n in range(people):
        PaymentPlan.objects.create(
            contract=contract, instalment=n + 1, due_date=policy_today() + dt.timedelta(n), amount=Decimal("1.00")
        )
    client = personas["rep_alice"].client()
    client.get(reverse("sales:index"))
    with django_assert_max_num_queries(25):
        assert client.get(reverse("sales:index")).status_code == 200


def _count(client: Any, url: str, params: dict | None = None) -> int:
    client.get(url, params or {})  # warm: the user's access is cached after the first page (org.scope)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_query_counts_are_identical_at_two_sizes(personas: dict) -> None:
    tree = _this_year_tree(personas)
    ceo, alice = personas["auditor_dave"].client(), personas["rep_alice"].client()
    urls = [
        (ceo, reverse("sales:index"), {"period": "year"}),
        (ceo, reverse("sales:attainment", args=[tree["company"].target_set.pk]), {}),
        (alice, reverse("sales:index"), {}),
    ]
    for client, url, params in urls:
        client.get(url, params)
    small = [_count(c, u, p) for c, u, p in urls]
    _grow(personas, tree, 40)
    large = [_count(c, u, p) for c, u, p in urls]
    assert small == large
