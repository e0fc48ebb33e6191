"""Public-pool pages: the list (scope, no mobiles, flat query count), HTMX claim, assign, return, 待进入公海."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core.workbench import workbench_items
from apps.customers.models import Customer
from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory, owned
from apps.policy.models import PolicyVersion

pytestmark = pytest.mark.django_db
POOL = reverse("customers:pool_list")


class PoolListTests:
    def test_pool_members_see_pool_customers_but_no_mobiles(self, personas: dict) -> None:
        pooled = CustomerFactory(name="公海客户", previous_owner=personas["rep_carol"].user)
        ContactFactory(customer=pooled, mobile="13812345678")
        CustomerFactory(name="艾丽的客户", owner=personas["rep_alice"].user)
        response = personas["rep_alice"].client().get(POOL)
        content = response.content.decode()
        assert response.status_code == 200
        assert "公海客户" in content and "卡萝" in content and "艾丽的客户" not in content
        assert "13812345678" not in content and "5678" not in content

    def test_without_the_pool_permissions_403(self, personas: dict) -> None:
        assert personas["auditor_dave"].client().get(POOL).status_code == 403

    def test_anonymous_is_sent_to_login(self, client: Any) -> None:
        assert client.get(POOL).status_code == 302

    def test_htmx_gets_the_rows_only(self, personas: dict) -> None:
        CustomerFactory(name="公海客户")
        response = personas["rep_alice"].client().get(POOL, {"q": "公海"}, HTTP_HX_REQUEST="true")
        content = response.content.decode()
        assert 'id="rows"' in content and "<html" not in content and "公海客户" in content

    def test_the_query_count_does_not_grow_with_the_rows(
        self, personas: dict, django_assert_max_num_queries: Any
    ) -> None:
        client = personas["rep_alice"].client()
        counts = []
        for size in (3, 30):
            CustomerFactory.create_batch(size, previous_owner=personas["rep_carol"].user)
            client.get(POOL, {"page_size": 50})  # warm: the user's access is cached (org.scope)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(POOL, {"page_size": 50}).status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1], counts
        with django_assert_max_num_queries(counts[1]):
            client.get(POOL, {"page_size": 100, "sort": "-level"})


class ClaimViewTests:
    def test_htmx_claim_answers_204_and_reloads_the_rows(self, personas: dict) -> None:
        customer = CustomerFactory()
        client = personas["rep_alice"].client()
        response = client.post(reverse("customers:customer_claim", args=[customer.pk]), HTTP_HX_REQUEST="true")
        assert response.status_code == 204 and response["HX-Trigger"] == "poolChanged"
        assert Customer.objects.get(pk=customer.pk).owner == personas["rep_alice"].user
        rows = client.get(POOL, HTTP_HX_REQUEST="true").content.decode()
        assert customer.name in rows  # the success message, shown once in the reloaded rows

    def test_a_refused_claim_shows_the_reason(self, personas: dict) -> None:
        customer = CustomerFactory(previous_owner=personas["rep_alice"].user, pooled_at=timezone.now())
        client = personas["rep_alice"].client()
        client.post(reverse("customers:customer_claim", args=[customer.pk]), HTTP_HX_REQUEST="true")
        assert Customer.objects.get(pk=customer.pk).in_pool
        again = timezone.localdate() + dt.timedelta(days=30)  # the rules' 30 days for the previous owner
        assert again.isoformat() in client.get(POOL, HTTP_HX_REQUEST="true").content.decode()

    def test_an_owned_customer_is_not_found(self, personas: dict) -> None:
        customer = CustomerFactory(owner=personas["rep_carol"].user)
        response = personas["rep_alice"].client().post(reverse("customers:customer_claim", args=[customer.pk]))
        assert response.status_code == 404


class AssignViewTests:
    def test_the_manager_chooses_within_scope(self, personas: dict) -> None:
        customer = CustomerFactory()
        client = personas["lead_bob"].client()
        url = reverse("customers:customer_assign", args=[customer.pk])
        page = client.get(url).content.decode()
        assert "艾丽" in page and "卡萝" not in page
        response = client.post(url, {"to_owner": personas["rep_carol"].user.pk})
        assert response.status_code == 200 and Customer.objects.get(pk=customer.pk).in_pool
        response = client.post(url, {"to_owner": personas["rep_alice"].user.pk})
        assert response.status_code == 302
        assert Customer.objects.get(pk=customer.pk).owner == personas["rep_alice"].user

    def test_staff_get_403(self, personas: dict) -> None:
        customer = CustomerFactory()
        url = reverse("customers:customer_assign", args=[customer.pk])
        assert personas["rep_alice"].client().get(url).status_code == 403


class ReturnViewTests:
    def test_return_needs_a_reason_and_then_leaves_the_record(self, personas: dict) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        client = personas["rep_alice"].client()
        url = reverse("customers:customer_return", args=[customer.pk])
        response = client.post(url, {"reason": ""})
        assert response.status_code == 200 and not Customer.objects.get(pk=customer.pk).in_pool
        response = client.post(url, {"reason": "客户暂无需求"})
        assert response.status_code == 302 and Customer.objects.get(pk=customer.pk).in_pool
        assert str(customer.pk) not in response["Location"]

    def test_someone_elses_customer_is_404(self, personas: dict) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        url = reverse("customers:customer_return", args=[customer.pk])
        assert personas["rep_carol"].client().get(url).status_code == 404


class DueListTests:
    def test_my_due_customers_and_the_workbench_item(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        now = timezone.now()
        due = owned(alice, days_owned=14, now=now, level="A")
        owned(alice, days_owned=1, now=now, level="A", name="刚领取的客户")
        owned(personas["rep_carol"].user, days_owned=14, now=now, level="A", name="卡萝的到期客户")
        page = personas["rep_alice"].client().get(reverse("customers:pool_due_list")).content.decode()
        assert due.name in page and "刚领取的客户" not in page and "卡萝的到期客户" not in page
        assert (now + dt.timedelta(days=1)).astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in page
        items = [i for i in workbench_items(alice) if i.url == reverse("customers:pool_due_list")]
        assert len(items) == 1 and items[0].count == 1

    def test_without_a_policy_in_force_the_workbench_still_opens(self, personas: dict) -> None:
        owned(personas["rep_alice"].user, days_owned=14, now=timezone.now(), level="A")
        PolicyVersion.objects.all().delete()
        assert personas["rep_alice"].client().get(reverse("core:workbench")).status_code == 200
        assert not [
            i for i in workbench_items(personas["rep_alice"].user) if i.url == reverse("customers:pool_due_list")
        ]
