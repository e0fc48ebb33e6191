"""Pickers filtered by the chosen customer (issue 10, "the opportunity form offered 148 contacts of other
companies"): the contact of an opportunity and the opportunity of a contract are offered from the viewer's scope
only, each option says whose it is so the page narrows them to the chosen customer, and a pair that does not belong
together is refused by the form on the server whatever the page sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.sales.forms.contracts import ContractForm
from apps.sales.forms.pipeline import OpportunityForm
from apps.sales.tests.factories_pipeline import OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(personas: dict) -> dict[str, Any]:
    alice, carol_unit = personas["rep_alice"].user, personas["rep_carol"].unit
    mine, other = CustomerFactory(owner=alice), CustomerFactory(owner=alice)
    foreign = CustomerFactory(owner=personas["lead_bob"].user)  # bob's: outside alice's own scope
    return {
        "alice": alice,
        "mine": mine,
        "other": other,
        "foreign": foreign,
        "mine_contact": ContactFactory(customer=mine),
        "other_contact": ContactFactory(customer=other),
        "foreign_contact": ContactFactory(customer=foreign),
        "mine_opp": OpportunityFactory(owner=alice, customer=mine),
        "other_opp": OpportunityFactory(owner=alice, customer=other),
        "unit": carol_unit,
    }


def _options(html: str, name: str) -> dict[str, str]:
    """value → data-customer of the options of the select ``name``."""
    import re

    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, name
    return {
        m.group(1): m.group(2) or ""
        for m in re.finditer(r'<option value="(\d+)"(?:[^>]*data-customer="(\d+)")?', select.group(1))
    }


def test_the_opportunity_form_offers_contacts_in_scope_each_marked_with_its_customer(book: dict) -> None:
    html = str(OpportunityForm(user=book["alice"])["contact"])
    assert "data-follows-customer" in html
    offered = _options(html, "contact")
    assert offered == {
        str(book["mine_contact"].pk): str(book["mine"].pk),
        str(book["other_contact"].pk): str(book["other"].pk),
    }  # bob's customer's contact is not offered at all


def test_the_opportunity_form_refuses_a_contact_of_another_customer(book: dict) -> None:
    data = {"name": "扩容项目", "customer": book["mine"].pk, "contact": book["other_contact"].pk, "amount": "1000"}
    data |= {"expected_close_date": "2026-12-31", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    form = OpportunityForm(data, user=book["alice"])
    assert not form.is_valid() and "contact" in form.errors
    form = OpportunityForm({**data, "contact": book["mine_contact"].pk}, user=book["alice"])
    form.is_valid()
    assert "contact" not in form.errors
    form = OpportunityForm({**data, "contact": book["foreign_contact"].pk}, user=book["alice"])
    assert not form.is_valid() and "contact" in form.errors  # out of scope: not a valid choice


def test_the_contract_form_offers_and_checks_the_opportunity_of_the_chosen_customer(book: dict) -> None:
    html = str(ContractForm(user=book["alice"])["opportunity"])
    assert "data-follows-customer" in html
    assert _options(html, "opportunity") == {
        str(book["mine_opp"].pk): str(book["mine"].pk),
        str(book["other_opp"].pk): str(book["other"].pk),
    }
    today = dt.date(2026, 12, 1).isoformat()
    data = {"title": "年度合同", "customer": book["mine"].pk, "opportunity": book["other_opp"].pk, "signed_on": today}
    data |= {"amount": "1000", "discount_pct": "0", "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    form = ContractForm(data, user=book["alice"])
    assert not form.is_valid() and "opportunity" in form.errors
    form = ContractForm({**data, "opportunity": book["mine_opp"].pk}, user=book["alice"])
    form.is_valid()
    assert "opportunity" not in form.errors


def test_the_pages_load_the_script_that_narrows_the_options(personas: dict) -> None:
    client = personas["rep_alice"].client()
    for name in ("sales:opportunity_create", "sales:contract_create"):
        page = client.get(reverse(name))
        assert (
            page.status_code == 200
            and "js/forms.js" in page.content.decode()
            and "data-follows-customer" in (page.content.decode())
        )
