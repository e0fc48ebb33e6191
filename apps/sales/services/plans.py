"""Writes to sales plans (销售计划, policy art. 9): a plan is drawn up from market intelligence (a plan that cites
none is refused), has action items with responsible people and dates, and goes draft → submitted → approved (by a
manager whose scope covers it, not its owner) → in execution → closed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import can, user_scope
from apps.core.services import model_update, notify
from apps.sales.choices import ActionItemStatus, SalesPlanStatus
from apps.sales.models import SalesPlan, SalesPlanAction

S = SalesPlanStatus
PLAN_FIELDS = ["title", "period_start", "period_end", "strategy", "target_sets", "intel"]
ACTION_FIELDS = ["title", "responsible", "start_date", "due_date", "status", "progress", "note"]
NO_INTEL = gettext_lazy("A sales plan must cite at least one piece of market intelligence (policy art. 9: plans are "
                        "made from the market information gathered).")
PERIOD_ORDER = gettext_lazy("The period must end after it starts.")
NOT_EDITABLE = gettext_lazy("Only a draft plan can be edited.")
WRONG_STATUS = gettext_lazy("This plan is “%(status)s”; that step is not possible now.")
OWN_PLAN = gettext_lazy("You cannot approve your own plan; a manager above you approves it.")
NO_ACTIONS = gettext_lazy("Add at least one action item before submitting the plan.")
NOT_RESPONSIBLE = gettext_lazy("Only the person responsible or the plan's owner may update this action item.")


def _save(plan: SalesPlan, actor: Any, reason: str, fields: list[str]) -> None:
    plan._history_user = actor  # type: ignore[attr-defined]
    plan._change_reason = reason  # type: ignore[attr-defined]
    plan.save(update_fields=[*fields, "updated_at"])


def _check(plan: SalesPlan, intel: Any) -> None:
    if plan.period_start and plan.period_end and plan.period_end < plan.period_start:
        raise ValidationError({"period_end": PERIOD_ORDER}, code="period")
    if not intel:
        raise ValidationError({"intel": NO_INTEL}, code="no_intel")


def _set_actions(plan: SalesPlan, actions: list[dict[str, Any]] | None) -> None:
    """Replace the action items (the inline formset's rows)."""
    if actions is None:
        return
    plan.actions.all().delete()
    for data in actions:
        item = SalesPlanAction(plan=plan, **{k: v for k, v in data.items() if k in ACTION_FIELDS})
        item.full_clean()
        item.save()


@transaction.atomic
def salesplan_create(*, actor: Any, data: dict[str, Any], actions: list[dict[str, Any]] | None = None) -> SalesPlan:
    """Draft a plan owned by the actor; it must cite market intelligence."""
    if not actor.has_perm("sales.add_salesplan"):
        raise PermissionDenied
    plain = {k: v for k, v in data.items() if k in PLAN_FIELDS and k not in ("target_sets", "intel")}
    plan = SalesPlan(**plain, owner=actor, created_by=actor, owner_unit_id=user_scope(actor).unit_id)
    _check(plan, data.get("intel"))
    plan.full_clean()
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    plan.intel.set(data["intel"])
    plan.target_sets.set(data.get("target_sets") or [])
    _set_actions(plan, actions)
    return plan


@transaction.atomic
def salesplan_update(*, actor: Any, plan: SalesPlan, data: dict[str, Any],
                     actions: list[dict[str, Any]] | None = None) -> SalesPlan:
    """Edit a draft plan (its owner or a manager in scope); it must still cite market intelligence."""
    if not can(actor, "change", plan):
        raise PermissionDenied
    if plan.status != S.DRAFT:
        raise ValidationError(NOT_EDITABLE, code="not_draft")
    intel = data["intel"] if "intel" in data else list(plan.intel.all())
    for name in ("period_start", "period_end"):
        if name in data:
            setattr(plan, name, data[name])
    _check(plan, intel)
    plan._history_user = actor  # type: ignore[attr-defined]
    model_update(instance=plan, fields=PLAN_FIELDS, data=data)
    _set_actions(plan, actions)
    return plan


def _transition(plan: SalesPlan, allowed: tuple[str, ...]) -> None:
    if plan.status not in allowed:
        raise ValidationError(WRONG_STATUS % {"status": plan.get_status_display()}, code="status")


@transaction.atomic
def salesplan_submit(*, actor: Any, plan: SalesPlan) -> SalesPlan:
    """Submit a draft for approval; refused without cited intelligence or without action items."""
    if not can(actor, "change", plan):
        raise PermissionDenied
    _transition(plan, (S.DRAFT,))
    _check(plan, plan.intel.exists())
    if not plan.actions.exists():
        raise ValidationError(NO_ACTIONS, code="no_actions")
    plan.status = S.SUBMITTED
    _save(plan, actor, _("Submitted for approval"), ["status"])
    return plan


def may_approve(actor: Any, plan: SalesPlan) -> bool:
    """A manager with the approval right whose scope covers the plan, and who is not its owner."""
    return (actor.has_perm("sales.approve_salesplan") and actor.pk != plan.owner_id
            and SalesPlan.objects.visible_to(actor).filter(pk=plan.pk).exists())


@transaction.atomic
def salesplan_approve(*, actor: Any, plan: SalesPlan) -> SalesPlan:
    """Approve a submitted plan and tell the people responsible for its action items."""
    if actor.pk == plan.owner_id:
        raise ValidationError(OWN_PLAN, code="own_plan")
    if not may_approve(actor, plan):
        raise PermissionDenied
    _transition(plan, (S.SUBMITTED,))
    plan.status, plan.approved_by, plan.approved_at = S.APPROVED, actor, timezone.now()
    _save(plan, actor, _("Approved"), ["status", "approved_by", "approved_at"])
    people = [a.responsible for a in plan.actions.select_related("responsible")]
    notify(recipients=[p for p in people], title=_("Sales plan approved: %(title)s") % {"title": plan.title},
           body=_("You are responsible for action items of this plan."),
           url=reverse("sales:plan_detail", args=[plan.pk]))
    return plan


@transaction.atomic
def salesplan_return(*, actor: Any, plan: SalesPlan, reason: str = "") -> SalesPlan:
    """Send a submitted plan back to draft (the approver's rejection)."""
    if not may_approve(actor, plan):
        raise PermissionDenied
    _transition(plan, (S.SUBMITTED,))
    plan.status = S.DRAFT
    _save(plan, actor, _("Returned for revision: %(reason)s") % {"reason": reason} if reason else
          _("Returned for revision"), ["status"])
    notify(recipients=[plan.owner], title=_("Sales plan returned: %(title)s") % {"title": plan.title}, body=reason,
           url=reverse("sales:plan_detail", args=[plan.pk]))
    return plan


@transaction.atomic
def salesplan_start(*, actor: Any, plan: SalesPlan) -> SalesPlan:
    """Start carrying out an approved plan."""
    if not can(actor, "change", plan):
        raise PermissionDenied
    _transition(plan, (S.APPROVED,))
    plan.status = S.EXECUTING
    _save(plan, actor, _("Execution started"), ["status"])
    return plan


@transaction.atomic
def salesplan_close(*, actor: Any, plan: SalesPlan) -> SalesPlan:
    """Close a plan in execution."""
    if not can(actor, "change", plan):
        raise PermissionDenied
    _transition(plan, (S.APPROVED, S.EXECUTING))
    plan.status = S.CLOSED
    _save(plan, actor, _("Closed"), ["status"])
    return plan


@transaction.atomic
def salesplan_action_progress(*, actor: Any, action: SalesPlanAction, progress: int, status: str = "",
                              note: str | None = None) -> SalesPlanAction:
    """The responsible person (or the plan's owner / a manager in scope) reports progress; 100 % means done."""
    if action.responsible_id != actor.pk and not can(actor, "change", action.plan):
        raise ValidationError(NOT_RESPONSIBLE, code="not_responsible")
    action.progress = progress
    action.status = status or (ActionItemStatus.DONE if progress >= 100 else
                               ActionItemStatus.DOING if progress > 0 else ActionItemStatus.TODO)
    if note is not None:
        action.note = note
    action.full_clean()
    action.save()
    return action
