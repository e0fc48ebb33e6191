"""The archive's pages: list (scenes, filters, masking, bounded queries), detail, create with duplicates,
inline follow-up, transfer, workbench."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from apps.core.workbench import workbench_items
from apps.customers.models import Customer, FollowUp, Tag
from apps.customers.services import archive as services
from apps.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory, make_uscc

pytestmark = pytest.mark.django_db
LIST = "/customers/"
DETAIL_QUERIES = 21  # 29 before the access cache and the shared archive rows


def _populate(owner, count: int) -> None:
    tag = Tag.objects.create(name=f"标签{count}")
    for _ in range(count):
        customer = CustomerFactory(owner=owner, next_contact_at=timezone.now())
        customer.tags.add(tag)
        ContactFactory(customer=customer)
        ContactFactory(customer=customer, is_primary=False)
        FollowUpFactory(customer=customer)


class CustomerListTests:
    @pytest.mark.parametrize("count", [5, 30])
    def test_query_count_is_flat(self, personas, count, django_assert_max_num_queries) -> None:
        _populate(personas["rep_alice"].user, count)
        client = personas["lead_bob"].client()
        client.get(LIST)  # the session and the user's scope are warm, as on any page after the first
        with django_assert_max_num_queries(7):  # 14 before the access cache
            response = client.get(LIST, {"page_size": 50})
        assert response.content.decode().count('data-testid="customer-row"') == count

    @pytest.mark.parametrize("count", [3, 30])
    def test_detail_query_count_is_flat(self, personas, count, django_assert_max_num_queries) -> None:
        """The detail page reads the contacts, needs, follow-ups and ownership changes once for its panels and the
        timeline; the user's access comes from the cache after the first page."""
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        for _ in range(count):
            ContactFactory(customer=customer, is_primary=False)
            FollowUpFactory(customer=customer)
        client = personas["lead_bob"].client()
        client.get(LIST)
        with django_assert_max_num_queries(DETAIL_QUERIES):
            response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
        assert response.status_code == 200
        assert len(response.context["follow_ups"]) == min(count, 20)

    @pytest.mark.parametrize("language", ["zh-hans", "en"])
    def test_a_row_shows_its_stage_industry_tags_and_link_as_the_record_says(self, personas, language) -> None:
        """The row's labels are worked out once per page (not per row); they read exactly as the record's own
        ``get_FOO_display`` in the user's language, and the name links to the detail page."""
        alice = personas["rep_alice"]
        alice.user.language = language
        alice.user.save(update_fields=["language"])
        customer = CustomerFactory(owner=alice.user, lifecycle="dormant", industry="logistics", is_locked=True)
        plain = CustomerFactory(owner=alice.user, industry="")
        customer.tags.add(Tag.objects.create(name="重点客户"), Tag.objects.create(name="招投标"))
        body = alice.client().get(LIST).content.decode()
        with translation.override(language):
            stage, industry = customer.get_lifecycle_display(), customer.get_industry_display()
            plain_stage = plain.get_lifecycle_display()
        url = reverse("customers:customer_detail", args=[customer.pk])
        assert f'<a href="{url}">{customer.name}</a>' in body
        assert f"{stage} · {industry}" in body
        assert 'badge badge-soft">招投标</span> <span class="badge badge-soft">重点客户</span>' in body
        assert f'<div class="small text-muted fw-normal">{plain_stage}</div>' in body
        assert body.count("bi-lock-fill") == 1

    def test_a_row_shows_the_local_days_of_its_follow_ups_and_whether_the_next_is_due(self, personas) -> None:
        """The days are those of Beijing time (a contact at 23:30 UTC is the next day there); a next contact before
        today is red, today's blue, a later one plain."""
        alice = personas["rep_alice"]
        now = timezone.localtime()
        late_evening_utc = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)  # 2 March 07:30 in Beijing
        rows = {
            "overdue": CustomerFactory(owner=alice.user, next_contact_at=now - dt.timedelta(days=2)),
            "today": CustomerFactory(owner=alice.user, next_contact_at=now.replace(hour=23, minute=59)),
            "later": CustomerFactory(owner=alice.user, next_contact_at=now + dt.timedelta(days=3)),
        }
        Customer.objects.filter(pk=rows["later"].pk).update(last_follow_up_at=late_evening_utc)
        body = alice.client().get(LIST).content.decode()
        day = {key: timezone.localtime(c.next_contact_at).date().isoformat() for key, c in rows.items()}
        assert f'<span class="text-danger fw-semibold">{day["overdue"]}</span>' in body
        assert f'<span class="text-primary fw-semibold">{day["today"]}</span>' in body
        assert f'<span class="">{day["later"]}</span>' in body
        assert '<span title="">2026-03-02</span>' in body

    def test_mobiles_are_masked_for_everyone_but_the_owner(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        ContactFactory(customer=customer, mobile="13800138000")
        own = personas["rep_alice"].client().get(LIST).content.decode()
        other = personas["lead_bob"].client().get(LIST).content.decode()
        assert "13800138000" in own
        assert "138****8000" in other and "13800138000" not in other

    def test_scenes_and_quick_filters(self, personas) -> None:
        bob, alice = personas["lead_bob"], personas["rep_alice"]
        mine = CustomerFactory(owner=bob.user, name="鲍勃自己的客户有限公司")
        team = CustomerFactory(
            owner=alice.user, name="艾丽的客户有限公司", next_contact_at=timezone.now() - dt.timedelta(days=3)
        )
        client = bob.client()
        body = client.get(LIST, {"scene": "mine"}).content.decode()
        assert mine.name in body and team.name not in body
        body = client.get(LIST, {"scene": "team"}).content.decode()
        assert team.name in body and mine.name not in body
        body = client.get(LIST, {"quick": "overdue"}).content.decode()
        assert team.name in body and mine.name not in body
        body = client.get(LIST, {"quick": "never"}).content.decode()
        assert team.name in body and mine.name in body

    def test_search_by_any_spelling_of_a_mobile(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        ContactFactory(customer=customer, mobile="13800138000")
        CustomerFactory(owner=personas["rep_alice"].user, name="不相干有限公司")
        body = personas["rep_alice"].client().get(LIST, {"q": "138-0013-8000"}).content.decode()
        assert customer.name in body and "不相干有限公司" not in body

    def test_htmx_gets_only_the_rows(self, personas) -> None:
        CustomerFactory(owner=personas["rep_alice"].user)
        response = personas["rep_alice"].client().get(LIST, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert 'id="rows"' in body and "<html" not in body


class CustomerDetailTests:
    def test_the_owner_sees_everything_and_the_follow_up_form(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        ContactFactory(customer=customer, mobile="13800138000")
        body = personas["rep_alice"].client().get(reverse("customers:customer_detail", args=[customer.pk])).content
        body = body.decode()
        assert "13800138000" in body and 'data-testid="follow-up-form"' in body
        assert 'data-testid="history-panel"' in body and 'data-testid="timeline"' in body

    def test_view_only_management_sees_masked_mobiles_and_no_forms(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        ContactFactory(customer=customer, mobile="13800138000")
        body = personas["auditor_dave"].client().get(reverse("customers:customer_detail", args=[customer.pk]))
        body = body.content.decode()
        assert "138****8000" in body and "13800138000" not in body
        assert 'data-testid="follow-up-form"' not in body

    def test_detail_queries_do_not_grow_with_the_records(self, personas) -> None:
        client = personas["rep_alice"].client()
        client.get(LIST)  # the shell's cached figures (access, unread count) are warm, as on any page after the first
        counts = []
        for size in (2, 30):
            customer = CustomerFactory(owner=personas["rep_alice"].user)
            FollowUpFactory.create_batch(size, customer=customer)
            ContactFactory.create_batch(size, customer=customer, is_primary=False)
            services.need_create(actor=personas["rep_alice"].user, customer=customer, content="需求")
            with CaptureQueriesContext(connection) as captured:
                assert client.get(reverse("customers:customer_detail", args=[customer.pk])).status_code == 200
            counts.append(len(captured.captured_queries))
        assert counts[0] == counts[1] and counts[1] <= 40, counts

    def test_inline_follow_up_updates_the_customer(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        when = timezone.localtime() - dt.timedelta(hours=2)
        response = (
            personas["rep_alice"]
            .client()
            .post(
                reverse("customers:followup_create", args=[customer.pk]),
                {
                    "channel": "phone",
                    "content": "电话沟通报价",
                    "occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
                    "next_contact_at": (when + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
                },
                HTTP_HX_REQUEST="true",
            )
        )
        assert response.status_code == 200
        assert "电话沟通报价" in response.content.decode() and "<html" not in response.content.decode()
        customer.refresh_from_db()
        assert customer.last_follow_up_summary == "电话沟通报价" and customer.next_contact_at is not None

    def test_a_next_contact_before_the_follow_up_is_shown_on_the_form(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        now = timezone.localtime()
        response = (
            personas["rep_alice"]
            .client()
            .post(
                reverse("customers:followup_create", args=[customer.pk]),
                {
                    "channel": "phone",
                    "content": "x",
                    "occurred_at": now.strftime("%Y-%m-%dT%H:%M"),
                    "next_contact_at": (now - dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
                },
                HTTP_HX_REQUEST="true",
            )
        )
        assert "invalid-feedback" in response.content.decode()
        assert not FollowUp.objects.exists()


class CustomerCreatePageTests:
    def _post(self, client, **data):
        payload = {
            "name": "杭州云帆数据科技有限公司",
            "kind": "company",
            "level": "B",
            "source": "referral",
            "lifecycle": "potential",
            "contact_name": "刘总",
            "contact_mobile": "13900008888",
        }
        payload.update(data)
        return client.post(reverse("customers:customer_create"), payload)

    def test_it_creates_and_redirects(self, personas) -> None:
        response = self._post(personas["rep_alice"].client(), tags="重点, 华东")
        customer = Customer.objects.get()
        assert response.status_code == 302 and customer.contacts.get().mobile == "13900008888"
        assert customer.owner == personas["rep_alice"].user

    def test_an_exact_duplicate_is_blocked_and_names_the_owner(self, personas) -> None:
        CustomerFactory(owner=personas["rep_carol"].user, uscc=make_uscc(42))
        response = self._post(personas["rep_alice"].client(), uscc=make_uscc(42), contact_mobile="")
        body = response.content.decode()
        assert response.status_code == 200 and 'data-testid="duplicates"' in body and "卡萝" in body
        assert 'data-testid="similar-confirm"' not in body
        assert Customer.objects.count() == 1

    def test_a_similar_name_can_be_confirmed(self, personas) -> None:
        CustomerFactory(owner=personas["rep_carol"].user, name="杭州云帆数据科技有限公司", uscc=None)
        client = personas["rep_alice"].client()
        body = self._post(client, name="（杭州）云帆数据科技有限公司").content.decode()
        assert 'data-testid="similar-confirm"' in body
        response = self._post(client, name="杭州云帆数据科技", allow_similar_name="on")
        assert response.status_code == 302 and Customer.objects.count() == 2

    def test_a_bad_mobile_is_shown_on_its_field(self, personas) -> None:
        response = self._post(personas["rep_alice"].client(), contact_mobile="12345")
        assert "invalid-feedback" in response.content.decode() and not Customer.objects.exists()


class TransferPageTests:
    def test_the_manager_transfers_selected_customers(self, personas) -> None:
        customers = [CustomerFactory(owner=personas["rep_alice"].user) for _ in range(2)]
        response = (
            personas["lead_bob"]
            .client()
            .post(
                reverse("customers:customer_transfer"),
                {
                    "ids": [c.pk for c in customers],
                    "confirm": "1",
                    "to_owner": personas["lead_bob"].user.pk,
                    "reason": "艾丽休假",
                },
            )
        )
        assert response.status_code == 302
        assert Customer.objects.filter(owner=personas["lead_bob"].user).count() == 2

    def test_staff_may_not(self, personas) -> None:
        assert personas["rep_alice"].client().get(reverse("customers:customer_transfer")).status_code == 403


class WorkbenchTests:
    def test_it_counts_contacts_due_today_and_overdue(self, personas) -> None:
        alice = personas["rep_alice"].user
        today = timezone.localtime().replace(hour=12, minute=0)
        CustomerFactory(owner=alice, next_contact_at=today)
        CustomerFactory.create_batch(2, owner=alice, next_contact_at=today - dt.timedelta(days=2))
        CustomerFactory(owner=alice, next_contact_at=today + dt.timedelta(days=2))
        counts = {
            item.url.split("quick=")[1].split("&")[0]: item.count
            for item in workbench_items(alice)
            if "customers" in item.url
        }
        assert counts == {"today": 1, "overdue": 2}
