"""The market development dashboard: scope, figures, period choice, and a query count that does not grow with
the number of records."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.marketing.selectors import campaigns as campaign_selectors
from apps.marketing.selectors import dashboard as selectors
from apps.marketing.tests.factories_plans import PlanFactory, add_goals, make_campaign, make_lead, make_visit


def _fill(personas: dict, plans: list, n: int) -> None:
    today = timezone.localdate()
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    for i in range(n):
        campaign = make_campaign(alice, start=today, plan=plans[i % len(plans)])
        lead = make_lead(
            alice,
            created=today,
            campaign=campaign,
            qualified=today if i % 2 else None,
            converted=today if i % 3 == 0 else None,
        )
        make_lead(bob, created=today, plan=plans[0])
        make_visit(alice, on=today, lead=lead)


@pytest.fixture
def plans(personas: dict) -> list:
    today = timezone.localdate()
    result = []
    for owner in ("rep_alice", "lead_bob"):
        plan = PlanFactory(
            owner=personas[owner].user,
            period_start=today - dt.timedelta(days=10),
            period_end=today + dt.timedelta(days=80),
        )
        add_goals(plan, new_leads=10, visits=5, new_customer_revenue=1000)
        result.append(plan)
    return result


def _queries(client: Any) -> int:
    client.get(reverse("marketing:index"), {"period": "month"})  # warm: the user's access is cached (org.scope)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("marketing:index"), {"period": "month"})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_query_count_is_flat_at_two_data_sizes(personas: dict, plans: list) -> None:
    client = personas["lead_bob"].client()
    _fill(personas, plans, 3)
    small = _queries(client)
    _fill(personas, plans, 30)
    assert _queries(client) == small
    assert small <= 25


def test_the_funnel_counts_stages_and_rates(personas: dict, plans: list) -> None:
    today = timezone.localdate()
    alice = personas["rep_alice"].user
    make_lead(alice, created=today)
    make_lead(alice, created=today, status="contacting")
    make_lead(alice, created=today, status="converted", qualified=today, handed=today, converted=today)
    make_lead(alice, created=today, status="qualified", qualified=today)
    steps = {s.key: s for s in selectors.lead_funnel(user=alice, start=today, end=today)}
    assert [steps[k].count for k in ("new", "contacting", "qualified", "handed_over", "converted")] == [4, 3, 2, 1, 1]
    assert str(steps["qualified"].from_previous_pct) == "66.7" and str(steps["converted"].from_first_pct) == "25.0"


def test_staff_see_their_own_figures_managers_their_tree(personas: dict, plans: list) -> None:
    today = timezone.localdate()
    make_lead(personas["rep_alice"].user, created=today)
    make_lead(personas["lead_bob"].user, created=today)
    make_lead(personas["rep_carol"].user, created=today)
    count = {
        k: selectors.lead_funnel(user=personas[k].user, start=today, end=today)[0].count
        for k in ("rep_alice", "lead_bob", "auditor_dave")
    }
    assert count == {"rep_alice": 1, "lead_bob": 2, "auditor_dave": 3}


def test_campaign_roi_says_revenue_is_not_measured_yet(personas: dict, plans: list, monkeypatch) -> None:
    monkeypatch.setattr(campaign_selectors, "_revenue_provider", [])  # as before sales registers its measure
    today = timezone.localdate()
    alice = personas["rep_alice"].user
    campaign = make_campaign(alice, start=today, cost="3000")
    for _ in range(3):
        make_lead(alice, created=today, campaign=campaign)
    m = selectors.campaign_roi(user=alice, start=today, end=today)[0].metrics
    assert (m.leads, str(m.cost_per_lead), m.revenue, m.roi_pct) == (3, "1000.00", None, None)
    body = personas["rep_alice"].client().get(reverse("marketing:index")).content.decode()
    assert 'data-testid="revenue-note"' in body and 'id="dashboard-data"' in body


def _span(period: selectors.Period) -> tuple[dt.date, dt.date]:
    return period.start, period.end


def test_periods() -> None:
    today = dt.date(2025, 5, 20)
    assert _span(selectors.resolve_period("month", None, None, today)) == (dt.date(2025, 5, 1), dt.date(2025, 5, 31))
    assert _span(selectors.resolve_period("quarter", None, None, today)) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    assert _span(selectors.resolve_period("year", None, None, today)) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    custom = selectors.resolve_period("custom", dt.date(2025, 3, 1), dt.date(2025, 1, 1), today)
    assert (custom.start, custom.end) == (dt.date(2025, 1, 1), dt.date(2025, 3, 1))
