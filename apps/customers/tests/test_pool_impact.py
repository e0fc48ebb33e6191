"""Issue 12: the impact page of a draft that changes the recycle periods counts, per level, the owned customers the
first recycling run under the draft would return to the public pool — recomputed here from the raw rows."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from apps.customers.choices import DealStatus
from apps.customers.models import Customer
from apps.customers.tests.factories_pool import owned
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import selectors
from apps.policy import services as policy_services

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = dt.date(2026, 6, 15)
START = dt.datetime(2026, 6, 15, tzinfo=TZ)  # the recycling run of the draft's first day


def _returned(level: str, follow_up_days: int, deal_days: int) -> int:
    """Owned, unlocked, not won customers of ``level`` that a rule of these periods returns at START (0 = off)."""
    count = 0
    for c in Customer.objects.filter(level=level, owner__isnull=False):
        if c.is_locked or c.deal_status == DealStatus.WON or c.owner_since is None:
            continue
        quiet = follow_up_days and c.owner_since <= START - dt.timedelta(days=follow_up_days)
        quiet = quiet and (
            c.last_follow_up_at is None or c.last_follow_up_at <= START - dt.timedelta(days=follow_up_days)
        )
        no_deal = deal_days and c.owner_since <= START - dt.timedelta(days=deal_days)
        count += bool(quiet or no_deal)
    return count


def test_a_shorter_recycle_period_counts_the_customers_it_would_return(personas: dict) -> None:
    leader = make_employee("lg", "领导", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    alice: Any = personas["rep_alice"].user
    for days_owned, followed, level, extra in [
        (12, None, "A", {}),
        (20, 11, "A", {}),
        (20, 9, "A", {}),
        (40, 35, "A", {"is_locked": True}),
        (13, None, "A", {"deal_status": DealStatus.WON}),
        (8, None, "A", {}),
        (45, 40, "B", {}),
        (25, None, "B", {}),
        (70, 65, "C", {}),
    ]:
        owned(alice, days_owned=days_owned, followed_days_ago=followed, now=START, level=level, **extra)
    draft = policy_services.policy_version_draft_from_in_force(actor=leader, label="1.1")
    policy_services.policy_version_update_rules(
        actor=leader,
        version=draft,
        rules={"public_pool": {"recycle": {"A": {"days_without_follow_up": 10}, "B": {"days_without_follow_up": 20}}}},
    )
    old = selectors.rules_in_force().rules.public_pool
    with translation.override("en"):
        impact = {i.section: i for i in selectors.version_impact(draft, effective_from=DAY)}["public_pool"]
    counted = [e for e in impact.effects if "would return to the public pool" in e]
    assert len(counted) == 2  # the two levels changed, not C
    for level, new_days, effect in zip("AB", (10, 20), counted, strict=True):
        rule = next(r for r in old.recycle if r.level == level)
        new = _returned(level, new_days, rule.days_without_deal)
        before = _returned(level, rule.days_without_follow_up, rule.days_without_deal)
        assert new > before  # the fixture is built so that the shorter period returns more
        assert f": {new} customers would return to the public pool on 2026-06-15 ({before} under version" in effect
