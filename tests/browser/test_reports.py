"""The monthly report to senior management through the real pages (policy arts. 5, 7).

sales_mgr generates 销售部's monthly report from the records, writes the commentary, raises an improvement action
and submits; ceo reads it, comments and marks it reviewed; the cockpit's charts render; a contract approved after
submission does not change the submitted report (the live figure beside it does).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from apps.org.models import Department, User
from apps.reports.models import DepartmentReport
from apps.sales.choices import TargetMetric
from apps.sales.tests.factories_attainment import make_contract, make_node, make_target_set
from tests.browser.conftest import load_demo_org, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{base}/")


def test_monthly_report_generated_commented_submitted_reviewed(live_server: Any, page: Any) -> None:
    base = live_server.url
    load_demo_org()
    today = timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    key = f"{last.year}-{last.month:02d}"
    sales = Department.objects.get(code="sales")
    sales1 = User.objects.get(username="sales1")
    target_set = make_target_set(TargetMetric.CONTRACT_AMOUNT, year=last.year)
    root = make_node(target_set, sales.parent, monthly="100000")
    make_node(target_set, sales, root, monthly="80000")
    make_contract(sales1, "60000", last.replace(day=10))
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, base, "sales_mgr")
    page.goto(f"{base}/reports/department/new/")
    page.select_option("select[name=department]", str(sales.pk))
    page.fill("input[name=period_key]", key)
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/reports/department/\d+/$"))
    report = DepartmentReport.objects.get(department=sales, period_key=key)
    assert page.get_by_test_id("snapshot-contract_amount").inner_text() == "60,000.00"
    page.get_by_test_id("edit-commentary").click()
    page.fill("textarea[name=commentary]", "本月华东组签约六万元，整体符合预期。")
    page.fill("textarea[name=causes]", "华南区两笔合同推迟。")
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(rf"/reports/department/{report.pk}/$"))
    form = page.get_by_test_id("improvement-form")
    form.locator("input[name=title]").fill("华南延迟合同专项跟进")
    form.locator("select[name=owner]").select_option(str(User.objects.get(username="south_lead").pk))
    form.locator("input[name=due_date]").fill((today + dt.timedelta(days=14)).isoformat())
    page.get_by_test_id("raise-improvement").click()
    page.wait_for_url(re.compile(rf"/reports/department/{report.pk}/$"))
    assert "华南延迟合同专项跟进" in page.get_by_test_id("report-actions").inner_text()
    page.get_by_test_id("submit-report").click()
    page.wait_for_url(re.compile(rf"/reports/department/{report.pk}/$"))
    page.get_by_test_id("frozen").wait_for()

    login(page, base, "ceo")
    page.goto(f"{base}/reports/department/{report.pk}/")
    assert "本月华东组签约六万元" in page.get_by_test_id("commentary").inner_text()
    page.fill("textarea[name=comment]", "同意，南区合同务必本月落地。")
    page.get_by_test_id("mark-reviewed").click()
    page.wait_for_url(re.compile(rf"/reports/department/{report.pk}/$"))
    assert "同意，南区合同务必本月落地。" in page.get_by_test_id("review-comment").inner_text()
    report.refresh_from_db()
    assert report.status == "reviewed"

    # A contract approved afterwards: the report keeps its snapshot; the live figure beside it moves.
    make_contract(sales1, "15000", last.replace(day=20))
    page.goto(f"{base}/reports/department/{report.pk}/?live=1")
    assert page.get_by_test_id("snapshot-contract_amount").inner_text() == "60,000.00"
    assert page.get_by_test_id("live-contract_amount").inner_text() == "75,000.00"

    # The cockpit's charts render (ECharts draws a canvas in each box).
    page.goto(f"{base}/reports/cockpit/?period=custom&start={last.replace(day=1).isoformat()}&end={last.isoformat()}")
    for chart in ("chart-monthly", "chart-funnel", "chart-trend"):
        page.locator(f"[data-testid={chart}] canvas").first.wait_for()
    assert page.get_by_test_id("value-contract_amount").inner_text() == "75,000.00"
    assert page.get_by_test_id("value-attained").inner_text() == "75,000.00"
    screenshot(page, "reports-cockpit")
