"""The public pool (公海): claim, assign, return, and the automatic recycling with its advance warning.

Every number (days without follow-up / without a deal per level, warning days, claims per day, the previous
owner's waiting period) comes from the public-pool rules of the policy version in force.
A customer's contacts need no move of their own: their visibility follows the customer's owner.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.services import model_save, notify
from apps.customers.choices import OwnershipAction
from apps.customers.models import Customer, OwnershipLog
from apps.customers.selectors.pool import (
    SHANGHAI,
    assignable_owners,
    claims_today,
    is_pool_member,
    recyclable,
    recycle_reason,
)
from apps.customers.timeline import owners_changed
from apps.org.models import Employee
from apps.policy.selectors import RulesInForce, rules_in_force

NOT_IN_POOL = gettext_lazy("“%(name)s” is no longer in the public pool; someone else has it now.")
ALREADY_IN_POOL = gettext_lazy("“%(name)s” is already in the public pool.")
CLAIM_LIMIT_REACHED = gettext_lazy(
    "You have claimed %(count)s customers today, the most the rules in force (version %(version)s) allow per day."
)
PREVIOUS_OWNER_BLOCKED = gettext_lazy(
    "You returned “%(name)s” to the pool on %(date)s; you may claim it again from %(again)s."
)
NOT_A_POOL_MEMBER = gettext_lazy("You may not claim customers from the public pool.")
CANNOT_ASSIGN = gettext_lazy("You may not assign customers.")
OWNER_OUT_OF_SCOPE = gettext_lazy("%(user)s is not among the people you may assign customers to.")
CANNOT_RETURN = gettext_lazy("Only the owner or their manager may return this customer to the pool.")
REASON_REQUIRED = gettext_lazy("Say why the customer goes back to the pool.")
LOCKED_CANNOT_RETURN = gettext_lazy("“%(name)s” is locked; unlock it before returning it to the pool.")
RECYCLE_REASON_FOLLOW_UP = gettext_lazy("Level %(level)s: no follow-up for %(days)s days (rules %(version)s)")
RECYCLE_REASON_DEAL = gettext_lazy(
    "Level %(level)s: no deal for %(days)s days since becoming owner (rules %(version)s)"
)


def _unit_of(user: Any) -> Any:
    """The owner's department, which the customer's department follows (for the data scope)."""
    employee = Employee.objects.filter(user=user).select_related("department").first()
    return employee.department if employee else None


def _log(customer: Customer, action: str, *, actor: Any, frm: Any, to: Any, reason: str = "") -> OwnershipLog:
    return OwnershipLog.objects.create(
        customer=customer, action=action, from_owner=frm, to_owner=to, actor=actor, reason=str(reason)[:200]
    )


def _set_owner(customer: Customer, *, owner: Any, actor: Any, reason: Any, now: dt.datetime) -> None:
    """Give the customer to ``owner`` (None: into the pool), restarting the owner clock; history by ``actor``."""
    if owner is None:
        customer.previous_owner = customer.owner
        customer.pooled_at = now
        customer.owner_unit = None
    else:
        customer.owner_unit = _unit_of(owner)
    customer.owner = owner
    customer.owner_since = now if owner is not None else None
    customer.recycle_warned_at = None
    model_save(
        customer,
        actor=actor,
        reason=str(reason)[:100],
        update_fields=[
            "owner",
            "owner_unit",
            "owner_since",
            "previous_owner",
            "pooled_at",
            "recycle_warned_at",
            "updated_at",
        ],
    )
    owners_changed([customer.pk])


def _locked_pool_customer(customer: Customer) -> Customer:
    """Re-read the customer under a row lock, so two people cannot claim the same one at once."""
    fresh = Customer.objects.select_for_update().get(pk=customer.pk)
    if fresh.owner_id is not None:
        raise ValidationError(NOT_IN_POOL, code="not_in_pool", params={"name": fresh.name})
    return fresh


def _lock_claimer(actor: Any) -> None:
    """Lock the claimer's user row until the claim commits, so one person's simultaneous claims are counted one
    after the other against the daily cap (PostgreSQL: a row lock; SQLite: IMMEDIATE transactions already run one
    at a time)."""
    get_user_model()._default_manager.select_for_update().filter(pk=actor.pk).values_list("pk", flat=True).first()


def _check_claim_allowed(actor: Any, customer: Customer, now: dt.datetime) -> None:
    """Raise when the actor reached today's claim cap, or returned this customer too recently."""
    in_force = pool_rules_in_force(now)
    rules = in_force.rules.public_pool
    if rules.claims_per_day and claims_today(user=actor, now=now) >= rules.claims_per_day:
        raise ValidationError(
            CLAIM_LIMIT_REACHED,
            code="claim_limit",
            params={"count": rules.claims_per_day, "version": in_force.version_label},
        )
    block = rules.previous_owner_block_days
    if block and customer.previous_owner_id == actor.pk and customer.pooled_at:
        again = customer.pooled_at + dt.timedelta(days=block)
        if now < again:
            raise ValidationError(
                PREVIOUS_OWNER_BLOCKED,
                code="previous_owner",
                params={
                    "name": customer.name,
                    "date": timezone.localdate(customer.pooled_at, SHANGHAI).isoformat(),
                    "again": timezone.localdate(again, SHANGHAI).isoformat(),
                },
            )


def pool_rules_in_force(now: dt.datetime) -> RulesInForce:
    """The rules in force on ``now``'s day in Shanghai (a frozen ``now`` reads that day's version)."""
    return rules_in_force(on=timezone.localdate(now, SHANGHAI))


@transaction.atomic
def customer_claim(*, actor: Any, customer: Customer, now: dt.datetime | None = None) -> Customer:
    """领取: a pool member takes a pool customer. Raise when it is no longer in the pool, the daily claim cap of
    the rules in force is reached, or the actor is its previous owner within the rules' waiting period."""
    if not actor.has_perm("customers.claim_customer"):
        raise PermissionDenied(NOT_A_POOL_MEMBER)
    now = now or timezone.now()
    _lock_claimer(actor)
    customer = _locked_pool_customer(customer)
    _check_claim_allowed(actor, customer, now)
    _set_owner(customer, owner=actor, actor=actor, reason=OwnershipAction.CLAIM.label, now=now)
    _log(customer, OwnershipAction.CLAIM, actor=actor, frm=None, to=actor)
    return customer


@transaction.atomic
def customer_assign(*, actor: Any, customer: Customer, to_owner: Any, now: dt.datetime | None = None) -> Customer:
    """分配: a manager with ``customers.assign_customer`` gives a pool customer to someone within their scope."""
    if not actor.has_perm("customers.assign_customer") or not is_pool_member(actor):
        raise PermissionDenied(CANNOT_ASSIGN)
    if to_owner is None or not assignable_owners(user=actor).filter(pk=to_owner.pk).exists():
        raise ValidationError(
            {
                "to_owner": ValidationError(
                    OWNER_OUT_OF_SCOPE, code="out_of_scope", params={"user": str(to_owner or "—")}
                )
            }
        )
    now = now or timezone.now()
    customer = _locked_pool_customer(customer)
    _set_owner(customer, owner=to_owner, actor=actor, reason=OwnershipAction.ASSIGN.label, now=now)
    _log(customer, OwnershipAction.ASSIGN, actor=actor, frm=None, to=to_owner)
    notify(
        recipients=[to_owner],
        title=_("A customer was assigned to you: %(name)s") % {"name": customer.name},
        body=_("%(actor)s assigned it to you from the public pool.") % {"actor": actor},
        url=_customer_url(customer),
    )
    return customer


@transaction.atomic
def customer_return(*, actor: Any, customer: Customer, reason: str, now: dt.datetime | None = None) -> Customer:
    """退回/放入公海: the owner, or a manager whose scope covers the customer, returns it with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ValidationError(REASON_REQUIRED, code="required")})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.owner_id is None:
        raise ValidationError(ALREADY_IN_POOL, code="in_pool", params={"name": customer.name})
    is_owner = customer.owner_id == actor.pk
    if not is_owner and not (actor.has_perm("customers.transfer_customer") and can(actor, "change", customer)):
        raise PermissionDenied(CANNOT_RETURN)
    if customer.is_locked:
        raise ValidationError(LOCKED_CANNOT_RETURN, code="locked", params={"name": customer.name})
    previous = customer.owner
    _set_owner(customer, owner=None, actor=actor, reason=reason, now=now or timezone.now())
    _log(customer, OwnershipAction.RETURN, actor=actor, frm=previous, to=None, reason=reason)
    if not is_owner:
        notify(
            recipients=[previous],
            title=_("Your customer %(name)s was returned to the pool") % {"name": customer.name},
            body=reason,
            url=reverse("customers:pool_list"),
        )
    return customer


def _customer_url(customer: Customer) -> str:
    try:
        return reverse("customers:customer_detail", args=[customer.pk])
    except Exception:  # the archive pages may not be installed (yet)
        return reverse("customers:pool_list")


#
# Recycling and its warning (periodic jobs)
#


@dataclass
class RecycleResult:
    version_label: str
    recycled: list[int] = field(default_factory=list)  # customer ids
    owners_notified: int = 0

    @property
    def count(self) -> int:
        return len(self.recycled)


def _reason_text(customer: Customer, rules: Any, version: str) -> str:
    reason = recycle_reason(customer, rules)
    template = RECYCLE_REASON_DEAL if reason and reason.kind == "deal" else RECYCLE_REASON_FOLLOW_UP
    return str(template % {"level": customer.level, "days": reason.days if reason else "?", "version": version})


@transaction.atomic
def pool_recycle_due(*, now: dt.datetime | None = None) -> RecycleResult:
    """自动回收: move to the pool exactly the customers the rules in force say are due (never locked or won
    ones), logging the rule as the reason and telling each former owner which of their customers went."""
    now = now or timezone.now()
    in_force = pool_rules_in_force(now)
    rules = in_force.rules.public_pool
    result = RecycleResult(version_label=in_force.version_label)
    by_owner: dict[Any, list[str]] = defaultdict(list)
    for customer in recyclable(rules=rules, now=now).select_for_update().select_related("owner").order_by("pk"):
        owner = customer.owner
        reason = _reason_text(customer, rules, in_force.version_label)
        _set_owner(customer, owner=None, actor=None, reason=reason, now=now)
        _log(customer, OwnershipAction.RECYCLE, actor=None, frm=owner, to=None, reason=reason)
        by_owner[owner].append(f"{customer.name}（{reason}）")
        result.recycled.append(customer.pk)
    for owner, lines in by_owner.items():
        notify(
            recipients=[owner],
            title=_("%(count)s of your customers went back to the public pool") % {"count": len(lines)},
            body="\n".join(lines),
            url=reverse("customers:pool_list"),
        )
    result.owners_notified = len(by_owner)
    return result


@transaction.atomic
def pool_warn_due(*, now: dt.datetime | None = None) -> int:
    """回收提醒: tell each owner, once, which of their customers the rules recycle within the warning days.
    Return how many customers were newly warned about."""
    now = now or timezone.now()
    rules = pool_rules_in_force(now).rules.public_pool
    if not rules.warning_days:
        return 0
    # Warned once per neglect period: a follow-up after the warning starts a new period (and a new warning).
    due = recyclable(rules=rules, now=now, lead_days=rules.warning_days).filter(
        Q(recycle_warned_at__isnull=True) | Q(recycle_warned_at__lt=F("last_follow_up_at"))
    )
    by_owner: dict[Any, list[str]] = defaultdict(list)
    ids = []
    for customer in due.select_related("owner").order_by("pk"):
        reason = recycle_reason(customer, rules)
        when = timezone.localdate(reason.due_at, SHANGHAI).isoformat() if reason else ""
        by_owner[customer.owner].append(
            _("%(name)s — back to the pool on %(date)s") % {"name": customer.name, "date": when}
        )
        ids.append(customer.pk)
    # A queryset update: the warning stamp is bookkeeping, not a change anyone reads in the history.
    Customer.objects.filter(pk__in=ids).update(recycle_warned_at=now)
    for owner, lines in by_owner.items():
        notify(
            recipients=[owner],
            title=_("%(count)s of your customers will go back to the public pool soon") % {"count": len(lines)},
            body="\n".join(lines),
            url=reverse("customers:pool_due_list"),
        )
    return len(ids)
