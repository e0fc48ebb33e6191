"""The customer picker searches as the user types, within the user's scope (Tom Select over the customers API), and
the contact picker then offers only that customer's contacts: sales1 starts an opportunity and saves it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.services.archive import customer_create
from apps.org.models import User
from apps.sales.models import Opportunity
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.helpers import login, pk_from
from tests.browser.test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _customer(owner: User, name: str, code: str, contacts: list[tuple[str, str]]) -> Customer:
    people = [{"name": person, "mobile": mobile} for person, mobile in contacts]
    customer = customer_create(actor=owner, data={"name": name}, contacts=people, allow_similar_name=True)
    Customer.objects.filter(pk=customer.pk).update(code=code)  # the customer number an import brings
    customer.refresh_from_db()
    return customer


def test_sales1_picks_a_customer_in_scope_by_typing_and_then_its_contact(live_server: Any, page: Any) -> None:
    load_demo_org()
    sales1, sales2 = User.objects.get(username="sales1"), User.objects.get(username="sales2")
    mine = _customer(sales1, "宁波海川精工有限公司", "KH-NB-0001", [("李雷", "13800000001")])
    other_mine = _customer(sales1, "杭州远景科技有限公司", "KH-HZ-0002", [("王芳", "13800000002")])
    theirs = _customer(sales2, "宁波海鸥电器有限公司", "KH-NB-0003", [("赵强", "13800000003")])
    visible = Customer.objects.visible_to(sales1)
    assert visible.filter(pk=mine.pk).exists() and not visible.filter(pk=theirs.pk).exists()

    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(RECORD_VIOLATIONS)
    base = live_server.url
    login(page, base, "sales1")
    page.goto(f"{base}/sales/opportunities/new/")
    page.fill("input[name=name]", "产线自动化改造")

    # Two characters typed: the in-scope customer is offered with its number, the other salesperson's is not.
    page.locator("#id_customer-ts-control").click()
    page.locator("#id_customer-ts-control").press_sequentially("宁波", delay=50)
    dropdown = page.locator("#id_customer-ts-dropdown")
    offered = dropdown.locator(".option", has_text=mine.name)
    offered.wait_for()
    assert mine.code == "KH-NB-0001" and mine.code in offered.inner_text()
    assert theirs.name not in dropdown.inner_text()
    assert other_mine.name not in dropdown.inner_text()  # does not match what was typed
    offered.click()
    assert page.locator("select[name=customer]").input_value() == str(mine.pk)

    # The contact picker offers only this customer's contacts.
    page.locator("#id_contact-ts-control").click()
    contacts = page.locator("#id_contact-ts-dropdown .option")
    contacts.first.wait_for()
    names = contacts.all_inner_texts()
    assert len(names) == 1 and "李雷" in names[0], names
    contacts.first.click()
    screenshot(page, "pickers-opportunity")

    page.fill("input[name=amount]", "120000")
    page.fill("input[name=expected_close_date]", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/sales/opportunities/\d+/$"))
    opportunity = Opportunity.objects.get(pk=pk_from(page.url, "opportunities"))
    contact = opportunity.contact
    assert opportunity.customer_id == mine.pk and contact is not None and contact.name == "李雷"
    assert contact.customer_id == mine.pk
    assert page.evaluate("window.__csp") == []
    assert errors == []
