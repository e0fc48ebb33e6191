"""The ticket form tells the page which customer each contact and contract belongs to, so it can offer only the
chosen customer's."""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.service.tests.factories_tickets import contact_of, customer_of


@pytest.mark.django_db
def test_contacts_carry_their_customer(personas) -> None:
    carol = personas["rep_carol"]
    first, second = customer_of(carol.user), customer_of(carol.user)
    a, b = contact_of(first), contact_of(second)
    body = carol.client().get(reverse("service:ticket_create")).content.decode()
    assert f'value="{a.pk}" data-customer="{first.pk}"' in body
    assert f'value="{b.pk}" data-customer="{second.pk}"' in body


@pytest.mark.django_db
def test_the_customer_page_opens_a_ticket_feedback_and_a_care_contact_for_it(personas) -> None:
    carol = personas["rep_carol"]
    customer = customer_of(carol.user, service_owner=carol.user)
    body = carol.client().get(reverse("customers:customer_detail", args=[customer.pk])).content.decode()
    for name in ("service:ticket_create", "service:feedback_create", "service:contact_create"):
        assert f"{reverse(name)}?customer={customer.pk}" in body
