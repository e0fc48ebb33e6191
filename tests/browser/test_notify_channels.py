"""The administrator sets up the DingTalk robot (signed) on 通知渠道 and sends a test message to the local fake
receiver; a sales rep turns the robots off for escalations on 通知设置."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

from apps.core.models import NotificationChannel, NotificationDelivery, NotificationPreference
from apps.core.tests.fake_receiver import FakeReceiver
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SECRET = "SECbrowser-test-secret"


def test_the_administrator_sets_up_dingtalk_and_a_rep_chooses_channels(
    live_server: Any, page: Any, browser: Any
) -> None:
    load_demo_org()
    receiver = FakeReceiver().start()
    try:
        login(page, live_server.url, "admin")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/notifications/channels/")
        card = page.get_by_test_id("channel-dingtalk")
        card.locator("input[name=dingtalk-enabled]").check()
        card.locator("input[name=dingtalk-url]").fill(f"{receiver.base}/dingtalk")
        card.locator("input[name=dingtalk-key]").fill("browser-token")
        card.locator("input[name=dingtalk-secret]").fill(SECRET)
        card.get_by_test_id("save-channel").click()
        page.wait_for_load_state()
        assert NotificationChannel.objects.get(channel="dingtalk").secret == SECRET
        assert SECRET not in page.content()
        screenshot(page, "notify-channels")
        page.get_by_test_id("channel-dingtalk").get_by_test_id("test-channel").click()
        page.wait_for_url(f"{live_server.url}/notifications/deliveries/")
        screenshot(page, "notify-deliveries")
        assert page.locator('[data-testid=delivery][data-status="sent"]').count() == 1
    finally:
        receiver.stop()
    (post,) = receiver.on("/dingtalk")
    digest = hmac.new(SECRET.encode(), f"{post.query['timestamp']}\n{SECRET}".encode(), hashlib.sha256).digest()
    assert post.query["sign"] == base64.b64encode(digest).decode()
    assert NotificationDelivery.objects.get().status == NotificationDelivery.Status.SENT

    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    rep = context.new_page()
    try:
        login(rep, live_server.url, "sales1")
        rep.wait_for_url(f"{live_server.url}/")
        rep.goto(f"{live_server.url}/notifications/preferences/")
        row = rep.locator('tr[data-kind="escalation"]')
        assert row.locator('input[data-channel="wecom"]').is_checked()
        row.locator('input[data-channel="wecom"]').uncheck()
        row.locator('input[data-channel="dingtalk"]').uncheck()
        rep.get_by_test_id("save-preferences").click()
        rep.wait_for_load_state()
        screenshot(rep, "notify-preferences")
        assert not rep.locator('tr[data-kind="escalation"] input[data-channel="wecom"]').is_checked()
        assert rep.goto(f"{live_server.url}/notifications/channels/").status == 403
    finally:
        context.close()
    stored = set(
        NotificationPreference.objects.filter(user__username="sales1").values_list("kind", "channel", "enabled")
    )
    assert stored == {("escalation", "wecom", False), ("escalation", "dingtalk", False)}
