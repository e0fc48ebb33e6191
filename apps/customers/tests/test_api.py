"""The archive API: writes through the services (duplicates answer 400), masking, filters, bounded queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory, make_uscc

pytestmark = pytest.mark.django_db


def _json(client, url, data):
    return client.post(url, data, content_type="application/json")


class CustomerApiTests:
    def test_create_with_contacts(self, personas) -> None:
        client = personas["rep_alice"].client()
        response = _json(
            client,
            "/api/v1/customers/",
            {
                "name": "成都蓝海物流有限公司",
                "uscc": make_uscc(9).lower(),
                "level": "A",
                "tags": ["西南"],
                "contacts": [{"name": "杨经理", "mobile": "+86 139-0000-7777"}],
            },
        )
        assert response.status_code == 201, response.json()
        data = response.json()
        assert data["uscc"] == make_uscc(9) and data["tags"] == ["西南"] and data["contact_count"] == 1
        assert data["primary_contact"]["mobile"] == "13900007777"  # the owner sees it in full
        assert data["owner"]["id"] == personas["rep_alice"].user.pk

    def test_a_duplicate_answers_400_with_the_owner_and_writes_nothing(self, personas) -> None:
        CustomerFactory(owner=personas["rep_carol"].user, uscc=make_uscc(10))
        response = _json(
            personas["rep_alice"].client(), "/api/v1/customers/", {"name": "别名公司", "uscc": make_uscc(10)}
        )
        assert response.status_code == 400
        assert "卡萝" in response.json()["non_field_errors"][0]
        assert Customer.objects.count() == 1

    def test_patch_goes_through_the_service(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        response = (
            personas["rep_alice"]
            .client()
            .patch(f"/api/v1/customers/{customer.pk}/", {"level": "A"}, content_type="application/json")
        )
        assert response.status_code == 200 and response.json()["level"] == "A"
        assert customer.history.first().history_user == personas["rep_alice"].user

    def test_out_of_scope_patch_is_404(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_carol"].user)
        response = (
            personas["rep_alice"]
            .client()
            .patch(f"/api/v1/customers/{customer.pk}/", {"level": "A"}, content_type="application/json")
        )
        assert response.status_code == 404

    def test_mobiles_are_masked_for_non_owners(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        ContactFactory(customer=customer, mobile="13800138000")
        rows = personas["lead_bob"].client().get("/api/v1/customers/").json()["results"]
        assert rows[0]["primary_contact"]["mobile"] == "138****8000"
        contacts = personas["lead_bob"].client().get("/api/v1/contacts/").json()["results"]
        assert contacts[0]["mobile"] == "138****8000"

    def test_filters_and_search(self, personas) -> None:
        alice = personas["rep_alice"].user
        due = CustomerFactory(owner=alice, level="A", next_contact_at=timezone.now() - dt.timedelta(days=2))
        other = CustomerFactory(owner=alice, level="C")
        ContactFactory(customer=other, mobile="13700001234")
        client = personas["rep_alice"].client()
        ids = lambda params: {r["id"] for r in client.get("/api/v1/customers/", params).json()["results"]}  # noqa
        assert ids({"level": "A"}) == {due.pk}
        assert ids({"quick": "overdue"}) == {due.pk}
        assert ids({"search": "137 0000 1234"}) == {other.pk}
        assert ids({"scene": "mine"}) == {due.pk, other.pk}

    @pytest.mark.parametrize("endpoint", ["/api/v1/customers/", "/api/v1/contacts/", "/api/v1/follow-ups/"])
    def test_list_query_count_is_flat(self, personas, endpoint) -> None:
        client = personas["lead_bob"].client()
        client.get(endpoint)
        counts = []
        for size in (5, 30):
            for _ in range(size):
                customer = CustomerFactory(owner=personas["rep_alice"].user)
                ContactFactory(customer=customer)
                FollowUpFactory(customer=customer)
            with CaptureQueriesContext(connection) as captured:
                assert client.get(endpoint, {"page_size": 100}).status_code == 200
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1], counts


class FollowUpApiTests:
    def test_create_updates_the_customer(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        nxt = (timezone.now() + dt.timedelta(days=5)).isoformat()
        response = _json(
            personas["rep_alice"].client(),
            "/api/v1/follow-ups/",
            {"customer": customer.pk, "content": "微信沟通", "channel": "wechat", "next_contact_at": nxt},
        )
        assert response.status_code == 201, response.json()
        customer.refresh_from_db()
        assert customer.last_follow_up_summary == "微信沟通" and customer.next_contact_at is not None

    def test_a_customer_out_of_scope_is_an_invalid_choice(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_carol"].user)
        response = _json(
            personas["rep_alice"].client(), "/api/v1/follow-ups/", {"customer": customer.pk, "content": "x"}
        )
        assert response.status_code == 400 and "customer" in response.json()


class ContactApiTests:
    def test_a_mobile_already_in_the_archive_answers_400(self, personas) -> None:
        ContactFactory(customer=CustomerFactory(owner=personas["rep_carol"].user), mobile="13800138000")
        mine = CustomerFactory(owner=personas["rep_alice"].user)
        response = _json(
            personas["rep_alice"].client(),
            "/api/v1/contacts/",
            {"customer": mine.pk, "name": "新人", "mobile": "138 0013 8000"},
        )
        assert response.status_code == 400 and "mobile" in response.json()
