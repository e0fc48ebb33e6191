"""The duplicate check while typing on the customer form (issue 10): an HTMX endpoint answers the customers the
typed name, USCC or mobile matches — anyone's, like the check on save, showing only name, what matched and owner —
for people who may create or edit customers; the form asks it through htmx attributes, with no script."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from apps.customers.tests.factories import ContactFactory, CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db

NAME, MOBILE, USCC = "杭州东信电子有限公司", "13955556666", make_uscc(3131)


@pytest.fixture
def carols(personas: dict) -> Any:
    """A customer of carol, out of alice's scope."""
    customer = CustomerFactory(owner=personas["rep_carol"].user, name=NAME, uscc=USCC, province="浙江省")
    ContactFactory(customer=customer, name="钱敏", mobile=MOBILE)
    return customer


def _check(persona: Any, **params: str) -> Any:
    return persona.client().get(reverse("customers:duplicate_check"), params, HTTP_HX_REQUEST="true")


class LiveCheckTests:
    @pytest.mark.parametrize(
        "params",
        [{"uscc": USCC.lower()}, {"contact_mobile": "139-5555-6666"}, {"name": "东信电子"}],
    )
    def test_the_typed_value_finds_the_customer_and_its_owner_only(
        self, personas: dict, carols: Any, params: dict
    ) -> None:
        response = _check(personas["rep_alice"], **params)
        body = response.content.decode()
        assert response.status_code == 200 and 'data-testid="live-duplicates"' in body
        assert NAME in body and "卡萝" in body
        assert MOBILE not in body and USCC not in body and "浙江省" not in body  # nothing else of the customer
        assert ("badge text-bg-danger" in body) == ("name" not in params)  # exact hits block, names warn

    def test_nothing_typed_or_nothing_found_answers_empty(self, personas: dict, carols: Any) -> None:
        for params in ({}, {"name": "完全不同的公司"}, {"contact_mobile": "1395"}):
            response = _check(personas["rep_alice"], **params)
            assert response.status_code == 200 and NAME not in response.content.decode()

    def test_the_customer_being_edited_is_left_out_only_when_the_user_may_change_it(
        self, personas: dict, carols: Any
    ) -> None:
        assert NAME not in _check(personas["rep_carol"], name=NAME, exclude=str(carols.pk)).content.decode()
        assert NAME in _check(personas["rep_alice"], name=NAME, exclude=str(carols.pk)).content.decode()

    def test_only_people_who_may_create_or_edit_customers_may_ask(self, personas: dict, carols: Any) -> None:
        assert _check(personas["auditor_dave"], name=NAME).status_code == 403  # senior management: read-only
        anonymous = personas["rep_alice"].client()
        anonymous.logout()
        assert anonymous.get(reverse("customers:duplicate_check"), {"name": NAME}).status_code == 302

    def test_the_form_asks_while_typing_through_htmx_attributes(self, personas: dict, carols: Any) -> None:
        body = personas["rep_alice"].client().get(reverse("customers:customer_create")).content.decode()
        url = reverse("customers:duplicate_check")
        for name in ("name", "uscc", "contact_mobile"):
            [tag] = re.findall(rf'<input[^>]*name="{name}"[^>]*>', body)
            assert f'hx-get="{url}"' in tag and 'hx-target="#live-duplicates"' in tag
        assert 'id="live-duplicates"' in body
        edit = personas["rep_carol"].client().get(reverse("customers:customer_update", args=[carols.pk]))
        assert f'name="exclude" value="{carols.pk}"' in edit.content.decode()
