"""Issue 12, "done when", the whole journey in one browser test: the leadership group amends the policy — a draft
1.1 shortens the resolution deadline of high-priority complaints and raises a KPI weight, the form refuses weights
that do not add up as one types, the diff shows exactly those changes and the edited article; sales1 can neither see
nor submit nor vote (no button, refused); ceo and vp_ops vote and publish it for tomorrow; every active employee is
told in the app and the company's WeCom and DingTalk robots (a local fake receiver) get one signed message each.

Then the clock: a complaint opened today (frozen clock, through the service) keeps 1.0's deadline; the clock moves to
tomorrow (time-machine moves it for the live server's thread too, ticking so the pages work), the daily jobs put 1.1
in force and ask everyone to confirm, a complaint opened then gets 1.1's deadline; sales1 signs in, sees the banner,
reads the changed article and confirms, and the acknowledgement page shows his department's share rising."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache

from apps.core.models import Notification, NotificationChannel, NotificationDelivery
from apps.core.services.delivery import send_due_notifications
from apps.core.tests.fake_receiver import FakeReceiver
from apps.core.workdays import TZ, add_working_hours
from apps.org.models import Employee
from apps.policy import selectors
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import PolicyAcknowledgement, PolicyVersion
from apps.service.choices import ComplaintCategory, TicketPriority, TicketType
from apps.service.services.tickets import ticket_create
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTICLE_10_ADDITION = "高优先级客户投诉须在8个工作小时内解决。"
SECRET = "SEC-browser-policy-0123456789"


@pytest.fixture
def robots() -> Iterator[FakeReceiver]:
    """The company's WeCom and DingTalk (signed) group robots, pointed at a local fake receiver."""
    cache.clear()  # the per-minute rate counters
    receiver = FakeReceiver().start()
    NotificationChannel.objects.create(channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="wk")
    NotificationChannel.objects.create(
        channel="dingtalk", enabled=True, url=f"{receiver.base}/dingtalk", key="dt", secret=SECRET
    )
    yield receiver
    receiver.stop()
    cache.clear()


def _sweep_until_received(robots: FakeReceiver, *paths: str, seconds: float = 20) -> None:
    """Run the delivery sweep until each robot path got a message; on timeout, say what each delivery holds."""
    ends = time.monotonic() + seconds
    while True:
        send_due_notifications()
        if all(robots.on(path) for path in paths):
            return
        rows = list(NotificationDelivery.objects.values("channel", "status", "attempts", "last_error"))
        assert time.monotonic() < ends, f"the robots got {[r.path for r in robots.received]}; deliveries: {rows}"
        time.sleep(0.2)


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


def _post(page: Any, url: str, form: dict[str, str] | None = None) -> int:
    """POST as the signed-in user of ``page`` with a valid CSRF token (so a refusal is the app's, not CSRF's);
    a redirect is not followed."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    return int(page.request.post(url, form=form or {}, headers={"X-CSRFToken": token}, max_redirects=0).status)


def _complaint(actor: Any) -> Any:
    return ticket_create(
        actor=actor,
        data={
            "title": "设备频繁死机",
            "ticket_type": TicketType.COMPLAINT,
            "priority": TicketPriority.HIGH,
            "complaint_category": ComplaintCategory.PRODUCT_QUALITY,
            "description": "客户投诉：设备频繁死机。",
        },
    )


def _share_shown(page: Any, base: str, department: str) -> float:
    page.goto(f"{base}/policy/acknowledgements/")
    row = page.locator(f'[data-testid=ack-department][data-department="{department}"]')
    return float(row.get_attribute("data-share"))


def _share_counted(version: PolicyVersion, department_id: int) -> float:
    rows = PolicyAcknowledgement.objects.filter(version=version, user__employee__department_id=department_id)
    return round(100 * rows.filter(confirmed_at__isnull=False).count() / rows.count(), 1)


def test_the_leadership_group_amends_the_policy(live_server: Any, browser: Any, robots: FakeReceiver) -> None:
    load_demo_org()
    base = live_server.url
    ceo = _as(browser, base, "ceo")
    ceo.goto(f"{base}/policy/versions/")
    ceo.get_by_test_id("new-draft").click()
    ceo.fill("input[name=label]", "1.1")
    ceo.get_by_test_id("save").click()
    ceo.wait_for_url("**/policy/versions/*/")
    draft = PolicyVersion.objects.get(label="1.1")
    old = selectors.rules_in_force().rules
    old_hours = old.deadline("complaint", "high").resolution_hours
    assert old_hours == 16

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
    # Exactly the two changes: the complaint deadline, and the KPI weights (the one raised and the one lowered to
    # keep 100 %); nothing else.
    assert len(rules) == 3, rules
    (deadline,) = [r for r in rules if r.startswith("第十条")]
    assert "投诉" in deadline and "由 16 改为 8" in deadline, deadline
    weights = sorted(r for r in rules if r.startswith("第十一条"))
    assert len(weights) == 2 and any("改为 60" in r for r in weights) and any("改为 20" in r for r in weights)
    articles = ceo.get_by_test_id("article-change").all_inner_texts()
    assert len(articles) == 1 and ARTICLE_10_ADDITION in articles[0]
    screenshot(ceo, "policy-diff")

    sales1 = _as(browser, base, "sales1")
    response = sales1.goto(f"{base}/policy/versions/{draft.pk}/")
    assert response is not None and response.status == 404  # a draft is not even revealed
    assert _post(sales1, f"{base}/policy/versions/{draft.pk}/submit/") == 404
    assert _post(sales1, f"{base}/api/v1/policy-versions/{draft.pk}/submit/") == 403
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.DRAFT

    ceo.goto(f"{base}/policy/versions/{draft.pk}/")
    ceo.get_by_test_id("submit-version").click()
    ceo.get_by_test_id("cast-vote").wait_for()

    sales1.goto(f"{base}/policy/versions/")
    assert "1.1" not in sales1.get_by_test_id("version-link").all_inner_texts()
    assert sales1.get_by_test_id("cast-vote").count() == 0
    assert _post(sales1, f"{base}/policy/versions/{draft.pk}/vote/", {"vote": "for"}) == 404
    decision = draft.decisions.get()
    assert _post(sales1, f"{base}/api/v1/policy-decisions/{decision.pk}/vote/", {"vote": "for"}) == 403
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.SUBMITTED
    assert not decision.votes.exists()

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
    today = selectors.policy_today()
    tomorrow = today + dt.timedelta(days=1)
    vp.fill("input[name=effective_from]", tomorrow.isoformat())
    vp.get_by_test_id("publish-version").click()
    vp.wait_for_load_state()
    screenshot(vp, "policy-published")

    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.PUBLISHED
    assert draft.effective_from == tomorrow
    assert set(draft.decisions.get().votes.values_list("member__username", flat=True)) == {"ceo", "vp_ops"}
    assert selectors.rules_in_force().version_label == "1.0"
    assert selectors.rules_in_force(tomorrow).rules.deadline("complaint", "high").resolution_hours == 8

    # Every active employee is told in the app, once; the robots get one signed message each (the sweep sends).
    active = set(Employee.objects.filter(is_active=True, user__is_active=True).values_list("user__username", flat=True))
    told = list(
        Notification.objects.filter(topic=f"policy_published:policy.policyversion:{draft.pk}").values_list(
            "recipient__username", flat=True
        )
    )
    assert sorted(told) == sorted(active) and "sales1" in told
    # The publishing request may still be sending (its after-commit delivery runs in the server's thread): let it end.
    ends = time.monotonic() + 15
    while NotificationDelivery.objects.filter(status=NotificationDelivery.Status.SENDING).exists():
        assert time.monotonic() < ends, "a delivery stayed in 'sending'"
        time.sleep(0.1)
    _sweep_until_received(robots, "/wecom", "/dingtalk")
    (wecom,) = robots.on("/wecom")
    (ding,) = robots.on("/dingtalk")
    assert "1.1" in wecom.payload["text"]["content"] and "1.1" in ding.payload["text"]["content"]
    digest = hmac.new(SECRET.encode(), f"{ding.query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert ding.query["sign"] == base64.b64encode(digest).decode()
    assert wecom.query == {"key": "wk"}
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {NotificationDelivery.Status.SENT}
    send_due_notifications()
    assert len(robots.received) == 2  # nothing twice

    # A published version is visible to sales1, without a button to move it, and he cannot move it.
    sales1.goto(f"{base}/policy/versions/{draft.pk}/")
    assert sales1.get_by_test_id("withdraw-version").count() == 0
    # (the page's actions answer a refusal with a message on the version's page, the API with 403)
    assert _post(sales1, f"{base}/policy/versions/{draft.pk}/withdraw/") == 302
    assert _post(sales1, f"{base}/api/v1/policy-versions/{draft.pk}/withdraw/") == 403
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.PUBLISHED

    # The clock: a complaint opened today keeps 1.0's deadline ...
    cs1 = Employee.objects.get(user__username="cs1").user
    opened_today = dt.datetime.combine(today, dt.time(10, 0), tzinfo=TZ)
    with time_machine.travel(opened_today, tick=False):
        before = _complaint(cs1)
    # ... tomorrow the daily jobs (00:05, 00:15) put 1.1 in force and ask everyone to confirm it.
    opened_tomorrow = dt.datetime.combine(tomorrow, dt.time(10, 0), tzinfo=TZ)
    with time_machine.travel(opened_tomorrow, tick=True):
        from apps.policy.tasks import request_acknowledgements, supersede_due_versions

        assert supersede_due_versions() == (1, 1)
        assert supersede_due_versions() == (0, 0)
        asked = request_acknowledgements()
        assert asked == len(active)
        with time_machine.travel(opened_tomorrow, tick=False):
            after = _complaint(cs1)

        sales_dept = Employee.objects.get(user__username="sales1").department
        assert _share_shown(ceo, base, sales_dept.name) == _share_counted(draft, sales_dept.pk) == 0.0
        screenshot(ceo, "policy-acknowledgements-before")

        sales1.context.clear_cookies()
        login(sales1, base, "sales1")
        sales1.wait_for_url(f"{base}/")
        banner = sales1.get_by_test_id("policy-ack-banner")
        assert "1.1" in banner.inner_text()
        banner.get_by_test_id("policy-ack-link").click()
        sales1.wait_for_url(f"{base}/policy/acknowledge/")
        changed = sales1.get_by_test_id("changed-article").all_inner_texts()
        assert len(changed) == 1 and ARTICLE_10_ADDITION in changed[0], changed  # only the text edited
        sales1.get_by_test_id("ack-confirm").click()
        sales1.get_by_test_id("ack-confirmed").wait_for()
        sales1.goto(f"{base}/")
        assert sales1.get_by_test_id("policy-ack-banner").count() == 0
        ack = PolicyAcknowledgement.objects.get(version=draft, user__username="sales1")
        assert ack.confirmed_at is not None

        shown = _share_shown(ceo, base, sales_dept.name)
        assert shown > 0.0 and shown == _share_counted(draft, sales_dept.pk)
        screenshot(ceo, "policy-acknowledgements-after")

    before.refresh_from_db()
    assert before.rules_version.label == "1.0"
    assert before.resolution_due == add_working_hours(opened_today, 16)
    assert after.rules_version_id == draft.pk
    assert after.resolution_due == add_working_hours(opened_tomorrow, 8)
