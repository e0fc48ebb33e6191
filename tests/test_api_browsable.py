"""The browsable API does not grow with the data: related filters and form fields are id inputs, not a <select>
with an <option> per customer (issue 14: 7.3 MB per page at 100,000 customers)."""

from __future__ import annotations

import pytest

from apps.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LISTS = ("customers", "opportunities", "contracts", "tickets", "leads")


def _sizes(client) -> dict[str, int]:
    sizes = {}
    for name in LISTS:
        response = client.get(f"/api/v1/{name}/", {"format": "api", "page_size": 2})
        assert response.status_code == 200, name
        assert response["Content-Type"].startswith("text/html")
        sizes[name] = len(response.content)
    return sizes


def test_browsable_lists_do_not_grow_with_the_customers(personas) -> None:
    ceo = personas["auditor_dave"].client()
    CustomerFactory.create_batch(3, owner=personas["rep_alice"].user)
    small = _sizes(ceo)
    CustomerFactory.create_batch(60, owner=personas["rep_alice"].user)
    large = _sizes(ceo)
    growth = {name: large[name] - small[name] for name in LISTS}
    assert all(abs(g) < 500 for g in growth.values()), growth


def test_json_stays_the_default_answer(personas) -> None:
    response = personas["auditor_dave"].client().get("/api/v1/customers/", HTTP_ACCEPT="application/json")
    assert response["Content-Type"] == "application/json"


def test_related_filters_are_id_inputs(personas) -> None:
    CustomerFactory.create_batch(3, owner=personas["rep_alice"].user)
    body = personas["auditor_dave"].client().get("/api/v1/opportunities/", {"format": "api"}).content.decode()
    assert 'name="customer"' in body
    assert '<select name="customer"' not in body
