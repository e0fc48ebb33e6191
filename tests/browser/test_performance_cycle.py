"""A quarter's assessment through the real pages (policy arts. 11–13).

ceo computes the open 2026 Q4 cycle (the progress shows 100 %); sales_mgr reviews sales1's scorecard and scores the
hand-scored KPI; sales1 sees the scorecard, drills from the contract-amount KPI to the contracts it counted, and
appeals; ceo upholds the appeal with a new score, finalises and publishes the cycle.

Set-up: the demo organisation and policy, an approved base target for sales1 and two approved contracts of sales1
this quarter (made directly); the other scorecards are reviewed through the service so that the cycle can be
finalised — the browser walks the journey of the four people the issue names.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from apps.org.models import Department, User
from apps.performance import services
from apps.performance.models import Assessment, AssessmentCycle
from apps.policy.choices import KpiCode
from apps.sales.choices import TargetMetric
from apps.sales.tests.factories_attainment import make_contract, make_node, make_target_set
from tests.browser.conftest import load_demo_org, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return gettext(message)


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/")


def test_a_quarter_assessed_computed_reviewed_drilled_appealed_decided_published(live_server: Any, page: Any) -> None:
    base = live_server.url
    load_demo_org()
    ceo, sales_mgr, sales1 = (User.objects.get(username=u) for u in ("ceo", "sales_mgr", "sales1"))
    east = Department.objects.get(code="sales-east")
    target_set = make_target_set(TargetMetric.CONTRACT_AMOUNT, year=2026)
    root = make_node(target_set, east.parent, monthly="100000")
    make_node(target_set, east, root, person=sales1, monthly="50000")
    contracts = [
        make_contract(sales1, "60000", dt.date(2026, 10, 15)),
        make_contract(sales1, "45000", dt.date(2026, 11, 3)),
    ]
    cycle = services.cycle_create(actor=ceo, period_key="2026-Q4")

    # ceo computes; the job runs in-process here, and the page shows its progress at 100 %.
    login(page, base, "ceo")
    page.goto(f"{base}/performance/cycles/{cycle.pk}/")
    page.get_by_test_id("compute").click()
    page.wait_for_url(re.compile(rf"/performance/cycles/{cycle.pk}/"))
    progress = page.get_by_test_id("cycle-progress")
    assert progress.get_attribute("data-progress") == "100"
    assert progress.get_attribute("data-status") == "computed"
    card = Assessment.objects.get(cycle=cycle, owner=sales1)
    for other in Assessment.objects.filter(cycle=cycle, subject_kind="person").exclude(owner=sales1):
        services.assessment_review(actor=ceo, assessment=other, hand_scores={KpiCode.MANAGER_RATING: "75"})

    # sales_mgr reviews sales1 and scores the manager's rating.
    login(page, base, "sales_mgr")
    page.goto(f"{base}/performance/assessments/{card.pk}/")
    page.fill(f"input[name=hand_{KpiCode.MANAGER_RATING}]", "88")
    page.fill("textarea[name=comment]", "华东大客户推进有力")
    page.get_by_test_id("review").click()
    page.wait_for_url(re.compile(rf"/performance/assessments/{card.pk}/"))
    rating_row = page.locator(f"[data-kpi='{KpiCode.MANAGER_RATING}']")
    assert "88.00" in rating_row.inner_text()

    # sales1 sees the scorecard, drills to the contracts counted, and appeals.
    login(page, base, "sales1")
    page.goto(f"{base}/performance/mine/")
    page.get_by_test_id("my-card").first.locator("a").click()
    page.wait_for_url(re.compile(rf"/performance/assessments/{card.pk}/"))
    card.refresh_from_db()
    assert page.get_by_test_id("total").inner_text() == str(card.total)
    page.locator(f"[data-kpi='{KpiCode.CONTRACT_AMOUNT_COMPLETION}'] [data-testid=drill]").click()
    rows = page.get_by_test_id("record-row")
    assert rows.count() == 2
    body = page.content()
    assert all(c.number in body for c in contracts)
    screenshot(page, "performance-drill-down")
    page.go_back()
    page.fill("textarea[name=reason]", "十月的框架协议应计入本季度")
    page.get_by_test_id("appeal-submit").click()
    page.wait_for_url(re.compile(rf"/performance/assessments/{card.pk}/"))
    assert page.get_by_test_id("appeal").is_visible()

    # ceo upholds the appeal with a new score, finalises and publishes.
    login(page, base, "ceo")
    page.goto(f"{base}/performance/assessments/{card.pk}/")
    page.select_option("select[name=upheld]", "1")
    page.fill("input[name=new_total]", "91")
    page.fill("textarea[name=decision]", "核实后计入，调整为 91 分")
    page.get_by_test_id("decide-appeal").click()
    page.wait_for_url(re.compile(rf"/performance/assessments/{card.pk}/"))
    assert "91.00" in page.get_by_test_id("total").inner_text()
    page.goto(f"{base}/performance/cycles/{cycle.pk}/")
    if page.get_by_test_id("distribute").count():
        page.get_by_test_id("distribute").click()
    page.get_by_test_id("finalise").click()
    page.get_by_test_id("publish").click()
    page.wait_for_url(re.compile(rf"/performance/cycles/{cycle.pk}/"))
    assert AssessmentCycle.objects.get(pk=cycle.pk).status == "published"
    screenshot(page, "performance-cycle-published")

    # sales1 reads the decision.
    login(page, base, "sales1")
    page.goto(f"{base}/performance/assessments/{card.pk}/")
    assert "核实后计入" in page.get_by_test_id("appeal-decision").inner_text()
    assert Decimal(page.get_by_test_id("total").inner_text()) == Decimal("91.00")
