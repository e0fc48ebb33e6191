"""The customer pickers search ``/api/v1/customers/?search=`` as the user types: the answer holds only customers in
the viewer's scope, and the form behind the picker still refuses a customer out of scope."""

from __future__ import annotations

from typing import Any

import pytest

from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.sales.forms.pipeline import OpportunityForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def ningbo(personas: dict[str, Any]) -> dict[str, Any]:
    """Three customers whose names start alike, owned by alice (sales team A1), carol (service) and nobody."""
    return {
        "alice": CustomerFactory(name="宁波海川精工有限公司", owner=personas["rep_alice"].user),
        "carol": CustomerFactory(name="宁波海鸥电器有限公司", owner=personas["rep_carol"].user),
        "pool": CustomerFactory(name="宁波海天塑机有限公司", owner=None),
    }


def _search(persona: Any, text: str) -> set[str]:
    response = persona.client().get("/api/v1/customers/", {"search": text})
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_the_search_answers_only_the_viewers_customers(personas: dict[str, Any], ningbo: dict[str, Any]) -> None:
    for key in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave"):
        viewer = personas[key].user
        expected = {c.name for c in Customer.objects.visible_to(viewer).filter(name__startswith="宁波")}
        assert _search(personas[key], "宁波") == expected, key
    # Stated, not only recomputed: each salesperson gets their own; the manager gets his team's, not carol's.
    assert _search(personas["rep_alice"], "宁波") == {"宁波海川精工有限公司"}
    assert _search(personas["rep_carol"], "宁波") == {"宁波海鸥电器有限公司"}
    assert "宁波海鸥电器有限公司" not in _search(personas["lead_bob"], "宁波")
    assert _search(personas["rep_alice"], "海鸥") == set()


def test_a_customer_only_shared_with_the_viewer_is_offered_as_the_form_accepts_it(
    personas: dict[str, Any], ningbo: dict[str, Any]
) -> None:
    """Carol, the service owner of alice's customer, finds it (it is shared with her), exactly as her forms offer."""
    shared = ningbo["alice"]
    shared.service_owner = personas["rep_carol"].user
    shared.save(update_fields=["service_owner"])
    carol = personas["rep_carol"].user
    found = _search(personas["rep_carol"], "宁波")
    assert found == {c.name for c in Customer.objects.visible_to(carol).filter(name__startswith="宁波")}
    assert ("宁波海川精工有限公司" in found) == Customer.objects.visible_to(carol).filter(pk=shared.pk).exists()


def test_the_signed_out_get_no_customer(ningbo: dict[str, Any], client: Any) -> None:
    response = client.get("/api/v1/customers/", {"search": "宁波"})
    assert response.status_code in (401, 403)


def test_the_form_renders_only_the_chosen_customer_and_refuses_one_out_of_scope(
    personas: dict[str, Any], ningbo: dict[str, Any]
) -> None:
    alice = personas["rep_alice"].user
    mine, theirs = ningbo["alice"], ningbo["carol"]
    html = str(OpportunityForm(user=alice)["customer"])
    assert 'data-picker="remote"' in html and 'data-picker-url="/api/v1/customers/"' in html
    assert mine.name not in html and theirs.name not in html  # a blank form lists no customer: the picker searches
    html = str(OpportunityForm(user=alice, initial={"customer": mine.pk})["customer"])
    assert mine.name in html and theirs.name not in html

    contact: Any = ContactFactory(customer=theirs)
    data = {"name": "产线改造", "customer": theirs.pk, "amount": "1000", "expected_close_date": "2030-01-01"}
    data |= {"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"}
    form = OpportunityForm(data=data, user=alice)
    assert not form.is_valid() and "customer" in form.errors
    form = OpportunityForm(data={**data, "customer": mine.pk, "contact": contact.pk}, user=alice)
    assert not form.is_valid() and "contact" in form.errors
    form = OpportunityForm(data={**data, "customer": mine.pk}, user=alice)
    assert form.is_valid(), form.errors
