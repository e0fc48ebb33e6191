"""Market development as the people who do it (policy arts. 3, 4, 6, 8), driven through the real pages.

mkt1 drafts a plan with measurable goals and submits it; mkt_mgr approves it. mkt1 runs a market study that names
a potential customer (a lead), holds a campaign under the plan, brings the lead into the campaign, visits it,
qualifies it and hands it to sales1, who converts it into a customer. Nobody types a figure: the campaign's
conversions and the plan's "new customers" actual move by themselves. mkt_mgr evaluates the plan, sees the
computed completion, raises an improvement action and completes the evaluation.

Set-up loads only the org demo (accounts, password demo12345) and puts the seeded policy back if a transactional
test before flushed it; everything else, the plan included, happens in the browser.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from apps.org.models import User
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.helpers import login, logout, pk_from, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "南京云帆精密制造有限公司"
OTHER_COMPANY = "苏州启明电子科技有限公司"


def save_and_wait(page: Any, url_pattern: str) -> None:
    """Click the form's save button and wait for the page it redirects to (a form error would stay put)."""
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(url_pattern))


def goal_cell(page: Any, metric: str, testid: str) -> Any:
    return page.locator(f"[data-testid=goal-lines] tr[data-metric={metric}] [data-testid={testid}]")


def test_market_development_from_research_to_evaluation(live_server: Any, page: Any) -> None:
    load_demo_org()
    base = live_server.url
    from playwright.sync_api import expect

    today = timezone.localdate()
    start, end = today - dt.timedelta(days=14), today + dt.timedelta(days=76)
    sales1 = User.objects.get(username="sales1")

    # mkt1 drafts the market development plan with two measurable goal lines and submits it.
    login(page, base, "mkt1")
    page.goto(f"{base}/marketing/plans/new/")
    page.fill("input[name=title]", "华东智能制造市场开发计划")
    page.fill("input[name=period_start]", start.isoformat())
    page.fill("input[name=period_end]", end.isoformat())
    page.fill("input[name=budget]", "200000")
    page.fill("textarea[name=strategic_goal]", "三年内成为华东智能制造领域的主要供应商")
    page.fill("textarea[name=expansion_strategy]", "以南京、苏州为支点，重点突破精密制造企业")
    page.select_option("select[name=goals-0-metric]", "new_customers")
    page.fill("input[name=goals-0-target_value]", "2")
    page.select_option("select[name=goals-1-metric]", "new_leads")
    page.fill("input[name=goals-1-target_value]", "4")
    save_and_wait(page, r"/marketing/plans/\d+/$")
    plan_url = page.url
    page.get_by_test_id("plan-submit").click()
    expect(page.get_by_test_id("plan-submit")).to_have_count(0)
    logout(page, base)

    # mkt_mgr, the market development manager, approves it.
    login(page, base, "mkt_mgr")
    page.goto(plan_url)
    page.get_by_test_id("approval-box").locator("input[name=comment]").fill("目标清晰，同意执行")
    page.get_by_test_id("plan-approve").click()
    expect(page.get_by_test_id("approval-box")).to_have_count(0)
    expect(page.locator(".page-header h1")).to_contain_text(zh("Approved"))
    logout(page, base)

    # mkt1 starts executing it.
    login(page, base, "mkt1")
    page.goto(plan_url)
    page.get_by_test_id("plan-start").click()
    expect(page.locator(".page-header h1")).to_contain_text(zh("In execution"))
    expect(goal_cell(page, "new_customers", "actual")).to_have_text("0")

    # Research: the study names a target market and the potential customer it found becomes a lead.
    page.goto(f"{base}/marketing/research/new/")
    page.fill("input[name=subject]", "长三角精密制造企业数字化需求调研")
    page.fill("input[name=target_market]", "长三角精密制造")
    page.fill("input[name=segment]", "年营收 1–5 亿元的零部件企业")
    page.select_option("select[name=method]", "interview")
    page.fill("input[name=period_start]", start.isoformat())
    page.fill("input[name=period_end]", today.isoformat())
    page.select_option("select[name=status]", "completed")
    page.fill("textarea[name=findings]", "多数企业计划两年内上线 MES，关注交付周期与本地服务")
    save_and_wait(page, r"/marketing/research/\d+/$")
    research_url = page.url
    page.get_by_test_id("research-leads").click()
    page.fill("input[name=leads-0-company_name]", COMPANY)
    page.fill("input[name=leads-0-contact_name]", "周建国")
    page.fill("input[name=leads-0-mobile]", "13951234567")
    page.fill("input[name=leads-0-region]", "江苏省 南京市")
    save_and_wait(page, re.escape(research_url) + "$")
    lead_link = page.get_by_role("link", name=COMPANY)
    expect(lead_link).to_be_visible()
    screenshot(page, "market-research-leads")
    lead_link.click()
    page.wait_for_url(re.compile(r"/marketing/leads/\d+/$"))
    lead_url = page.url
    expect(page.get_by_test_id("lead-status")).to_have_text(zh("New"))

    # Campaign under the plan.
    plan_pk = pk_from(plan_url, "plans")
    page.goto(f"{base}/marketing/campaigns/new/?plan={plan_pk}")
    expect(page.locator("select[name=plan]")).to_have_value(str(plan_pk))
    page.fill("input[name=name]", "2026 南京智能制造技术研讨会")
    page.select_option("select[name=kind]", "seminar")
    page.fill("input[name=channel]", "线下会议")
    page.fill("input[name=start_date]", today.isoformat())
    page.fill("input[name=end_date]", (today + dt.timedelta(days=1)).isoformat())
    page.fill("input[name=budget]", "30000")
    page.fill("input[name=actual_cost]", "24000")
    page.fill("input[name=target_segment]", "精密制造企业的生产与 IT 负责人")
    save_and_wait(page, r"/marketing/campaigns/\d+/$")
    campaign_url = page.url
    campaign_pk = pk_from(campaign_url, "campaigns")
    expect(page.get_by_test_id("metric-leads")).to_have_text("0")
    page.locator("form:has(input[name=status][value=running]) button").click()
    expect(page.locator(".page-header h1")).to_contain_text(zh("Running"))

    # The researched company came to the seminar: its lead is attributed to the campaign (and so to the plan).
    page.goto(lead_url + "edit/")
    page.select_option("select[name=campaign]", str(campaign_pk))
    save_and_wait(page, re.escape(lead_url) + "$")
    page.goto(campaign_url)
    expect(page.get_by_test_id("metric-leads")).to_have_text("1")
    expect(page.get_by_test_id("metric-conversions")).to_have_text("0")

    # Visit, then qualify.
    page.goto(lead_url)
    page.locator(f"a[href$='/marketing/visits/new/?lead={pk_from(lead_url, 'leads')}']").click()
    page.wait_for_url(re.compile(r"/marketing/visits/new/"))
    expect(page.locator("select[name=lead]")).to_have_value(str(pk_from(lead_url, "leads")))
    page.fill("input[name=purpose]", "了解 MES 选型计划")
    page.fill("textarea[name=outcome]", "预算已批，三季度启动选型，希望看到同行案例")
    page.fill("input[name=next_step]", "安排销售演示")
    page.fill("input[name=next_step_on]", (today + dt.timedelta(days=7)).isoformat())
    save_and_wait(page, re.escape(lead_url) + "$")
    expect(page.get_by_text("了解 MES 选型计划")).to_be_visible()

    status_card = page.get_by_test_id("status-card")
    status_card.locator("select[name=status]").select_option("qualified")
    status_card.get_by_role("button").click()
    expect(page.get_by_test_id("lead-status")).to_have_text(zh("Qualified"))

    # Hand over to sales1 with notes.
    handover = page.get_by_test_id("handover-card")
    handover.locator("select[name=to_user]").select_option(str(sales1.pk))
    handover.locator("textarea[name=note]").fill("预算已批，决策人周总，三季度选型")
    page.get_by_test_id("handover-submit").click()
    expect(page.get_by_test_id("lead-status")).to_have_text(zh("Handed to sales"))
    screenshot(page, "market-lead-handed-over")
    logout(page, base)

    # sales1 finds it among the leads handed to them and converts it.
    login(page, base, "sales1")
    page.goto(f"{base}/marketing/leads/?scene=handed_to_me")
    page.get_by_test_id("lead-row").get_by_role("link", name=COMPANY).click()
    page.wait_for_url(re.escape(lead_url))
    expect(page.get_by_test_id("duplicate-hits")).to_have_count(0)
    page.get_by_test_id("convert-submit").click()
    expect(page.get_by_test_id("lead-status")).to_have_text(zh("Converted"))
    expect(page.get_by_test_id("lead-customer")).to_contain_text(COMPANY)
    expect(page.get_by_test_id("convert-card")).to_have_count(0)
    screenshot(page, "market-lead-converted")
    logout(page, base)

    # The figures moved by themselves: the campaign's conversions and the plan's new customers.
    login(page, base, "mkt_mgr")
    page.goto(campaign_url)
    expect(page.get_by_test_id("metric-leads")).to_have_text("1")
    expect(page.get_by_test_id("metric-conversions")).to_have_text("1")
    expect(page.get_by_test_id("metric-cpl")).to_contain_text("24,000")
    screenshot(page, "market-campaign-metrics")
    page.goto(plan_url)
    expect(goal_cell(page, "new_customers", "actual")).to_have_text("1")
    expect(goal_cell(page, "new_customers", "completion")).to_have_text("50.0%")
    expect(goal_cell(page, "new_leads", "actual")).to_have_text("1")
    expect(goal_cell(page, "new_leads", "completion")).to_have_text("25.0%")

    # The manager evaluates the plan: computed completion, feedback, an improvement action.
    page.get_by_test_id("plan-evaluate").click()
    page.wait_for_url(re.compile(r"/marketing/evaluations/new/"))
    expect(page.locator("select[name=plan]")).to_have_value(str(plan_pk))
    page.fill("input[name=period_start]", start.isoformat())
    page.fill("input[name=period_end]", end.isoformat())
    save_and_wait(page, r"/marketing/evaluations/\d+/$")
    evaluation_url = page.url
    expect(goal_cell(page, "new_customers", "actual")).to_have_text("1")
    expect(goal_cell(page, "new_customers", "completion")).to_have_text("50.0%")
    page.fill("textarea[name=feedback]", "研讨会转化良好，线索数量不足")
    page.fill("textarea[name=improvement_suggestions]", "增加线上推广，扩大线索来源")
    save_and_wait(page, re.escape(evaluation_url) + "$")
    expect(page.locator("textarea[name=feedback]")).to_have_value("研讨会转化良好，线索数量不足")

    action_title = "每月举办一场线上直播，提升线索数量"
    page.get_by_test_id("raise-improvement").click()
    page.wait_for_url(re.compile(r"/improvements/new/"))
    page.fill("input[name=title]", action_title)
    page.select_option("select[name=owner]", str(User.objects.get(username="mkt1").pk))
    page.fill("input[name=due_date]", (today + dt.timedelta(days=30)).isoformat())
    page.fill("textarea[name=description]", "由评估提出：线索数量仅完成目标的 25%")
    save_and_wait(page, re.escape(evaluation_url) + "$")
    expect(page.get_by_test_id("raised-improvements")).to_contain_text(action_title)

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("evaluation-complete").click()
    expect(page.get_by_test_id("evaluation-status")).to_have_text(zh("Completed"))
    expect(goal_cell(page, "new_customers", "completion")).to_have_text("50.0%")
    screenshot(page, "market-evaluation")

    page.goto(f"{base}/improvements/")
    expect(page.get_by_test_id("improvement-row").filter(has_text=action_title)).to_have_count(1)
    screenshot(page, "market-improvement-actions")


def test_a_colleague_cannot_see_my_lead_but_the_manager_can(live_server: Any, page: Any) -> None:
    load_demo_org()
    base = live_server.url
    from playwright.sync_api import expect

    login(page, base, "mkt1")
    page.goto(f"{base}/marketing/leads/new/")
    page.fill("input[name=company_name]", OTHER_COMPANY)
    page.fill("input[name=contact_name]", "吴敏")
    page.fill("input[name=mobile]", "13862345678")
    page.select_option("select[name=source]", "manual")
    save_and_wait(page, r"/marketing/leads/\d+/$")
    lead_url = page.url
    logout(page, base)

    login(page, base, "mkt2")
    response = page.goto(lead_url)
    assert response is not None and response.status == 404
    page.goto(f"{base}/marketing/leads/")
    expect(page.get_by_test_id("lead-scenes")).to_be_visible()
    expect(page.get_by_test_id("empty-state")).to_be_visible()
    expect(page.get_by_test_id("lead-row").filter(has_text=OTHER_COMPANY)).to_have_count(0)
    page.goto(f"{base}/marketing/leads/?scene=department")
    expect(page.get_by_test_id("lead-row").filter(has_text=OTHER_COMPANY)).to_have_count(0)
    logout(page, base)

    login(page, base, "mkt_mgr")
    response = page.goto(lead_url)
    assert response is not None and response.status == 200
    expect(page.locator(".page-header h1")).to_contain_text(OTHER_COMPANY)
    page.goto(f"{base}/marketing/leads/")
    expect(page.get_by_test_id("lead-row").filter(has_text=OTHER_COMPANY)).to_have_count(1)
    screenshot(page, "market-lead-list-manager")
