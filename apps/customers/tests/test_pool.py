"""The public pool (公海): claim, assign, return, and recycling by the rules in force with a frozen clock."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from apps.core.models import Notification
from apps.customers.choices import DealStatus, OwnershipAction
from apps.customers.models import Contact, Customer, OwnershipLog
from apps.customers.selectors import pool as pool_selectors
from apps.customers.services import pool
from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory, owned
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.policy.tests.factories import new_version

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _user(personas: dict, key: str) -> Any:
    return personas[key].user


class ClaimTests:
    def test_a_pool_member_claims_a_pool_customer(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory()
        pool.customer_claim(actor=alice, customer=customer)
        customer.refresh_from_db()
        assert customer.owner == alice and customer.owner_unit == personas["rep_alice"].unit
        assert customer.owner_since is not None and not customer.in_pool
        log = OwnershipLog.objects.get(customer=customer)
        assert (log.action, log.to_owner, log.actor) == (OwnershipAction.CLAIM, alice, alice)
        assert customer.history.first().history_user == alice

    def test_an_owned_customer_cannot_be_claimed(self, personas: dict) -> None:
        customer = CustomerFactory(owner=_user(personas, "rep_carol"))
        with pytest.raises(ValidationError) as error:
            pool.customer_claim(actor=_user(personas, "rep_alice"), customer=customer)
        assert error.value.code == "not_in_pool"
        customer.refresh_from_db()
        assert customer.owner == _user(personas, "rep_carol")

    def test_without_the_claim_permission_nobody_claims(self, personas: dict) -> None:
        with pytest.raises(PermissionDenied):
            pool.customer_claim(actor=_user(personas, "auditor_dave"), customer=CustomerFactory())

    def test_the_daily_cap_comes_from_the_rules_in_force(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        today = pool_selectors.shanghai_day_start(timezone.now()).date()
        # Version 1.1, in force from today, allows only 2 claims a day (1.0 allows 10).
        new_version(_user(personas, "admin"), "1.1", today, public_pool={"claims_per_day": 2})
        assert pool_selectors.claims_left_today(user=alice) == 2
        for customer in CustomerFactory.create_batch(2):
            pool.customer_claim(actor=alice, customer=customer)
        assert pool_selectors.claims_left_today(user=alice) == 0
        third = CustomerFactory()
        with pytest.raises(ValidationError) as error:
            pool.customer_claim(actor=alice, customer=third)
        assert error.value.code == "claim_limit" and "1.1" in error.value.messages[0]
        third.refresh_from_db()
        assert third.in_pool
        # The cap is per person: bob may still claim.
        pool.customer_claim(actor=_user(personas, "lead_bob"), customer=third)

    def test_the_previous_owner_waits_the_configured_days(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory(previous_owner=alice, pooled_at=NOW - dt.timedelta(days=10))
        with pytest.raises(ValidationError) as error:
            pool.customer_claim(actor=alice, customer=customer, now=NOW)
        assert error.value.code == "previous_owner" and "2026-06-05" in error.value.messages[0]
        pool.customer_claim(actor=alice, customer=customer, now=NOW + dt.timedelta(days=21))
        customer.refresh_from_db()
        assert customer.owner == alice


class AssignTests:
    def test_a_manager_assigns_within_their_scope_and_the_owner_is_told(self, personas: dict) -> None:
        bob, alice = _user(personas, "lead_bob"), _user(personas, "rep_alice")
        customer = CustomerFactory()
        pool.customer_assign(actor=bob, customer=customer, to_owner=alice)
        customer.refresh_from_db()
        assert customer.owner == alice
        assert OwnershipLog.objects.get(customer=customer).action == OwnershipAction.ASSIGN
        assert Notification.objects.filter(recipient=alice, title__contains=customer.name).exists()

    def test_a_person_outside_the_managers_scope_is_refused(self, personas: dict) -> None:
        customer = CustomerFactory()
        with pytest.raises(ValidationError) as error:
            pool.customer_assign(
                actor=_user(personas, "lead_bob"), customer=customer, to_owner=_user(personas, "rep_carol")
            )
        assert "to_owner" in error.value.message_dict
        customer.refresh_from_db()
        assert customer.in_pool and not OwnershipLog.objects.exists()

    def test_staff_cannot_assign(self, personas: dict) -> None:
        with pytest.raises(PermissionDenied):
            pool.customer_assign(
                actor=_user(personas, "rep_alice"), customer=CustomerFactory(), to_owner=_user(personas, "rep_alice")
            )

    def test_the_assignable_people_are_the_managers_subtree(self, personas: dict) -> None:
        names = set(
            pool_selectors.assignable_owners(user=_user(personas, "lead_bob")).values_list("username", flat=True)
        )
        assert names == {"alice", "bob"}


class ReturnTests:
    def test_the_owner_returns_with_a_reason(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory(owner=alice)
        pool.customer_return(actor=alice, customer=customer, reason="客户已转向竞争对手")
        customer.refresh_from_db()
        assert customer.in_pool and customer.previous_owner == alice and customer.pooled_at
        assert customer.owner_unit is None
        log = OwnershipLog.objects.get(customer=customer)
        assert (log.action, log.from_owner, log.reason) == (OwnershipAction.RETURN, alice, "客户已转向竞争对手")

    @pytest.mark.parametrize("reason", ["", "   "])
    def test_a_reason_is_required(self, personas: dict, reason: str) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory(owner=alice)
        with pytest.raises(ValidationError) as error:
            pool.customer_return(actor=alice, customer=customer, reason=reason)
        assert "reason" in error.value.message_dict
        customer.refresh_from_db()
        assert customer.owner == alice

    def test_a_colleague_cannot_return_someone_elses_customer(self, personas: dict) -> None:
        customer = CustomerFactory(owner=_user(personas, "rep_alice"))
        with pytest.raises(PermissionDenied):
            pool.customer_return(actor=_user(personas, "rep_carol"), customer=customer, reason="x")

    def test_the_manager_returns_a_team_members_customer_and_tells_them(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory(owner=alice)
        pool.customer_return(actor=_user(personas, "lead_bob"), customer=customer, reason="长期无进展")
        assert Customer.objects.get(pk=customer.pk).in_pool
        assert Notification.objects.filter(recipient=alice).exists()

    def test_a_locked_customer_is_not_returned(self, personas: dict) -> None:
        alice = _user(personas, "rep_alice")
        customer = CustomerFactory(owner=alice, is_locked=True)
        with pytest.raises(ValidationError):
            pool.customer_return(actor=alice, customer=customer, reason="x")


@pytest.fixture
def neglected(personas: dict) -> dict[str, Customer]:
    """Alice's and Carol's customers at NOW under the default rules: A 15/60, B 30/90, C 60/180 days."""
    alice, carol = _user(personas, "rep_alice"), _user(personas, "rep_carol")
    return {
        "a_16_days_never_followed": owned(alice, days_owned=16, now=NOW, level="A"),
        "a_14_days_never_followed": owned(alice, days_owned=14, now=NOW, level="A"),
        "a_40_days_followed_10_ago": owned(alice, days_owned=40, followed_days_ago=10, now=NOW, level="A"),
        "a_61_days_followed_yesterday": owned(carol, days_owned=61, followed_days_ago=1, now=NOW, level="A"),
        "b_31_days_followed_31_ago": owned(carol, days_owned=31, followed_days_ago=31, now=NOW, level="B"),
        "b_29_days_never_followed": owned(alice, days_owned=29, now=NOW, level="B"),
        "c_50_days_never_followed": owned(alice, days_owned=50, now=NOW, level="C"),
        "a_locked_200_days": owned(alice, days_owned=200, now=NOW, level="A", is_locked=True),
        "a_won_200_days": owned(alice, days_owned=200, now=NOW, level="A", deal_status=DealStatus.WON),
        "b_28_days_followed_28_ago": owned(alice, days_owned=28, followed_days_ago=28, now=NOW, level="B"),
    }


RECYCLED_AT_NOW = {"a_16_days_never_followed", "a_61_days_followed_yesterday", "b_31_days_followed_31_ago"}


class RecycleTests:
    def test_exactly_the_due_customers_move_to_the_pool(self, personas: dict, neglected: dict) -> None:
        contact = ContactFactory(customer=neglected["a_16_days_never_followed"])
        result = pool.pool_recycle_due(now=NOW)
        assert set(result.recycled) == {neglected[k].pk for k in RECYCLED_AT_NOW}
        for key, customer in neglected.items():
            customer.refresh_from_db()
            assert customer.in_pool == (key in RECYCLED_AT_NOW), key
        moved = neglected["a_16_days_never_followed"]
        assert moved.previous_owner == _user(personas, "rep_alice") and moved.pooled_at == NOW
        # The contacts go along: the former owner no longer sees them.
        assert not Contact.objects.visible_to(_user(personas, "rep_alice")).filter(pk=contact.pk).exists()

    def test_the_log_names_the_rule_and_the_owners_are_told(self, personas: dict, neglected: dict) -> None:
        pool.pool_recycle_due(now=NOW)
        log = OwnershipLog.objects.get(customer=neglected["a_16_days_never_followed"])
        assert log.action == OwnershipAction.RECYCLE and log.from_owner == _user(personas, "rep_alice")
        assert "15" in log.reason and "1.0" in log.reason
        deal_log = OwnershipLog.objects.get(customer=neglected["a_61_days_followed_yesterday"])
        assert "60" in deal_log.reason
        assert OwnershipLog.objects.filter(action=OwnershipAction.RECYCLE).count() == 3
        alice_note = Notification.objects.get(recipient=_user(personas, "rep_alice"))
        assert neglected["a_16_days_never_followed"].name in alice_note.body
        assert Notification.objects.filter(recipient=_user(personas, "rep_carol")).count() == 1

    def test_locked_and_won_customers_are_never_touched(self, neglected: dict) -> None:
        for days in (0, 100, 1000):
            pool.pool_recycle_due(now=NOW + dt.timedelta(days=days))
        for key in ("a_locked_200_days", "a_won_200_days"):
            neglected[key].refresh_from_db()
            assert not neglected[key].in_pool
            assert not OwnershipLog.objects.filter(customer=neglected[key]).exists()

    def test_running_twice_moves_nothing_more(self, neglected: dict) -> None:
        assert pool.pool_recycle_due(now=NOW).count == 3
        assert pool.pool_recycle_due(now=NOW).count == 0

    def test_the_days_come_from_the_rules_in_force(self, personas: dict, neglected: dict) -> None:
        new_version(
            _user(personas, "admin"),
            "1.1",
            dt.date(2026, 6, 1),
            public_pool={"recycle": {"A": {"days_without_follow_up": 20, "days_without_deal": 0}}},
        )
        result = pool.pool_recycle_due(now=NOW)
        assert set(result.recycled) == {neglected["b_31_days_followed_31_ago"].pk}
        assert result.version_label == "1.1"


class WarningTests:
    def test_owners_are_warned_k_days_before_and_only_once(self, personas: dict, neglected: dict) -> None:
        alice = _user(personas, "rep_alice")
        warned = pool.pool_warn_due(now=NOW)
        # Due within 3 days: the 3 due now, A at 14 days (1 day left), B at 28 days (2 days left), B 29 days.
        expected = RECYCLED_AT_NOW | {
            "a_14_days_never_followed",
            "b_28_days_followed_28_ago",
            "b_29_days_never_followed",
        }
        assert warned == len(expected)
        for key, customer in neglected.items():
            customer.refresh_from_db()
            assert (customer.recycle_warned_at is not None) == (key in expected), key
        note = Notification.objects.get(recipient=alice)
        assert neglected["a_14_days_never_followed"].name in note.body and "2026-06-16" in note.body
        assert neglected["c_50_days_never_followed"].name not in note.body
        assert pool.pool_warn_due(now=NOW + dt.timedelta(hours=12)) == 0
        assert Notification.objects.filter(recipient=alice).count() == 1

    def test_the_due_list_shows_my_customers_within_the_warning_days(self, personas: dict, neglected: dict) -> None:
        due = pool_selectors.due_for_recycling(user=_user(personas, "rep_alice"), now=NOW)
        names = [c.name for c, _reason in due]
        assert names[0] == neglected["a_16_days_never_followed"].name  # overdue first
        assert set(names) == {
            neglected[k].name
            for k in (
                "a_16_days_never_followed",
                "a_14_days_never_followed",
                "b_28_days_followed_28_ago",
                "b_29_days_never_followed",
            )
        }


class JobTests:
    def test_run_due_jobs_runs_the_pool_jobs(self, personas: dict) -> None:
        customer = owned(_user(personas, "rep_alice"), days_owned=400, now=timezone.now(), level="C")
        call_command("run_due_jobs", stdout=io.StringIO())
        customer.refresh_from_db()
        assert customer.in_pool


def test_a_second_department_manager_sees_only_their_people() -> None:
    company = make_department("公司", "c", DepartmentKind.COMPANY)
    sales = make_department("销售部", "s", DepartmentKind.SALES, company)
    other = make_department("市场部", "m", DepartmentKind.MARKET_DEVELOPMENT, company)
    boss = make_employee("boss", "经理", sales, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    make_employee("rep", "销售", sales, BuiltinRole.STAFF)
    make_employee("mkt", "市场", other, BuiltinRole.STAFF)
    assert set(pool_selectors.assignable_owners(user=boss).values_list("username", flat=True)) == {"boss", "rep"}
