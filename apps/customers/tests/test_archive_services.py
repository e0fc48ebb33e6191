"""The archive's services: create with contacts, the duplicate check, validation, follow-ups, lock, transfer."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from apps.core.models import Notification
from apps.core.testing import Persona
from apps.customers.choices import OwnershipAction
from apps.customers.models import Contact, Customer, FollowUp, OwnershipLog
from apps.customers.services import archive as services
from apps.customers.tests.factories import ContactFactory, CustomerFactory, make_uscc
from apps.customers.timeline import register_transfer_hook
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Employee
from apps.org.testing import make_department, make_employee

pytestmark = pytest.mark.django_db


def _create(persona, **overrides):
    data = {"name": "深圳市华南精密制造有限公司", "uscc": make_uscc(777), "level": "B", "tags": ["重点", "华南"]}
    data.update(overrides.pop("data", {}))
    contacts = overrides.pop("contacts", [{"name": "陈经理", "mobile": "139 0000 1111"}])
    return services.customer_create(actor=persona.user, data=data, contacts=contacts, **overrides)


def _other_seller(personas):
    """A salesperson of another sales department, who sees none of alice's customers (the duplicate tests' second
    person: customer service creates no customers, since permissions follow the department kind)."""
    employee = Employee.objects.filter(user__username="erin").first()
    if employee is None:
        unit = make_department("销售部 C", "t-sales-c", DepartmentKind.SALES, personas["auditor_dave"].unit)
        employee = make_employee("erin", "艾琳", unit, BuiltinRole.STAFF)
    return Persona("rep_erin", employee.user, employee.department)


def _nothing_written(before: tuple[int, int, int]) -> bool:
    return (Customer.objects.count(), Contact.objects.count(), OwnershipLog.objects.count()) == before


def _counts() -> tuple[int, int, int]:
    return Customer.objects.count(), Contact.objects.count(), OwnershipLog.objects.count()


class CustomerCreateTests:
    def test_it_creates_the_customer_with_contacts_owner_and_log(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = _create(alice)
        assert customer.owner == alice.user
        assert customer.owner_unit == alice.unit
        assert customer.owner_since is not None and customer.created_by == alice.user
        assert customer.name_key == "深圳市华南精密制造"
        contact = customer.contacts.get()
        assert contact.mobile == "13900001111" and contact.is_primary
        assert sorted(t.name for t in customer.tags.all()) == ["华南", "重点"]
        log = customer.ownership_logs.get()
        assert (log.action, log.to_owner, log.actor) == (OwnershipAction.CREATE, alice.user, alice.user)
        assert customer.history.get().history_user == alice.user

    def test_owner_none_puts_it_in_the_public_pool(self, personas) -> None:
        customer = _create(personas["lead_bob"], owner=None)
        assert customer.in_pool and customer.owner_unit is None and customer.pooled_at is not None

    def test_a_lowercase_uscc_is_stored_upper_case(self, personas) -> None:
        customer = _create(personas["rep_alice"], data={"uscc": make_uscc(778).lower()})
        assert customer.uscc == make_uscc(778)

    @pytest.mark.parametrize("spelling", ["+86 139-0000-1111", "0086 13900001111", "139 0000 1111"])
    def test_the_same_mobile_in_another_spelling_is_blocked_and_nothing_written(self, personas, spelling) -> None:
        _create(personas["rep_alice"])
        before = _counts()
        with pytest.raises(ValidationError) as caught:
            _create(
                _other_seller(personas),
                data={"name": "完全不同的公司", "uscc": ""},
                contacts=[{"name": "王五", "mobile": spelling}],
            )
        assert caught.value.code == "duplicate"
        assert "深圳市华南精密制造有限公司" in caught.value.messages[0]
        assert "艾丽" in caught.value.messages[0]  # who owns it
        assert "13900001111" not in caught.value.messages[0]  # nothing else about it
        assert _nothing_written(before)

    def test_the_same_uscc_is_blocked_and_nothing_written(self, personas) -> None:
        _create(personas["rep_alice"], owner=None)
        before = _counts()
        with pytest.raises(ValidationError) as caught:
            _create(_other_seller(personas), data={"name": "另一家公司"}, contacts=[{"name": "赵六"}])
        assert caught.value.code == "duplicate"
        assert str(services.IN_POOL_LABEL) in caught.value.messages[0]
        assert _nothing_written(before)

    def test_the_database_constraint_is_the_last_guard(self, personas) -> None:
        """Two contacts with one number in the same request pass the check but not the unique index."""
        before = _counts()
        with pytest.raises(ValidationError) as caught:
            _create(
                personas["rep_alice"],
                contacts=[{"name": "甲", "mobile": "13900002222"}, {"name": "乙", "mobile": "+8613900002222"}],
            )
        assert caught.value.code == "duplicate"
        assert _nothing_written(before)

    @pytest.mark.parametrize(
        "variant",
        [
            "（深圳市）华南精密制造有限公司",
            "深圳市 华南精密制造 有限公司",
            "ｓｚ 华南精密",
            "SZ·华南精密有限公司",
            "华南精密制造",
        ],
    )
    def test_a_similar_name_warns_unless_allowed(self, personas, variant) -> None:
        CustomerFactory(name="深圳市华南精密制造有限公司", owner=personas["rep_alice"].user)
        CustomerFactory(name="ＳＺ华南精密有限公司", owner=personas["rep_alice"].user)
        before = _counts()
        with pytest.raises(ValidationError) as caught:
            _create(_other_seller(personas), data={"name": variant, "uscc": ""}, contacts=[])
        assert caught.value.code == "similar_name"
        assert _nothing_written(before)
        customer = _create(
            _other_seller(personas), data={"name": variant, "uscc": ""}, contacts=[], allow_similar_name=True
        )
        assert customer.pk

    def test_an_exact_duplicate_cannot_be_overridden(self, personas) -> None:
        _create(personas["rep_alice"])
        with pytest.raises(ValidationError) as caught:
            _create(_other_seller(personas), allow_similar_name=True, contacts=[])
        assert caught.value.code == "duplicate"

    @pytest.mark.parametrize(
        ("data", "contacts", "field"),
        [
            ({"uscc": "91440300000000000X"}, [], "uscc"),
            ({}, [{"name": "张三", "mobile": "1234567"}], "contact_mobile"),
            ({}, [{"name": "张三", "mobile": "23900001111"}], "contact_mobile"),
            ({"name": ""}, [], "name"),
        ],
    )
    def test_invalid_input_is_refused_in_chinese_and_nothing_written(self, personas, data, contacts, field) -> None:
        before = _counts()
        with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
            _create(personas["rep_alice"], data=data, contacts=contacts)
        assert field in caught.value.message_dict
        assert _nothing_written(before)

    def test_a_user_without_the_permission_is_refused(self, personas) -> None:
        with pytest.raises(PermissionDenied):
            _create(personas["auditor_dave"])


class CustomerUpdateTests:
    def test_it_records_the_change_as_a_sentence(self, personas) -> None:
        from apps.core.history import history_entries

        alice = personas["rep_alice"]
        customer = _create(alice)
        services.customer_update(actor=alice.user, customer=customer, data={"level": "A"})
        customer.refresh_from_db()
        assert customer.level == "A"
        with translation.override("en"):
            lines = history_entries(customer)[0].lines
        assert any("B (regular customer)" in line and "A (key customer)" in line for line in lines)

    def test_another_customers_uscc_is_refused(self, personas) -> None:
        alice = personas["rep_alice"]
        other = CustomerFactory(owner=alice.user)
        customer = _create(alice)
        with pytest.raises(ValidationError) as caught:
            services.customer_update(actor=alice.user, customer=customer, data={"uscc": other.uscc})
        assert caught.value.code == "duplicate"
        customer.refresh_from_db()
        assert customer.uscc == make_uscc(777)

    def test_keeping_its_own_uscc_and_name_is_fine(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = _create(alice)
        services.customer_update(
            actor=alice.user, customer=customer, data={"name": customer.name, "uscc": customer.uscc, "city": "东莞市"}
        )
        customer.refresh_from_db()
        assert customer.city == "东莞市"

    def test_out_of_scope_is_refused(self, personas) -> None:
        customer = _create(personas["rep_alice"])
        with pytest.raises(PermissionDenied):
            services.customer_update(actor=personas["rep_carol"].user, customer=customer, data={"level": "C"})


class ContactTests:
    def test_a_mobile_of_another_customer_is_refused(self, personas) -> None:
        alice = personas["rep_alice"]
        ContactFactory(customer=CustomerFactory(owner=personas["rep_carol"].user), mobile="13800138000")
        customer = CustomerFactory(owner=alice.user)
        with pytest.raises(ValidationError) as caught:
            services.contact_create(
                actor=alice.user, customer=customer, data={"name": "李四", "mobile": "+86 138-0013-8000"}
            )
        assert "mobile" in caught.value.message_dict
        assert not customer.contacts.exists()

    def test_a_new_primary_contact_replaces_the_old_one(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user)
        first = ContactFactory(customer=customer, is_primary=True)
        services.contact_create(actor=alice.user, customer=customer, data={"name": "新", "is_primary": True})
        first.refresh_from_db()
        assert not first.is_primary
        assert customer.contacts.filter(is_primary=True).count() == 1


class FollowUpTests:
    def test_it_updates_last_and_next_contact_and_clears_the_warning(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user, recycle_warned_at=timezone.now())
        when = timezone.now() - dt.timedelta(hours=1)
        nxt = timezone.now() + dt.timedelta(days=3)
        services.follow_up_create(
            actor=alice.user,
            customer=customer,
            data={"channel": "visit", "content": "上门拜访，确认需求", "occurred_at": when, "next_contact_at": nxt},
        )
        customer.refresh_from_db()
        assert customer.last_follow_up_at == when and customer.next_contact_at == nxt
        assert customer.last_follow_up_summary == "上门拜访，确认需求"
        assert customer.recycle_warned_at is None

    def test_an_older_follow_up_does_not_move_the_dates_back(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user)
        recent = timezone.now() - dt.timedelta(days=1)
        services.follow_up_create(actor=alice.user, customer=customer, data={"content": "新", "occurred_at": recent})
        services.follow_up_create(
            actor=alice.user, customer=customer, data={"content": "补录", "occurred_at": recent - dt.timedelta(days=9)}
        )
        customer.refresh_from_db()
        assert customer.last_follow_up_at == recent and customer.last_follow_up_summary == "新"

    @pytest.mark.parametrize(
        ("occurred", "nxt", "field"),
        [
            (dt.timedelta(days=1), None, "occurred_at"),
            (-dt.timedelta(days=1), -dt.timedelta(days=2), "next_contact_at"),
        ],
    )
    def test_impossible_times_are_refused(self, personas, occurred, nxt, field) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user)
        now = timezone.now()
        data = {"content": "x", "occurred_at": now + occurred, "next_contact_at": now + nxt if nxt else None}
        with pytest.raises(ValidationError) as caught:
            services.follow_up_create(actor=alice.user, customer=customer, data=data)
        assert field in caught.value.message_dict
        assert not FollowUp.objects.exists()

    def test_out_of_scope_is_refused(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        with pytest.raises(PermissionDenied):
            services.follow_up_create(actor=personas["rep_carol"].user, customer=customer, data={"content": "x"})


class LockTests:
    def test_the_owner_locks_and_unlocks(self, personas) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user)
        services.customer_set_lock(actor=alice.user, customer=customer, locked=True)
        customer.refresh_from_db()
        assert customer.is_locked
        services.customer_set_lock(actor=alice.user, customer=customer, locked=False)
        customer.refresh_from_db()
        assert not customer.is_locked


def _other_sales_person(personas: dict) -> Any:
    """A salesperson of another sales department (outside bob's), who may own customers."""
    unit = make_department("销售部 E", "t-sales-e", DepartmentKind.SALES, personas["auditor_dave"].unit)
    employee = make_employee("erin", "艾琳", unit, BuiltinRole.STAFF)
    return Persona("erin", employee.user, employee.department)


class TransferTests:
    def test_it_moves_customers_with_contacts_logs_and_notifies(self, personas) -> None:
        bob, alice, carol = personas["lead_bob"], personas["rep_alice"], _other_sales_person(personas)
        customers = [CustomerFactory(owner=alice.user) for _ in range(2)]
        ContactFactory(customer=customers[0])
        moved = services.customer_transfer(actor=bob.user, customers=customers, to_owner=carol.user, reason="区域调整")
        assert moved == 2
        for customer in customers:
            customer.refresh_from_db()
            assert customer.owner == carol.user and customer.owner_unit == carol.unit
            assert customer.previous_owner == alice.user
            log = customer.ownership_logs.get(action=OwnershipAction.TRANSFER)
            assert (log.from_owner, log.to_owner, log.reason, log.actor) == (
                alice.user,
                carol.user,
                "区域调整",
                bob.user,
            )
        # Contacts follow the customer: now in carol's scope, out of alice's.
        assert Contact.objects.visible_to(carol.user).filter(customer=customers[0]).exists()
        assert not Contact.objects.visible_to(alice.user).filter(customer=customers[0]).exists()
        assert Notification.objects.filter(recipient=carol.user).count() == 1

    def test_registered_hooks_run_in_the_transfer(self, personas) -> None:
        seen = []
        register_transfer_hook(lambda **kw: seen.append((len(kw["customers"]), kw["to_owner"])))
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        services.customer_transfer(
            actor=personas["lead_bob"].user, customers=[customer], to_owner=personas["lead_bob"].user, reason="接手"
        )
        assert seen[-1] == (1, personas["lead_bob"].user)

    def test_staff_without_the_permission_are_refused(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        with pytest.raises(PermissionDenied):
            services.customer_transfer(
                actor=personas["rep_alice"].user, customers=[customer], to_owner=personas["rep_carol"].user, reason="x"
            )

    def test_a_customer_outside_the_managers_scope_is_refused_and_nothing_moves(self, personas) -> None:
        mine = CustomerFactory(owner=personas["rep_alice"].user)
        foreign = CustomerFactory(owner=personas["rep_carol"].user)
        with pytest.raises(PermissionDenied):
            services.customer_transfer(
                actor=personas["lead_bob"].user,
                customers=[mine, foreign],
                to_owner=personas["lead_bob"].user,
                reason="x",
            )
        mine.refresh_from_db()
        assert mine.owner == personas["rep_alice"].user

    def test_a_reason_is_required(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        with pytest.raises(ValidationError) as caught:
            services.customer_transfer(
                actor=personas["lead_bob"].user, customers=[customer], to_owner=personas["lead_bob"].user, reason=" "
            )
        assert "reason" in caught.value.message_dict


class TransferOnlyToCustomerOwnersTests:
    """Issue 10: an owner picker offers only people of the departments that hold customers; the service refuses the
    others whoever asks (customer service and senior management hold no customers)."""

    def test_a_transfer_to_customer_service_is_refused_and_nothing_moves(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user)
        for to in (personas["rep_carol"].user, personas["auditor_dave"].user):
            with pytest.raises(ValidationError) as caught:
                services.customer_transfer(
                    actor=personas["lead_bob"].user, customers=[customer], to_owner=to, reason="调整"
                )
            assert "to_owner" in caught.value.message_dict
        customer.refresh_from_db()
        assert customer.owner == personas["rep_alice"].user
        assert not customer.ownership_logs.exists()

    def test_the_pickers_offer_exactly_the_people_who_may_own_customers(self, personas) -> None:
        from apps.customers.forms.archive import TransferForm
        from apps.customers.selectors import pool as pool_selectors

        erin = _other_sales_person(personas)
        market = make_department("市场部", "t-market", DepartmentKind.MARKET_DEVELOPMENT, personas["auditor_dave"].unit)
        mkt = make_employee("mia", "米娅", market, BuiltinRole.STAFF)
        # recomputed from the raw grants: a role's own permission, or its grant for the person's department kind
        holders = {
            e.user.username
            for e in Employee.objects.filter(is_active=True).select_related("user", "department")
            if any(
                r.permissions.filter(codename="add_customer").exists()
                or r.kind_grants.filter(
                    department_kind=e.department.kind, permissions__codename="add_customer"
                ).exists()
                for r in e.roles.all()
            )
        }
        assert {"alice", "bob", erin.user.username, mkt.user.username} <= holders
        assert not holders & {"carol", "dave"}  # customer service, senior management
        offered = {u.username for u in TransferForm().fields["to_owner"].queryset}
        assert offered == holders
        company_wide = {u.username for u in pool_selectors.assignable_owners(user=personas["auditor_dave"].user)}
        assert company_wide <= holders and "carol" not in company_wide and "dave" not in company_wide
