"""The contact record form (回访) offers only the contacts of a customer the user may see: naming another
customer in ``?customer=`` must not show its contact persons (issue 9, the drop-down leak)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.service.models import RelationshipContact
from apps.service.tests.factories_relationship import serviced_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(personas: dict) -> dict[str, Any]:
    alice, carol = personas["rep_alice"].user, personas["rep_carol"].user
    hidden = CustomerFactory(owner=alice, name="别人的客户有限公司")
    ContactFactory(customer=hidden, name="不该看到的联系人")
    mine = serviced_customer(owner=alice, service_owner=carol, name="我服务的客户有限公司")
    ContactFactory(customer=mine, name="我服务的联系人")
    return {"hidden": hidden, "mine": mine}


def test_contacts_of_a_customer_out_of_scope_are_not_offered(personas: dict, customers: dict) -> None:
    client = personas["rep_carol"].client()
    url = reverse("service:contact_create")
    body = client.get(url, {"customer": customers["hidden"].pk}).content.decode()
    assert "不该看到的联系人" not in body
    hidden_contact = customers["hidden"].contacts.get()
    response = client.post(
        url,
        {
            "customer": customers["hidden"].pk,
            "contact": hidden_contact.pk,
            "channel": "phone",
            "content": "试探",
            "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200  # the form refuses both the customer and the contact
    assert "不该看到的联系人" not in response.content.decode()
    assert not RelationshipContact.objects.exists()


def test_contacts_of_a_serviced_customer_are_offered(personas: dict, customers: dict) -> None:
    client = personas["rep_carol"].client()
    body = client.get(reverse("service:contact_create"), {"customer": customers["mine"].pk}).content.decode()
    assert "我服务的联系人" in body
