"""Issue 12, "done when" (part A): the leadership group amends the policy in the browser — a draft 1.1 shortens
the resolution deadline of high-priority complaints and raises a KPI weight, the form refuses weights that do not
add up as one types, the diff shows exactly those changes and the edited article, sales1 can neither see nor
submit nor vote, ceo and vp_ops vote and publish it for tomorrow, and every active employee is told.

(The frozen-clock half — a complaint opened today keeps 1.0's deadline, tomorrow's gets 1.1's — is
``apps/service/tests/test_policy_amendment.py``: a frozen clock and a live server's threads do not mix.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from apps.core.models import Notification
from apps.policy import selectors
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import PolicyVersion
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE_10_ADDITION = "高优先级客户投诉须在8个工作小时内解决。"


def _as(browser: Any, base: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15000)
    login(page, base, username)
    page.wait_for_url(f"{base}/")
    return page


def _rules(page: Any, version: PolicyVersion, section: str, values: dict[str, int]) -> None:
    page.get_by_test_id(f"rules-edit-{section}").click()
    for name, value in values.items():
        page.fill(f"input[name={section}__{name}]", str(value))


def test_the_leadership_group_amends_the_policy(live_server: Any, browser: Any) -> None:
    load_demo_org()
    base = live_server.url
    ceo = _as(browser, base, "ceo")
    ceo.goto(f"{base}/policy/versions/")
    ceo.get_by_test_id("new-draft").click()
    ceo.fill("input[name=label]", "1.1")
    ceo.get_by_test_id("save").click()
    ceo.wait_for_url("**/policy/versions/*/")
    draft = PolicyVersion.objects.get(label="1.1")

    _rules(ceo, draft, "service_deadlines", {"complaint__high__resolution_hours": 8})
    ceo.get_by_test_id("save").click()
    ceo.wait_for_url(f"**/policy/versions/{draft.pk}/")

    _rules(ceo, draft, "kpi_weights", {"sales_target": 70})  # 30 + 70 + 20: does not add up
    ceo.locator("input[name=kpi_weights__customer_satisfaction]").focus()
    check = ceo.get_by_test_id("rules-check")
    check.get_by_text("考核指标权重").wait_for()
    ceo.fill("input[name=kpi_weights__market_development]", "20")
    ceo.fill("input[name=kpi_weights__sales_target]", "60")
    ceo.locator("input[name=kpi_weights__customer_satisfaction]").focus()
    ceo.get_by_test_id("rules-check").get_by_text("这些数值有效").wait_for()
    ceo.get_by_test_id("save").click()
    ceo.wait_for_url(f"**/policy/versions/{draft.pk}/")

    ceo.get_by_test_id("article-edit-10").click()
    text = ceo.locator("textarea[name=text_zh]")
    text.fill(text.input_value() + ARTICLE_10_ADDITION)
    ceo.get_by_test_id("save").click()
    ceo.wait_for_url(f"**/policy/versions/{draft.pk}/**")

    ceo.goto(f"{base}/policy/versions/{draft.pk}/diff/")
    rules = ceo.get_by_test_id("rule-change").all_inner_texts()
    assert len(rules) == 3, rules  # the complaint deadline, the weight raised and the one lowered
    assert any(r.startswith("第十条") and "投诉" in r and "16" in r and "8" in r for r in rules)
    assert any(r.startswith("第十一条") and "60" in r for r in rules)
    articles = ceo.get_by_test_id("article-change").all_inner_texts()
    assert len(articles) == 1 and ARTICLE_10_ADDITION in articles[0]
    screenshot(ceo, "policy-diff")

    ceo.goto(f"{base}/policy/versions/{draft.pk}/")
    ceo.get_by_test_id("submit-version").click()
    ceo.get_by_test_id("cast-vote").wait_for()

    sales1 = _as(browser, base, "sales1")
    response = sales1.goto(f"{base}/policy/versions/{draft.pk}/")
    assert response is not None and response.status == 404
    sales1.goto(f"{base}/policy/versions/")
    assert "1.1" not in sales1.get_by_test_id("version-link").all_inner_texts()
    refused = sales1.request.post(f"{base}/policy/versions/{draft.pk}/vote/", form={"vote": "for"})
    assert refused.status in (403, 404)
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.SUBMITTED
    assert not draft.decisions.get().votes.exists()

    ceo.check("input[name=vote][value=for]")
    ceo.get_by_test_id("cast-vote").click()
    ceo.wait_for_load_state()
    vp = _as(browser, base, "vp_ops")
    vp.goto(f"{base}/policy/versions/{draft.pk}/")
    vp.check("input[name=vote][value=for]")
    vp.get_by_test_id("cast-vote").click()
    vp.wait_for_load_state()
    vp.fill("textarea[name=minutes]", "领导小组一致同意缩短高优先级投诉解决时限，提高销售目标权重。")
    vp.get_by_test_id("close-decision").click()
    vp.get_by_test_id("publish-version").wait_for()
    tomorrow = selectors.policy_today() + dt.timedelta(days=1)
    vp.fill("input[name=effective_from]", tomorrow.isoformat())
    vp.get_by_test_id("publish-version").click()
    vp.wait_for_load_state()
    screenshot(vp, "policy-published")

    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.PUBLISHED
    assert draft.effective_from == tomorrow
    assert selectors.rules_in_force().version_label == "1.0"
    assert selectors.rules_in_force(tomorrow).rules.deadline("complaint", "high").resolution_hours == 8
    told = set(
        Notification.objects.filter(topic=f"policy_published:policy.policyversion:{draft.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == set(selectors.active_employees().values_list("username", flat=True))
    assert "sales1" in told
