"""One FilterSet (``customers.filters.CustomerFilterSet``) for the customer archive page, the API and the Excel
export: the same GET parameters give the same customers in all three within each user's scope (staff may not
export at all); an invalid value is a Chinese form error in all three (never a 500, never a wider list)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import escape

from apps.core.testing import ListReaders
from apps.customers.selectors.io import EXPORT_COLUMNS
from apps.customers.tests.factories_pool import CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = ListReaders(
    page="/customers/",
    api="/api/v1/customers/",
    export="/customers/export/",
    key="name",
    export_column=[c.key for c in EXPORT_COLUMNS].index("name"),
)
PUMPS_IN_GUANGDONG = {"scope": "filtered", "level": "A", "province": "广东省", "q": "水泵"}


@pytest.fixture
def customers(personas: dict) -> dict[str, str]:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    rows = [
        ("alice_gd_a", alice, "华南水泵甲", "A", "广东省"),
        ("alice_gd_b", alice, "华南水泵乙", "B", "广东省"),
        ("alice_zj_a", alice, "华东水泵丙", "A", "浙江省"),
        ("alice_fan", alice, "华南风机丁", "A", "广东省"),
        ("bob_gd_a", bob, "华南水泵戊", "A", "广东省"),
        ("carol_gd_a", carol, "华南水泵己", "A", "广东省"),
    ]
    for _key, owner, name, level, province in rows:
        CustomerFactory(owner=owner, name=name, level=level, province=province)
    return {key: name for key, _owner, name, _level, _province in rows}


def test_staff_see_the_same_customers_on_the_page_and_in_the_api(personas: dict, customers: dict) -> None:
    client = personas["rep_alice"].client()
    page = CUSTOMERS.page_rows(client, PUMPS_IN_GUANGDONG)
    assert set(page) == {customers["alice_gd_a"]}
    assert sorted(CUSTOMERS.api_rows(client, PUMPS_IN_GUANGDONG)) == sorted(page)
    assert client.get(CUSTOMERS.export, PUMPS_IN_GUANGDONG).status_code == 403  # staff may not export


def test_the_manager_gets_the_same_customers_from_page_api_and_export(personas: dict, customers: dict) -> None:
    client = personas["lead_bob"].client()
    assert CUSTOMERS.agree(client, PUMPS_IN_GUANGDONG) == {customers["alice_gd_a"], customers["bob_gd_a"]}
    assert CUSTOMERS.agree(client, {**PUMPS_IN_GUANGDONG, "scene": "mine"}) == {customers["bob_gd_a"]}
    wider = CUSTOMERS.agree(client, {**PUMPS_IN_GUANGDONG, "q": "", "level": ""})
    assert wider == {customers[k] for k in ("alice_gd_a", "alice_gd_b", "alice_fan", "bob_gd_a")}


def test_an_invalid_customer_filter_is_a_chinese_form_error(personas: dict, customers: dict) -> None:
    with translation.override("zh-hans"):
        message = str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": "Z"}
    assert re.search(r"[\u4e00-\u9fff]", message)
    page, export, api = CUSTOMERS.refusals(personas["lead_bob"].client(), {**PUMPS_IN_GUANGDONG, "level": "Z"})
    assert escape(message) in page and message in export and api["level"] == [message]
