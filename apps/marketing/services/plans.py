"""Writes of market development plans (policy arts. 4, 8): drafting with goal lines, then draft → submitted →
approved (by a manager over the plan, not its own owner) → in execution → closed; a rejection sends it back to
draft with a comment. Senior management is told when a plan is approved."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.services import model_update, notification_topic, notifications_close, notify, owned_create
from apps.marketing.choices import GoalMetric, PlanStatus
from apps.marketing.models import MarketPlan, PlanGoal
from apps.marketing.models.plans import PLAN_WORKFLOW, PlanRole, PlanStep, plan_step_roles, plan_step_target
from apps.marketing.selectors.plans import plan_approvers, plan_roles, senior_management
from apps.org.models import User

S = PlanStatus
# The plan pipeline, read from the one table ``PLAN_WORKFLOW``: from each status, the statuses it may move to.
PLAN_PIPELINE: dict[str, tuple[str, ...]] = {
    status: tuple(step.target for step in steps.values() if step.target is not None)
    for status, steps in PLAN_WORKFLOW.items()
}

PLAN_FIELDS = [
    "title",
    "period_start",
    "period_end",
    "strategic_goal",
    "expansion_strategy",
    "promotion_plan",
    "budget",
]
MOVE_NOT_ALLOWED = gettext_lazy("A plan that is “%(current)s” cannot become “%(target)s”.")
ONLY_DRAFTS_EDITABLE = gettext_lazy("Only a draft plan can be changed; this one is “%(status)s”.")
PERIOD_REVERSED = gettext_lazy("The period must end on or after the day it starts.")
GOALS_REQUIRED = gettext_lazy("A plan needs at least one measurable goal line before it is submitted.")
GOAL_TWICE = gettext_lazy("Each goal can appear only once in a plan: “%(metric)s” is there twice.")
GOAL_NOT_POSITIVE = gettext_lazy("The target of “%(metric)s” must be greater than 0.")
APPROVER_IS_OWNER = gettext_lazy("You cannot approve your own plan; the manager above you approves it.")
NOT_AN_APPROVER = gettext_lazy("Only a manager whose department covers this plan can approve or reject it.")
REJECT_NEEDS_COMMENT = gettext_lazy("Say why the plan is sent back, so that its owner knows what to change.")
NOT_YOURS = gettext_lazy("Only the plan's owner or a manager over it can do this.")
GOAL_NEEDS_TARGET = gettext_lazy("Give the target of this goal.")
BUDGET_NEGATIVE = gettext_lazy("The budget cannot be negative.")


def _url(plan: MarketPlan) -> str:
    return reverse("marketing:plan_detail", args=[plan.pk])


def _check(actor: User, plan: MarketPlan, action: str) -> PlanStep:
    """Take ``action`` of ``PLAN_WORKFLOW`` on the plan: refuse a person the step does not name (403; an approver
    who owns the plan: a validation error), then a step the plan's status does not allow; return the step."""
    roles = plan_roles(actor, plan)
    if not plan_step_roles(action) & roles:
        if PlanRole.APPROVER in plan_step_roles(action):
            if roles and actor.has_perm("marketing.approve_marketplan"):
                raise ValidationError(APPROVER_IS_OWNER)
            raise PermissionDenied(NOT_AN_APPROVER)
        raise PermissionDenied(NOT_YOURS)
    step = PLAN_WORKFLOW.get(plan.status, {}).get(action)
    if step is None:
        target = plan_step_target(action)
        if target is None:  # a step that keeps the status (edit)
            raise ValidationError(ONLY_DRAFTS_EDITABLE % {"status": plan.get_status_display()})
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": plan.get_status_display(), "target": PlanStatus(target).label}
        )
    return step


def _save(plan: MarketPlan, actor: User, fields: list[str], reason: str = "") -> None:
    plan.full_clean()
    record_actor(plan, actor)
    if reason:
        record_actor(plan, actor, reason[:100])
    plan.save(update_fields=[*fields, "updated_at"])


def _check_period(data: dict[str, Any]) -> None:
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        raise ValidationError({"period_end": PERIOD_REVERSED})


def _target(step: PlanStep) -> str:
    """The status a moving step leads to (every step but ``edit`` moves)."""
    if step.target is None:
        raise ValueError("a step that keeps the status has no target")
    return step.target


def _check_budget(budget: Any) -> None:
    if budget is not None and Decimal(budget) < 0:
        raise ValidationError({"budget": BUDGET_NEGATIVE})


def _set_goals(plan: MarketPlan, goals: list[dict[str, Any]]) -> None:
    """Replace the plan's goal lines: one per metric, each with a positive target."""
    seen: set[str] = set()
    for goal in goals:
        label = GoalMetric(goal["metric"]).label
        if goal["metric"] in seen:
            raise ValidationError(GOAL_TWICE % {"metric": label})
        if goal.get("target_value") in (None, ""):
            raise ValidationError(GOAL_NEEDS_TARGET)
        if Decimal(goal["target_value"]) <= 0:
            raise ValidationError(GOAL_NOT_POSITIVE % {"metric": label})
        seen.add(goal["metric"])
    plan.goals.all().delete()
    PlanGoal.objects.bulk_create(
        [PlanGoal(plan=plan, metric=g["metric"], target_value=g["target_value"]) for g in goals]
    )


@transaction.atomic
def plan_create(*, actor: User, goals: list[dict[str, Any]] | None = None, **data: Any) -> MarketPlan:
    """Draft a plan owned by the actor (the responsible person), in the actor's department, with its goal lines."""
    if not actor.has_perm("marketing.add_marketplan"):
        raise PermissionDenied
    _check_period(data)
    _check_budget(data.get("budget"))
    fields = {k: v for k, v in data.items() if k in PLAN_FIELDS}
    plan = owned_create(MarketPlan, actor=actor, unit=actor.employee.department, **fields, status=PlanStatus.DRAFT)
    _set_goals(plan, goals or [])
    return plan


@transaction.atomic
def plan_update(
    *, actor: User, plan: MarketPlan, data: dict[str, Any], goals: list[dict[str, Any]] | None = None
) -> MarketPlan:
    """Change a draft plan and, when given, its goal lines; a submitted or later plan is frozen."""
    _check(actor, plan, "edit")
    _check_period(
        {
            "period_start": data.get("period_start", plan.period_start),
            "period_end": data.get("period_end", plan.period_end),
        }
    )
    _check_budget(data.get("budget"))
    model_update(instance=plan, fields=PLAN_FIELDS, data=data, actor=actor)
    if goals is not None:
        _set_goals(plan, goals)
    return plan


@transaction.atomic
def plan_submit(*, actor: User, plan: MarketPlan) -> MarketPlan:
    """Submit a draft for approval (it needs goal lines); the managers over it are asked to approve."""
    step = _check(actor, plan, "submit")
    if not plan.goals.exists():
        raise ValidationError(GOALS_REQUIRED)
    plan.status = _target(step)
    plan.submitted_at = timezone.now()
    _save(plan, actor, ["status", "submitted_at"])
    notify(
        recipients=plan_approvers(plan=plan),
        url=_url(plan),
        title=_("Market development plan to approve: %(title)s") % {"title": plan.title},
        body=_("Submitted by %(owner)s.") % {"owner": plan.owner},
        topic=notification_topic("approval", plan),
    )
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan: MarketPlan, comment: str = "") -> MarketPlan:
    """Approve a submitted plan; its owner and senior management are told."""
    plan.status = _target(_check(actor, plan, "approve"))
    notifications_close(topic=notification_topic("approval", plan))  # the other approvers' requests
    plan.approved_by, plan.approved_at, plan.approval_comment = actor, timezone.now(), comment.strip()[:500]
    _save(plan, actor, ["status", "approved_by", "approved_at", "approval_comment"])
    title = _("Market development plan approved: %(title)s") % {"title": plan.title}
    body = _("%(period_start)s – %(period_end)s, owner %(owner)s, approved by %(actor)s.") % {
        "period_start": plan.period_start,
        "period_end": plan.period_end,
        "owner": plan.owner,
        "actor": actor,
    }
    notify(recipients=[*senior_management(), plan.owner], title=title, body=body, url=_url(plan))
    return plan


@transaction.atomic
def plan_reject(*, actor: User, plan: MarketPlan, comment: str) -> MarketPlan:
    """Send a submitted plan back to draft with the reason; its owner is told."""
    step = _check(actor, plan, "reject")
    if not comment.strip():
        raise ValidationError({"comment": REJECT_NEEDS_COMMENT})
    plan.status = _target(step)
    notifications_close(topic=notification_topic("approval", plan))
    plan.approval_comment = comment.strip()[:500]
    _save(plan, actor, ["status", "approval_comment"], reason=comment.strip())
    notify(
        recipients=[plan.owner],
        url=_url(plan),
        body=comment.strip(),
        title=_("Market development plan sent back: %(title)s") % {"title": plan.title},
    )
    return plan


@transaction.atomic
def plan_start(*, actor: User, plan: MarketPlan) -> MarketPlan:
    """Put an approved plan into execution."""
    plan.status = _target(_check(actor, plan, "start"))
    _save(plan, actor, ["status"])
    return plan


@transaction.atomic
def plan_close(*, actor: User, plan: MarketPlan) -> MarketPlan:
    """Close a plan whose execution is over."""
    plan.status = _target(_check(actor, plan, "close"))
    _save(plan, actor, ["status"])
    return plan
