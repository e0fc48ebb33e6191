"""An administrator on a phone enters a festival of next year's schedule from the State Council's notice."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apps.core.models import WorkdayOverride
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_shell import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
SPRING_2027 = "二、春节：2月5日至12日放假调休，共8天。2月14日（周日）、2月20日（周六）上班。"


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": PHONE_WIDTH, "height": 844}, locale="zh-CN", is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def test_the_calendar_page_on_a_phone_reads_and_saves_the_notice(live_server: Any, phone: Any) -> None:
    load_demo_org()
    page = phone
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/calendar/2027/")
    assert page.get_by_test_id("calendar-month").count() == 12
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    page.fill("textarea[name=text]", SPRING_2027)
    page.get_by_test_id("notice-form").locator("button").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("confirm-day").count() == 10
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    assert not WorkdayOverride.objects.exists()
    page.get_by_test_id("confirm-save").click()
    page.wait_for_load_state()
    screenshot(page, "calendar-phone")
    assert WorkdayOverride.objects.count() == 10
    assert page.locator('[data-date="2027-02-14"]').get_attribute("data-source") == "entered"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
