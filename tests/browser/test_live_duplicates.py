"""The customer form warns of a duplicate while the user types (HTMX, no script of our own): sales1 starts a
customer whose name another salesperson's customer already has and sees it, with its owner, before saving."""

from __future__ import annotations

from typing import Any

import pytest

from apps.customers.models import Customer
from apps.org.models import User
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.test_market_development import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_known_name_lists_the_customer_before_saving(live_server: Any, page: Any) -> None:
    load_demo_org()
    other = User.objects.get(username="sales2")
    Customer.objects.create(
        name="宁波海川精工有限公司", name_key="宁波海川精工", owner=other, owner_unit=other.employee.department
    )
    login(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}/customers/new/")
    page.locator("input[name=name]").press_sequentially("海川精工", delay=30)
    hits = page.get_by_test_id("live-duplicates")
    hits.wait_for()
    assert "宁波海川精工有限公司" in hits.inner_text() and str(other) in hits.inner_text()
    screenshot(page, "customer-live-duplicates")
