"""A customer on a phone, in Chinese, opens a ticket without an account, keeps the link and writes to the ticket."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from apps.core.testing import shown
from apps.core.validators import MOBILE_INVALID
from apps.service.choices import TicketEventKind, TicketOrigin
from apps.service.models import Ticket, TicketEvent
from tests.browser.conftest import load_demo_org, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_a_customer_opens_and_follows_a_ticket_on_a_phone(live_server: Any, phone: Any) -> None:
    load_demo_org()
    cache.clear()
    page = phone
    page.goto(f"{live_server.url}/support/")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert not page.get_by_test_id("complaint-category").is_visible()
    page.locator("label[for=id_ticket_type_2]").click()  # 投诉
    assert page.get_by_test_id("complaint-category").is_visible()
    page.select_option("#id_complaint_category", "delivery")
    page.fill("#id_description", "配件承诺上周送达，至今没有收到，也没有人通知延期。")
    page.fill("#id_company", "上海某某贸易有限公司")
    page.fill("#id_name", "王五")
    page.fill("#id_mobile", "12345")
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_test_id("support-submit").click()
    page.get_by_text(shown(MOBILE_INVALID)).first.wait_for()  # the answer to the POST, not the page before it
    assert shown(MOBILE_INVALID) in page.content()
    assert not Ticket.objects.exists()

    page.fill("#id_mobile", "138 0013 8000")
    page.get_by_test_id("support-submit").click()
    page.get_by_test_id("support-submitted").wait_for()
    ticket = Ticket.objects.get()
    assert ticket.origin == TicketOrigin.PUBLIC_FORM
    assert ticket.complaint_category == "delivery"
    assert page.get_by_test_id("ticket-number").inner_text() == ticket.number
    assert page.get_by_test_id("status-link").inner_text().endswith(f"/support/t/{ticket.public_token}/")
    copy = page.get_by_test_id("copy-link")
    before = copy.inner_text()
    copy.click()
    page.wait_for_function("(b) => document.querySelector('[data-testid=copy-link]').innerText !== b", arg=before)
    screenshot(page, "support-submitted-phone")

    page.locator(f"a[href$='/support/t/{ticket.public_token}/']").click()
    page.get_by_test_id("message-form").wait_for()
    page.fill("#id_body", "请问大概什么时候能到？")
    page.get_by_test_id("message-submit").click()
    page.wait_for_load_state()
    assert "请问大概什么时候能到？" in page.get_by_test_id("public-events").inner_text()
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.CUSTOMER).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "support-status-phone")
