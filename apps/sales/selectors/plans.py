"""Reads of sales plans (销售计划, art. 9): the scoped list, one plan with its action items and their progress,
the intelligence a plan may cite, the action items due (workbench), and the actions done on time (the KPI)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.core.scoping import can
from apps.marketing.selectors.intel import intel_list
from apps.org.models import User
from apps.policy.selectors import POLICY_TIME_ZONE
from apps.sales.choices import ActionItemStatus, SalesPlanStatus
from apps.sales.models import SalesPlan, SalesPlanAction, TargetSet
from apps.sales.models.plans import APPROVER, CHANGER, PLAN_MOVES, PLAN_WORKFLOW


def plan_list(*, user: Any, status: str = "", q: str = "") -> QuerySet:
    """Plans in scope with owner, the number of action items and their average progress."""
    qs = SalesPlan.objects.visible_to(user).select_related("owner", "owner_unit")
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(strategy__icontains=q.strip()))
    return qs.annotate(action_count=Count("actions", distinct=True), avg_progress=Avg("actions__progress"))


def plan_get(*, user: Any, pk: Any, action: str = "view") -> SalesPlan:
    qs = SalesPlan.objects.visible_to(user, action).select_related("owner", "owner_unit", "approved_by")
    return get_object_or_404(qs, pk=pk)


def may_approve(user: User, plan: SalesPlan) -> bool:
    """A manager with the approval right whose scope covers the plan, and who is not its owner."""
    return bool(
        user.has_perm("sales.approve_salesplan")
        and user.pk != plan.owner_id
        and SalesPlan.objects.visible_to(user).filter(pk=plan.pk).exists()
    )


def plan_roles(user: User, plan: SalesPlan) -> frozenset[str]:
    """The roles of ``PLAN_WORKFLOW`` that ``user`` holds on ``plan``."""
    roles = set()
    if can(user, "change", plan):
        roles.add(CHANGER)
    if may_approve(user, plan):
        roles.add(APPROVER)
    return frozenset(roles)


def roles_for_move(move: str) -> frozenset[str]:
    """Everyone the table names for ``move`` in any status (who may try it at all)."""
    return frozenset().union(*(steps[move][1] for steps in PLAN_WORKFLOW.values() if move in steps))


def plan_allowed(user: User, plan: SalesPlan, roles: frozenset[str] | None = None) -> tuple[str, ...]:
    """The moves ``user`` may make on ``plan`` now, in the table's order: the page's buttons, the API's
    ``allowed_actions``; the services accept exactly these."""
    roles = plan_roles(user, plan) if roles is None else roles
    steps = PLAN_WORKFLOW.get(plan.status, {})
    return tuple(move for move in PLAN_MOVES if move in steps and steps[move][1] & roles)


def plan_actions(*, plan: SalesPlan, today: dt.date) -> list[SalesPlanAction]:
    """The action items, each marked ``overdue`` when past due and not done."""
    actions = list(plan.actions.select_related("responsible"))
    for action in actions:
        action.overdue = action.status != ActionItemStatus.DONE and action.due_date < today  # type: ignore[attr-defined]
    return actions


def plan_progress(actions: list[SalesPlanAction]) -> int:
    """The plan's progress: the average progress of its action items (0 without any)."""
    if not actions:
        return 0
    average = Decimal(sum(a.progress for a in actions)) / len(actions)
    return int(average.quantize(Decimal("1"), ROUND_HALF_UP))  # 四舍五入: 62.5 → 63


def intel_choices(*, user: Any) -> QuerySet:
    """The intelligence a plan may cite: what the user may see (published intel for sales people)."""
    return intel_list(user=user).order_by("-id")


def target_set_choices() -> QuerySet[TargetSet]:
    return TargetSet.objects.all()


def actions_due(*, user: Any, on: dt.date) -> QuerySet[SalesPlanAction]:
    """Action items I am responsible for, not done and due by ``on``, in plans being carried out."""
    return SalesPlanAction.objects.filter(
        responsible=user, due_date__lte=on, plan__status__in=("approved", "executing")
    ).exclude(status=ActionItemStatus.DONE)


# A plan's action items are commitments once the plan is approved: those of drafts and submitted plans are not counted.
COMMITTED_PLANS = (SalesPlanStatus.APPROVED, SalesPlanStatus.EXECUTING, SalesPlanStatus.CLOSED)


def committed_actions_due(*, start: dt.date, end: dt.date) -> QuerySet[SalesPlanAction]:
    """The action items of approved plans (approved, in execution or closed) due from ``start`` to ``end``
    (inclusive), by due date: what the KPI "sales plan actions done on time" counts. A person answers for the items
    they are responsible for, a department for the items of the plans owned in its subtree (``plan__owner_unit``)."""
    return SalesPlanAction.objects.filter(due_date__range=(start, end), plan__status__in=COMMITTED_PLANS).order_by(
        "due_date", "pk"
    )


def action_done_on_time(action: SalesPlanAction) -> bool:
    """Done, and marked done on or before its due date (the day in the policy's time zone)."""
    return (
        action.status == ActionItemStatus.DONE
        and action.done_at is not None
        and action.done_at.astimezone(POLICY_TIME_ZONE).date() <= action.due_date
    )
