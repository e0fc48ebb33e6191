"""Reads of the public pool (公海): who may see it, what is in it, who is due for recycling, claims made today.

Pool customers have no owner, so ``visible_to`` (which follows the owner) does not reach them; the pool is open
to every pool member (a user with ``customers.claim_customer``, or an assigner), whatever their department.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.core.scoping import users_assignable
from apps.customers.choices import DealStatus, OwnershipAction
from apps.customers.models import Customer, OwnershipLog
from apps.org.models import User
from apps.org.selectors import users_with_permission
from apps.policy.rules import PublicPoolRules, RecycleRule
from apps.policy.selectors import rules_in_force

SHANGHAI = ZoneInfo("Asia/Shanghai")
POOL_SORT_FIELDS = ("name", "level", "industry", "province", "pooled_at", "last_follow_up_at")


def is_pool_member(user: Any) -> bool:
    """Pool members may browse the pool: claimers and the managers who assign from it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.has_perm("customers.claim_customer") or user.has_perm("customers.assign_customer"))
    )


def pool_customer_list(*, user: Any) -> QuerySet[Customer]:
    """The customers in the public pool, for a pool member (nothing for anyone else); one query per page."""
    if not is_pool_member(user):
        return Customer.objects.none()
    return Customer.objects.filter(owner__isnull=True).select_related("previous_owner")


def pool_rules(on: dt.date | None = None) -> PublicPoolRules:
    return rules_in_force(on=on).rules.public_pool


def shanghai_day_start(now: dt.datetime) -> dt.datetime:
    """Midnight of ``now``'s day in Asia/Shanghai (the company's day, whatever the server's zone)."""
    local = timezone.localtime(now, SHANGHAI)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def claims_today(*, user: Any, now: dt.datetime | None = None) -> int:
    """How many customers ``user`` has claimed from the pool today (Asia/Shanghai)."""
    start = shanghai_day_start(now or timezone.now())
    return OwnershipLog.objects.filter(
        to_owner=user, action=OwnershipAction.CLAIM, at__gte=start, at__lt=start + dt.timedelta(days=1)
    ).count()


def claims_left_today(*, user: Any, now: dt.datetime | None = None) -> int | None:
    """Claims ``user`` may still make today under the rules in force; None when there is no daily cap."""
    cap = pool_rules().claims_per_day
    if cap == 0:
        return None
    return max(cap - claims_today(user=user, now=now), 0)


#
# Recycling: which customers the rules in force return to the pool
#


def _rule_q(rule: RecycleRule, now: dt.datetime, lead_days: int) -> Q:
    """Customers of ``rule.level`` that reach a recycle period within ``lead_days`` of ``now``.

    No follow-up: both the owner's start and the last follow-up are older than the period (never followed up
    counts as old). No deal: the owner's start is older than the period.
    """
    cond = Q()
    if rule.days_without_follow_up:
        cutoff = now - dt.timedelta(days=rule.days_without_follow_up - lead_days)
        cond |= Q(owner_since__lte=cutoff) & (Q(last_follow_up_at__isnull=True) | Q(last_follow_up_at__lte=cutoff))
    if rule.days_without_deal:
        cond |= Q(owner_since__lte=now - dt.timedelta(days=rule.days_without_deal - lead_days))
    return Q(level=rule.level) & cond if cond else Q(pk__in=[])


def recyclable(*, rules: PublicPoolRules, now: dt.datetime, lead_days: int = 0) -> QuerySet[Customer]:
    """Owned, unlocked customers without a deal that the rules recycle within ``lead_days`` (0: due now).

    Locked and won customers are exempt; a customer without ``owner_since`` is never recycled (no start date).
    """
    cond = Q(pk__in=[])
    for rule in rules.recycle:
        cond |= _rule_q(rule, now, lead_days)
    return Customer.objects.filter(cond, owner__isnull=False, owner_since__isnull=False, is_locked=False).exclude(
        deal_status=DealStatus.WON
    )


@dataclass(frozen=True)
class RecycleReason:
    kind: str  # "follow_up" or "deal"
    days: int
    due_at: dt.datetime


def recycle_reason(customer: Customer, rules: PublicPoolRules) -> RecycleReason | None:
    """The rule that recycles ``customer`` first, with the moment it falls due; None when no rule applies."""
    rule = next((r for r in rules.recycle if r.level == customer.level), None)
    if rule is None or customer.owner_since is None:
        return None
    candidates = []
    if rule.days_without_follow_up:
        start = max(customer.owner_since, customer.last_follow_up_at or customer.owner_since)
        days = rule.days_without_follow_up
        candidates.append(RecycleReason("follow_up", days, start + dt.timedelta(days=days)))
    if rule.days_without_deal:
        days = rule.days_without_deal
        candidates.append(RecycleReason("deal", days, customer.owner_since + dt.timedelta(days=days)))
    return min(candidates, key=lambda r: r.due_at) if candidates else None


def due_for_recycling(*, user: Any, now: dt.datetime | None = None) -> list[tuple[Customer, RecycleReason]]:
    """待进入公海: the user's own customers the rules return to the pool within the warning days, soonest first."""
    now = now or timezone.now()
    rules = pool_rules(timezone.localdate(now, SHANGHAI))
    qs = recyclable(rules=rules, now=now, lead_days=rules.warning_days).filter(owner=user)
    rows = [
        (c, recycle_reason(c, rules))
        for c in qs.only(
            "id", "name", "level", "owner_id", "owner_since", "last_follow_up_at", "industry", "province", "city"
        )
    ]
    due = [(c, r) for c, r in rows if r is not None]
    return sorted(due, key=lambda pair: pair[1].due_at)


#
# Assigning: who a manager may give a customer to
#


OWNER_PERMISSION = "customers.add_customer"


def customer_owners() -> QuerySet[User]:
    """Who may own customers: people whose work holds customers (the sales and market development departments, by
    the permissions their roles give in their kind of department), not customer service or senior management."""
    return users_with_permission(OWNER_PERMISSION)


def assignable_owners(*, user: Any) -> QuerySet[User]:
    """Active users the actor may assign customers to: the one rule ``core.scoping.users_assignable``, among the
    people who may own customers."""
    people = users_assignable(user, Customer._meta.app_label).filter(pk__in=customer_owners().values("pk"))
    return people.select_related("employee__department").order_by("employee__department__path", "name")


def due_for_recycling_count(*, user: Any, now: dt.datetime | None = None) -> int:
    """How many of the user's customers go back to the pool within the warning days (two queries)."""
    now = now or timezone.now()
    rules = pool_rules(timezone.localdate(now, SHANGHAI))
    return recyclable(rules=rules, now=now, lead_days=rules.warning_days).filter(owner=user).count()
