"""Issue 12: the impact page of a draft that changes the contact cadence counts, per level, the serviced customers
that would be due for their regular contact on the draft's first day — recomputed here from the raw rows."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from apps.customers.models import Customer
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import selectors
from apps.policy import services as policy_services
from apps.service.models import RelationshipContact
from apps.service.tests.factories_relationship import make_contact_record, serviced_customer

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 6, 15)
NOON = dt.datetime(2026, 6, 15, 12, tzinfo=TZ)


def _due(level: str, days: int) -> int:
    """Serviced, owned customers of ``level`` whose last contact (else follow-up, else creation) was ``days`` or more
    Shanghai days before DAY."""
    count = 0
    for c in Customer.objects.filter(level=level, owner__isnull=False, service_owner__isnull=False):
        contacts = [r.occurred_at for r in RelationshipContact.objects.filter(customer=c)]
        last = max(contacts) if contacts else (c.last_follow_up_at or c.created_at)
        count += timezone.localtime(last, TZ).date() + dt.timedelta(days=days) <= DAY
    return count


def test_a_shorter_cadence_counts_the_customers_due_on_its_first_day(personas: dict) -> None:
    leader = make_employee("lg", "领导", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    alice: Any = personas["rep_alice"].user
    carol, unit = personas["rep_carol"].user, personas["rep_carol"].unit
    for level, contacted_days_ago, created_days_ago in [
        ("A", 3, 400),
        ("A", 5, 400),
        ("A", 8, 400),
        ("A", None, 4),
        ("B", 10, 400),
        ("B", None, 12),
        ("B", 20, 400),
        ("C", 20, 400),
    ]:
        customer = serviced_customer(owner=alice, service_owner=carol, level=level)
        Customer.objects.filter(pk=customer.pk).update(
            created_at=NOON - dt.timedelta(days=created_days_ago), last_follow_up_at=None
        )
        if contacted_days_ago is not None:
            make_contact_record(
                customer=customer, owner=carol, unit=unit, occurred_at=NOON - dt.timedelta(days=contacted_days_ago)
            )
    draft = policy_services.policy_version_draft_from_in_force(actor=leader, label="1.1")
    policy_services.policy_version_update_rules(
        actor=leader, version=draft, rules={"contact_cadence_days": {"A": 4, "B": 10}}
    )
    old = selectors.rules_in_force().rules
    with translation.override("en"):
        impact = {i.section: i for i in selectors.version_impact(draft, effective_from=DAY)}["contact_cadence_days"]
    counted = [e for e in impact.effects if "regular contact" in e]
    assert len(counted) == 2  # A and B changed, not C
    for level, days, effect in zip("AB", (4, 10), counted, strict=True):
        new, before = _due(level, days), _due(level, old.contact_cadence_days(level))
        assert new > before
        assert f": {new} serviced customers would be due for their regular contact on 2026-06-15" in effect
        assert f"{before} at every {old.contact_cadence_days(level)} days under version" in effect
