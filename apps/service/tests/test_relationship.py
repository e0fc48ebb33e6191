"""Relationship maintenance (art. 10): due contacts by the cadence of the customer's level (A 7 / B 15 / C 30 days in
the rules in force), birthdays and contract anniversaries, once; a contact record closes what it answers; skipping;
pages, API, timeline, workbench and the scope of contact records and due contacts."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Notification
from apps.core.testing import PERSONAS, ScopeMatrixTests
from apps.customers.models import Customer
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.sales.choices import ContractStatus
from apps.sales.tests.factories_contracts import ContractFactory
from apps.service.choices import DueContactReason, DueContactStatus
from apps.service.hooks.relationship import contact_events, workbench_items
from apps.service.models import DueContact, RelationshipContact
from apps.service.services import relationship as services
from apps.service.tests.factories_relationship import make_contact_record, make_due, serviced_customer

TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 8, 0, tzinfo=TZ)
pytestmark = pytest.mark.django_db


@pytest.fixture
def people(personas: dict) -> dict[str, Any]:
    return {
        "alice": personas["rep_alice"].user,
        "carol": personas["rep_carol"].user,
        "carol_unit": personas["rep_carol"].unit,
        "bob": personas["lead_bob"].user,
    }


def _aged(customer: Customer, *, created_days: int = 400, followed_days: int | None = None) -> Customer:
    Customer.objects.filter(pk=customer.pk).update(
        created_at=NOW - dt.timedelta(days=created_days),
        last_follow_up_at=NOW - dt.timedelta(days=followed_days) if followed_days is not None else None,
    )
    return customer


def _customer(people: dict, level: str, **aged: Any) -> Customer:
    return _aged(serviced_customer(owner=people["alice"], service_owner=people["carol"], level=level), **aged)


def _generate(on: dt.date = TODAY) -> dict[str, int]:
    with time_machine.travel(NOW, tick=False):
        return services.due_contacts_generate(on=on)


class TestCadence:
    def test_each_level_by_its_cadence(self, people: dict) -> None:
        a_due = _customer(people, "A")  # contacted 5 days ago: due in 2 days (A: 7)
        make_contact_record(
            customer=a_due, owner=people["carol"], unit=people["carol_unit"], occurred_at=NOW - dt.timedelta(days=5)
        )
        a_later = _customer(people, "A")  # contacted 2 days ago: due in 5 days, not yet
        make_contact_record(
            customer=a_later, owner=people["carol"], unit=people["carol_unit"], occurred_at=NOW - dt.timedelta(days=2)
        )
        b_due = _customer(people, "B", followed_days=12)  # falls back to the last follow-up: due in 3 days
        b_later = _customer(people, "B", followed_days=11)  # due in 4 days, not yet
        c_over = _customer(people, "C", created_days=40)  # never contacted: created 40 days ago, 10 days overdue
        c_later = _customer(people, "C", created_days=20)
        pooled = _aged(serviced_customer(owner=None, service_owner=people["carol"], level="A"))
        unserved = _aged(CustomerFactory(owner=people["alice"], level="A"))

        result = _generate()
        assert result[DueContactReason.CADENCE] == 3
        dues = {d.customer_id: d for d in DueContact.objects.all()}
        assert set(dues) == {a_due.pk, b_due.pk, c_over.pk}
        assert dues[a_due.pk].due_on == TODAY + dt.timedelta(days=2)
        assert dues[b_due.pk].due_on == TODAY + dt.timedelta(days=3)
        assert dues[c_over.pk].due_on == TODAY - dt.timedelta(days=10)
        assert all(d.owner == people["carol"] and d.owner_unit == people["carol_unit"] for d in dues.values())
        for absent in (a_later, b_later, c_later, pooled, unserved):
            assert absent.pk not in dues

    def test_one_open_at_a_time_and_idempotent(self, people: dict) -> None:
        customer = _customer(people, "C", created_days=40)
        assert _generate()[DueContactReason.CADENCE] == 1
        assert Notification.objects.filter(recipient=people["carol"]).count() == 1
        again = _generate()
        assert again == {"cadence": 0, "birthday": 0, "contract_anniversary": 0, "owners_notified": 0}
        assert _generate(TODAY + dt.timedelta(days=5))[DueContactReason.CADENCE] == 0  # still open
        assert DueContact.objects.filter(customer=customer).count() == 1
        assert Notification.objects.filter(recipient=people["carol"]).count() == 1

    def test_skipped_is_not_made_again(self, people: dict) -> None:
        _customer(people, "C", created_days=40)
        _generate()
        due = DueContact.objects.get()
        services.due_contact_skip(actor=people["carol"], due_contact=due, reason="客户出差一个月")
        assert _generate()[DueContactReason.CADENCE] == 0
        assert DueContact.objects.count() == 1

    def test_cadence_from_the_rules_in_force(self, people: dict) -> None:
        from apps.policy.models import PolicyVersion
        from apps.policy.selectors import rules_in_force

        version_id = rules_in_force(TODAY).version_id
        rules = dict(PolicyVersion.objects.get(pk=version_id).rules)
        rules["contact_cadence_days"] = {"A": 7, "B": 15, "C": 60}
        PolicyVersion.objects.filter(pk=version_id).update(rules=rules)
        _customer(people, "C", created_days=40)
        assert _generate()[DueContactReason.CADENCE] == 0

    def test_task_name(self) -> None:
        from apps.service.tasks.relationship import generate_due_contacts

        assert generate_due_contacts.name == "service.generate_due_contacts"


class TestOccasions:
    def test_birthdays_in_the_coming_week(self, people: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        ContactFactory(customer=customer, name="王总", birthday=dt.date(1980, 6, 20))
        ContactFactory(customer=customer, name="李经理", birthday=dt.date(1985, 6, 25))  # 10 days: not yet
        ContactFactory(customer=customer, name="赵工", birthday=dt.date(1990, 6, 10))  # passed
        result = _generate()
        assert result[DueContactReason.BIRTHDAY] == 1
        due = DueContact.objects.get(reason=DueContactReason.BIRTHDAY)
        assert due.due_on == dt.date(2026, 6, 20) and "王总" in due.note and due.owner == people["carol"]
        assert _generate()[DueContactReason.BIRTHDAY] == 0

    def test_birthday_across_the_new_year(self, people: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        ContactFactory(customer=customer, birthday=dt.date(1980, 1, 2))
        with time_machine.travel(dt.datetime(2026, 12, 29, 8, 0, tzinfo=TZ), tick=False):
            services.due_contacts_generate(on=dt.date(2026, 12, 29))
        assert DueContact.objects.get(reason=DueContactReason.BIRTHDAY).due_on == dt.date(2027, 1, 2)

    def test_contract_anniversaries(self, people: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        ContractFactory(owner=people["alice"], customer=customer, signed_on=dt.date(2024, 6, 18), number="HT-A")
        ContractFactory(owner=people["alice"], customer=customer, signed_on=dt.date(2025, 6, 30), number="HT-B")
        ContractFactory(
            owner=people["alice"],
            customer=customer,
            signed_on=dt.date(2025, 6, 17),
            number="HT-C",
            status=ContractStatus.DRAFT,
        )
        ContractFactory(owner=people["alice"], customer=customer, signed_on=dt.date(2026, 6, 1), number="HT-D")
        result = _generate()
        assert result[DueContactReason.CONTRACT_ANNIVERSARY] == 1
        due = DueContact.objects.get(reason=DueContactReason.CONTRACT_ANNIVERSARY)
        assert due.due_on == dt.date(2026, 6, 18) and "HT-A" in due.note
        assert _generate()[DueContactReason.CONTRACT_ANNIVERSARY] == 0

    def test_one_digest_per_owner(self, people: dict) -> None:
        first = _customer(people, "C", created_days=40)
        ContactFactory(customer=first, birthday=dt.date(1980, 6, 16))
        _customer(people, "A", created_days=40)
        result = _generate()
        assert result["owners_notified"] == 1
        note = Notification.objects.get(recipient=people["carol"])
        assert "3" in note.title and note.url == reverse("service:due_contact_list")


class TestRecord:
    def test_recording_closes_the_due_contact_and_plans_the_next(self, people: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        cadence = make_due(customer=customer, owner=people["carol"], unit=people["carol_unit"])
        birthday = make_due(
            customer=customer, owner=people["carol"], unit=people["carol_unit"], reason=DueContactReason.BIRTHDAY
        )
        record = services.relationship_contact_record(
            actor=people["carol"],
            customer=customer,
            due_contact=birthday,
            data={
                "channel": "phone",
                "content": "生日问候，顺便了解使用情况",
                "satisfaction": 5,
                "personal_notes": "喜欢普洱茶",
                "next_contact_on": timezone.localdate() + dt.timedelta(days=15),
            },
        )
        cadence.refresh_from_db()
        birthday.refresh_from_db()
        assert cadence.status == birthday.status == DueContactStatus.DONE
        assert cadence.record == record == birthday.record
        planned = DueContact.objects.get(status=DueContactStatus.OPEN)
        assert planned.due_on == timezone.localdate() + dt.timedelta(days=15) and planned.owner == people["carol"]
        with pytest.raises(ValidationError):
            services.relationship_contact_record(
                actor=people["carol"], customer=customer, due_contact=birthday, data={"content": "x"}
            )

    def test_refusals(self, people: dict, personas: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        stranger = CustomerFactory(owner=people["bob"])
        with pytest.raises(ValidationError):
            services.relationship_contact_record(actor=people["carol"], customer=stranger, data={"content": "x"})
        due = make_due(customer=customer, owner=people["carol"], unit=people["carol_unit"])
        with pytest.raises(PermissionDenied):
            services.due_contact_skip(actor=personas["auditor_dave"].user, due_contact=due, reason="x")
        with pytest.raises(ValidationError):
            services.due_contact_skip(actor=people["carol"], due_contact=due, reason=" ")
        with pytest.raises(ValidationError):
            services.relationship_contact_record(
                actor=people["carol"],
                customer=customer,
                data={"content": "x", "next_contact_on": timezone.localdate() - dt.timedelta(days=1)},
            )


class TestPages:
    def test_due_list_overdue_first_and_record(self, people: dict, personas: dict) -> None:
        soon = _customer(people, "A", followed_days=1)
        late = _customer(people, "B", followed_days=1)
        make_due(
            customer=soon,
            owner=people["carol"],
            unit=people["carol_unit"],
            due_on=timezone.localdate() + dt.timedelta(days=2),
        )
        due = make_due(
            customer=late,
            owner=people["carol"],
            unit=people["carol_unit"],
            due_on=timezone.localdate() - dt.timedelta(days=4),
        )
        client = personas["rep_carol"].client()
        body = client.get(reverse("service:due_contact_list")).content.decode()
        assert body.index(late.name) < body.index(soon.name)
        assert 'data-testid="days-overdue"' in body and "4" in body
        url = reverse("service:contact_create") + f"?due={due.pk}"
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "due": due.pk,
                "channel": "wechat",
                "content": "微信回访，运行正常",
                "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "satisfaction": "4",
            },
        )
        record = RelationshipContact.objects.get()
        assert response.status_code == 302, response.content.decode()[:2000]
        assert record.customer == late and record.satisfaction == 4
        due.refresh_from_db()
        assert due.status == DueContactStatus.DONE
        body = client.get(reverse("service:due_contact_list")).content.decode()
        assert late.name not in body

    def test_manager_filters_by_owner(self, people: dict, personas: dict) -> None:
        customer = serviced_customer(owner=people["alice"], service_owner=people["alice"])
        make_due(customer=customer, owner=people["alice"], unit=personas["rep_alice"].unit)
        client = personas["lead_bob"].client()
        assert customer.name not in client.get(reverse("service:due_contact_list")).content.decode()  # mine
        body = client.get(reverse("service:due_contact_list"), {"owner": people["alice"].pk}).content.decode()
        assert customer.name in body and 'data-testid="owner-filter"' in body
        assert (
            'data-testid="owner-filter"'
            not in personas["rep_carol"].client().get(reverse("service:due_contact_list")).content.decode()
        )

    def test_skip_page(self, people: dict, personas: dict) -> None:
        due = make_due(
            customer=_customer(people, "B", followed_days=1), owner=people["carol"], unit=people["carol_unit"]
        )
        client = personas["rep_carol"].client()
        assert client.get(reverse("service:due_contact_detail", args=[due.pk])).status_code == 200
        client.post(reverse("service:due_contact_skip", args=[due.pk]), {"reason": "客户要求下月再联系"})
        due.refresh_from_db()
        assert due.status == DueContactStatus.SKIPPED and due.note == "客户要求下月再联系"

    def test_contact_list_filters(self, people: dict, personas: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        make_contact_record(
            customer=customer, owner=people["carol"], unit=people["carol_unit"], content="很满意的回访", satisfaction=5
        )
        make_contact_record(
            customer=customer,
            owner=people["carol"],
            unit=people["carol_unit"],
            content="不满意的回访",
            satisfaction=2,
            occurred_at=timezone.now() - dt.timedelta(days=40),
        )
        client = personas["rep_carol"].client()
        body = client.get(reverse("service:contact_list"), {"satisfaction": "2"}).content.decode()
        assert "不满意的回访" in body and "很满意的回访" not in body
        since = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
        body = client.get(reverse("service:contact_list"), {"from": since}).content.decode()
        assert "很满意的回访" in body and "不满意的回访" not in body

    @pytest.mark.parametrize("size", [2, 12])
    def test_list_queries_are_flat(
        self, people: dict, personas: dict, size: int, django_assert_max_num_queries: Any
    ) -> None:
        for _ in range(size):
            customer = serviced_customer(owner=people["alice"], service_owner=people["carol"])
            make_due(customer=customer, owner=people["carol"], unit=people["carol_unit"])
            make_contact_record(customer=customer, owner=people["carol"], unit=people["carol_unit"])
        client = personas["rep_carol"].client()
        client.get(reverse("service:due_contact_list"))
        with django_assert_max_num_queries(12):
            assert client.get(reverse("service:due_contact_list")).status_code == 200
        with django_assert_max_num_queries(12):
            assert client.get(reverse("service:contact_list")).status_code == 200


class TestApiTimelineWorkbench:
    def test_api_record_and_skip(self, people: dict, personas: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        due = make_due(customer=customer, owner=people["carol"], unit=people["carol_unit"])
        client = personas["rep_carol"].client()
        assert client.get("/api/v1/contacts-due/").json()["count"] == 1
        response = client.post(
            "/api/v1/relationship-contacts/",
            {"customer": customer.pk, "content": "电话回访", "satisfaction": 4, "due_contact": due.pk},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        due.refresh_from_db()
        assert due.status == DueContactStatus.DONE
        other = make_due(
            customer=customer, owner=people["carol"], unit=people["carol_unit"], reason=DueContactReason.BIRTHDAY
        )
        response = client.post(
            f"/api/v1/contacts-due/{other.pk}/skip/", {"reason": "已在回访中问候"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "skipped"

    def test_timeline_and_workbench(self, people: dict) -> None:
        customer = _customer(people, "B", followed_days=1)
        make_contact_record(
            customer=customer,
            owner=people["carol"],
            unit=people["carol_unit"],
            content="季度回访",
            satisfaction=5,
            personal_notes="周三下午方便",
        )
        events = contact_events(customer, people["carol"])
        assert len(events) == 1 and events[0].kind == "relationship_contact" and "周三下午方便" in events[0].body
        make_due(
            customer=customer,
            owner=people["carol"],
            unit=people["carol_unit"],
            due_on=timezone.localdate() - dt.timedelta(days=1),
        )
        make_due(
            customer=customer,
            owner=people["carol"],
            unit=people["carol_unit"],
            due_on=timezone.localdate() + dt.timedelta(days=2),
            reason=DueContactReason.BIRTHDAY,
        )
        items = workbench_items(people["carol"])
        assert len(items) == 1 and items[0].count == 1
        assert workbench_items(people["alice"]) == []


class TestContactScope(ScopeMatrixTests):
    model = RelationshipContact
    list_url = "/service/contacts/"
    api_list_url = "/api/v1/relationship-contacts/"
    detail_route = "service:contact_detail"

    def make(self, persona: Any) -> Any:
        return make_contact_record(
            customer=CustomerFactory(), owner=persona.user, unit=persona.unit, content=f"回访内容-{persona.key}"
        )

    def label(self, record: Any) -> str:
        return record.content


class TestDueContactScope(ScopeMatrixTests):
    model = DueContact
    list_url = "/service/contacts/due/"
    api_list_url = "/api/v1/contacts-due/"
    detail_route = "service:due_contact_detail"

    def make(self, persona: Any) -> Any:
        customer = CustomerFactory(name=f"待回访客户-{persona.key}")
        return make_due(customer=customer, owner=persona.user, unit=persona.unit)

    def label(self, record: Any) -> str:
        return record.customer.name

    @pytest.mark.parametrize("viewer", PERSONAS)
    def test_list_page_shows_only_the_scope(self, viewer: str, personas: dict, records: dict) -> None:
        # The page shows "mine" by default; "everyone I can see" is the scope.
        response = personas[viewer].client().get(self.list_url, {"page_size": 200, "owner": "all"})
        assert response.status_code == 200
        body = response.content.decode()
        for key, record in records.items():
            assert (self.label(record) in body) == (record.pk in self._expected(viewer, records)), (viewer, key)
