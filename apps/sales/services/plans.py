"""Writes to sales plans (销售计划, policy art. 9): a plan is drawn up from market intelligence (a plan that cites
none is refused), has action items with responsible people and dates, and goes draft → submitted → approved (by a
manager whose scope covers it, not its owner) → in execution → closed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_save, model_update, notify
from apps.org.models import User
from apps.sales.choices import ActionItemStatus, SalesPlanStatus
from apps.sales.models import SalesPlan, SalesPlanAction
from apps.sales.models.plans import PLAN_WORKFLOW
from apps.sales.selectors.plans import intel_choices, may_approve, plan_roles, roles_for_move

__all__ = ["may_approve"]  # kept here for callers that ask the services

S = SalesPlanStatus
PLAN_FIELDS = ["title", "period_start", "period_end", "strategy", "target_sets", "intel"]
ACTION_FIELDS = ["title", "responsible", "start_date", "due_date", "status", "progress", "note"]
NO_INTEL = gettext_lazy(
    "A sales plan must cite at least one piece of market intelligence (policy art. 9: plans are "
    "made from the market information gathered)."
)
PERIOD_ORDER = gettext_lazy("The period must end after it starts.")
NOT_EDITABLE = gettext_lazy("Only a draft plan can be edited.")
WRONG_STATUS = gettext_lazy("This plan is “%(status)s”; that step is not possible now.")
OWN_PLAN = gettext_lazy("You cannot approve your own plan; a manager above you approves it.")
NO_ACTIONS = gettext_lazy("Add at least one action item before submitting the plan.")
INTEL_NOT_VISIBLE = gettext_lazy("Cite only market intelligence you can see.")
NOT_RESPONSIBLE = gettext_lazy("Only the person responsible or the plan's owner may update this action item.")


def _save(plan: SalesPlan, actor: User, reason: str, fields: list[str]) -> None:
    record_actor(plan, actor, reason)
    plan.save(update_fields=[*fields, "updated_at"])


def _check(plan: SalesPlan, intel: Any) -> None:
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        raise ValidationError({"period_end": PERIOD_ORDER}, code="period")
    if not intel:
        raise ValidationError({"intel": NO_INTEL}, code="no_intel")


def _check_intel_visible(actor: User, intel: Iterable[Any], already: Iterable[Any] = ()) -> None:
    """Cited intelligence must be visible to the actor (what the plan cited before may stay)."""
    kept = {getattr(item, "pk", item) for item in already}
    cited = {getattr(item, "pk", item) for item in intel} - kept
    if cited - set(intel_choices(user=actor).filter(pk__in=cited).values_list("pk", flat=True)):
        raise ValidationError({"intel": INTEL_NOT_VISIBLE}, code="intel_not_visible")


def _step(actor: User, plan: SalesPlan, move: str) -> str:
    """The status ``move`` leads to, as ``PLAN_WORKFLOW`` says: PermissionDenied for someone the table does not name
    for the move, a ValidationError naming the status when the move is not possible in it."""
    if not plan_roles(actor, plan) & roles_for_move(move):
        raise PermissionDenied
    step = PLAN_WORKFLOW.get(plan.status, {}).get(move)
    if step is None or not step[1] & plan_roles(actor, plan):
        raise ValidationError(WRONG_STATUS % {"status": plan.get_status_display()}, code="status")
    return step[0] or plan.status


def _set_actions(plan: SalesPlan, actions: list[dict[str, Any]] | None) -> None:
    """Replace the action items (the inline formset's rows)."""
    if actions is None:
        return
    plan.actions.all().delete()
    for data in actions:
        item = SalesPlanAction(plan=plan, **{k: v for k, v in data.items() if k in ACTION_FIELDS})
        _stamp_done(item)
        item.full_clean()
        item.save()


@transaction.atomic
def salesplan_create(*, actor: User, data: dict[str, Any], actions: list[dict[str, Any]] | None = None) -> SalesPlan:
    """Draft a plan owned by the actor; it must cite market intelligence the actor can see."""
    if not actor.has_perm("sales.add_salesplan"):
        raise PermissionDenied
    plain = {k: v for k, v in data.items() if k in PLAN_FIELDS and k not in ("target_sets", "intel")}
    plan = SalesPlan(**plain, owner=actor, created_by=actor, owner_unit_id=cast(int, user_scope(actor).unit_id))
    _check(plan, data.get("intel"))
    _check_intel_visible(actor, data["intel"])
    model_save(plan, actor=actor)
    plan.intel.set(data["intel"])
    plan.target_sets.set(data.get("target_sets") or [])
    _set_actions(plan, actions)
    return plan


@transaction.atomic
def salesplan_update(
    *, actor: User, plan: SalesPlan, data: dict[str, Any], actions: list[dict[str, Any]] | None = None
) -> SalesPlan:
    """Edit a draft plan (its owner or a manager in scope); it must still cite market intelligence, and what it
    newly cites must be visible to the actor."""
    if not can(actor, "change", plan):
        raise PermissionDenied
    if "edit" not in PLAN_WORKFLOW.get(plan.status, {}):
        raise ValidationError(NOT_EDITABLE, code="not_draft")
    intel = data["intel"] if "intel" in data else list(plan.intel.all())
    _check_intel_visible(actor, intel, already=plan.intel.values_list("pk", flat=True))
    for name in ("period_start", "period_end"):
        if name in data:
            setattr(plan, name, data[name])
    _check(plan, intel)
    model_update(instance=plan, fields=PLAN_FIELDS, data=data, actor=actor)
    _set_actions(plan, actions)
    return plan


@transaction.atomic
def salesplan_submit(*, actor: User, plan: SalesPlan) -> SalesPlan:
    """Submit a draft for approval; refused without cited intelligence or without action items."""
    target = _step(actor, plan, "submit")
    _check(plan, plan.intel.exists())
    if not plan.actions.exists():
        raise ValidationError(NO_ACTIONS, code="no_actions")
    plan.status = target
    _save(plan, actor, _("Submitted for approval"), ["status"])
    return plan


@transaction.atomic
def salesplan_approve(*, actor: User, plan: SalesPlan) -> SalesPlan:
    """Approve a submitted plan and tell the people responsible for its action items."""
    if actor.pk == plan.owner_id:
        raise ValidationError(OWN_PLAN, code="own_plan")
    target = _step(actor, plan, "approve")
    plan.status, plan.approved_by, plan.approved_at = target, actor, timezone.now()
    _save(plan, actor, _("Approved"), ["status", "approved_by", "approved_at"])
    people = [a.responsible for a in plan.actions.select_related("responsible")]
    notify(
        recipients=[p for p in people],
        title=_("Sales plan approved: %(title)s") % {"title": plan.title},
        body=_("You are responsible for action items of this plan."),
        url=reverse("sales:plan_detail", args=[plan.pk]),
    )
    return plan


@transaction.atomic
def salesplan_return(*, actor: User, plan: SalesPlan, reason: str = "") -> SalesPlan:
    """Send a submitted plan back to draft (the approver's rejection)."""
    plan.status = _step(actor, plan, "return")
    _save(
        plan,
        actor,
        _("Returned for revision: %(reason)s") % {"reason": reason} if reason else _("Returned for revision"),
        ["status"],
    )
    notify(
        recipients=[plan.owner],
        title=_("Sales plan returned: %(title)s") % {"title": plan.title},
        body=reason,
        url=reverse("sales:plan_detail", args=[plan.pk]),
    )
    return plan


@transaction.atomic
def salesplan_start(*, actor: User, plan: SalesPlan) -> SalesPlan:
    """Start carrying out an approved plan."""
    plan.status = _step(actor, plan, "start")
    _save(plan, actor, _("Execution started"), ["status"])
    return plan


@transaction.atomic
def salesplan_close(*, actor: User, plan: SalesPlan) -> SalesPlan:
    """Close a plan in execution."""
    plan.status = _step(actor, plan, "close")
    _save(plan, actor, _("Closed"), ["status"])
    return plan


def _stamp_done(action: SalesPlanAction) -> None:
    """``done_at``: the moment the action became done (kept while it stays done), cleared when it is reopened."""
    if action.status != ActionItemStatus.DONE:
        action.done_at = None
    elif action.done_at is None:
        action.done_at = timezone.now()


@transaction.atomic
def salesplan_action_progress(
    *, actor: User, action: SalesPlanAction, progress: int, status: str = "", note: str | None = None
) -> SalesPlanAction:
    """The responsible person (or the plan's owner / a manager in scope) reports progress; 100 % means done."""
    if action.responsible_id != actor.pk and not can(actor, "change", action.plan):
        raise ValidationError(NOT_RESPONSIBLE, code="not_responsible")
    action.progress = progress
    action.status = status or (
        ActionItemStatus.DONE if progress >= 100 else ActionItemStatus.DOING if progress > 0 else ActionItemStatus.TODO
    )
    if note is not None:
        action.note = note
    _stamp_done(action)
    action.full_clean()
    action.save()
    return action
