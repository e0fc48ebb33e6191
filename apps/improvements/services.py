"""Writes of improvement actions (PDCA, policy arts. 8–10). Every function checks the actor and the pipeline,
validates, runs in one transaction, keeps history and tells the people concerned."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can
from apps.core.services import model_save, model_update, notify
from apps.improvements.choices import EffectDirection, ImprovementSource, ImprovementStatus
from apps.improvements.models import EFFECT_CHECK_PIPELINE, ImprovementAction
from apps.improvements.selectors import assignable_owners, next_evaluation_on

OWNER_OUT_OF_SCOPE = gettext_lazy("You can only make someone within your scope responsible for an action.")
OWNER_WITHOUT_DEPARTMENT = gettext_lazy("The person responsible must be an employee in service with a department.")
DUE_DATE_IN_PAST = gettext_lazy("The due date cannot be in the past.")
MOVE_NOT_ALLOWED = gettext_lazy("An action that is “%(current)s” cannot become “%(target)s”.")
RESULT_REQUIRED = gettext_lazy("Describe what was done before marking the action done.")
VERIFICATION_REQUIRED = gettext_lazy("Describe how the effect was checked.")
VERIFIER_IS_OWNER = gettext_lazy("The person responsible cannot verify their own action; someone else must check it.")
CANCEL_REASON_REQUIRED = gettext_lazy("Give the reason for cancelling the action.")
NOT_YOURS_TO_WORK = gettext_lazy("Only the person responsible, or a manager over them, can work on this action.")
EFFECT_INCOMPLETE = gettext_lazy(
    "Name the figure the action should move, its value when raised and whether it should rise or fall — all three, "
    "or none."
)
NOT_AWAITING_CHECK = gettext_lazy("Only a verified action whose effect has not yet been checked can be checked.")
CHECK_NOT_DUE = gettext_lazy("The effectiveness check is due at the next evaluation, on %(date)s.")
CHECKER_IS_OWNER = gettext_lazy("The person responsible cannot check the effect of their own action.")

EFFECT_FIELDS = ["effect_measure", "effect_baseline", "effect_direction"]
EDITABLE_FIELDS = ["title", "description", "due_date", "owner", "owner_unit", *EFFECT_FIELDS]


def _url(action: ImprovementAction) -> str:
    return reverse("improvements:improvementaction_detail", args=[action.pk])


def _owner_unit(owner: Any) -> Any:
    employee = getattr(owner, "employee", None)
    if employee is None or not employee.is_active:
        raise ValidationError({"owner": OWNER_WITHOUT_DEPARTMENT})
    return employee.department


def _check_owner(actor: Any, owner: Any) -> None:
    if not assignable_owners(user=actor).filter(pk=owner.pk).exists():
        raise ValidationError({"owner": OWNER_OUT_OF_SCOPE})


def _move(action: ImprovementAction, target: str) -> None:
    """Refuse a move the pipeline does not allow, with the two statuses named."""
    if target not in action.available_statuses():
        raise ValidationError(
            MOVE_NOT_ALLOWED
            % {
                "current": action.get_status_display(),
                "target": ImprovementStatus(target).label,
            }
        )
    action.status = target


def _save(action: ImprovementAction, actor: Any, fields: list[str], reason: str = "") -> None:
    action.full_clean()
    record_actor(action, actor)
    if reason:
        record_actor(action, actor, reason[:100])
    action.save(update_fields=[*fields, "updated_at"])


def _check_effect_fields(measure: str, baseline: Any, direction: str) -> None:
    given = [bool((measure or "").strip()), baseline is not None, bool(direction)]
    if any(given) and not all(given):
        raise ValidationError(EFFECT_INCOMPLETE)


def _require_worker(actor: Any, action: ImprovementAction) -> None:
    """The owner works on their action; anyone else needs ``change`` over it within their scope."""
    if action.owner_id == actor.pk and actor.has_perm("improvements.change_improvementaction"):
        return
    if not can(actor, "change", action):
        raise PermissionDenied(NOT_YOURS_TO_WORK)


@transaction.atomic
def improvement_raise(
    *,
    actor: Any,
    title: str,
    owner: Any,
    due_date: dt.date,
    source_kind: str = ImprovementSource.OTHER,
    source: models.Model | None = None,
    description: str = "",
    effect_measure: str = "",
    effect_baseline: Any = None,
    effect_direction: str = "",
) -> ImprovementAction:
    """Raise an improvement action for ``owner`` (who must be within the actor's scope), optionally linked to what
    raised it and naming the figure it should move (checked at the next evaluation after verification); tell the
    owner."""
    if not actor.has_perm("improvements.add_improvementaction"):
        raise PermissionDenied
    _check_owner(actor, owner)
    _check_effect_fields(effect_measure, effect_baseline, effect_direction)
    if due_date < timezone.localdate():
        raise ValidationError({"due_date": DUE_DATE_IN_PAST})
    action = ImprovementAction(
        title=title,
        description=description,
        owner=owner,
        owner_unit=_owner_unit(owner),
        created_by=actor,
        due_date=due_date,
        source_kind=source_kind,
        source=source,
        effect_measure=(effect_measure or "").strip(),
        effect_baseline=effect_baseline,
        effect_direction=effect_direction or "",
    )
    model_save(action, actor=actor)
    if owner.pk != actor.pk:
        notify(
            recipients=[owner],
            url=_url(action),
            title=_("Improvement action for you: %(title)s") % {"title": title},
            body=_("%(actor)s made you responsible; due %(due)s.") % {"actor": actor, "due": due_date},
        )
    return action


@transaction.atomic
def improvement_raise_from(
    *,
    actor: Any,
    source: models.Model,
    source_kind: str,
    title: str,
    owner: Any,
    due_date: dt.date,
    description: str = "",
) -> ImprovementAction:
    """Raise an improvement action from a record the actor may see (an evaluation's measure or suggestion), linked
    to it; out of the actor's view: 403."""
    if not can(actor, "view", source):
        raise PermissionDenied
    return improvement_raise(
        actor=actor,
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        source_kind=source_kind,
        source=source,
    )


@transaction.atomic
def improvement_update(*, actor: Any, action: ImprovementAction, data: dict[str, Any]) -> ImprovementAction:
    """Change the title, description, due date or owner of an action still in work."""
    if not can(actor, "change", action):
        raise PermissionDenied
    if not action.available_statuses():
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": action.get_status_display(), "target": action.get_status_display()}
        )
    data = dict(data)
    _check_effect_fields(
        data.get("effect_measure", action.effect_measure),
        data.get("effect_baseline", action.effect_baseline),
        data.get("effect_direction", action.effect_direction),
    )
    new_owner = data.get("owner")
    if new_owner is not None and new_owner.pk != action.owner_id:
        _check_owner(actor, new_owner)
        data["owner_unit"] = _owner_unit(new_owner)
    model_update(instance=action, fields=EDITABLE_FIELDS, data=data, actor=actor)
    return action


@transaction.atomic
def improvement_start(*, actor: Any, action: ImprovementAction) -> ImprovementAction:
    """Start work (Do), or rework an action found ineffective or sent back."""
    _require_worker(actor, action)
    _move(action, ImprovementStatus.IN_PROGRESS)
    _save(action, actor, ["status"])
    return action


@transaction.atomic
def improvement_complete(*, actor: Any, action: ImprovementAction, result: str) -> ImprovementAction:
    """Mark the action done with what was done; it now waits for someone else to check its effect."""
    _require_worker(actor, action)
    if not result.strip():
        raise ValidationError({"result": RESULT_REQUIRED})
    _move(action, ImprovementStatus.DONE)
    action.result = result.strip()
    action.completed_at = timezone.now()
    _save(action, actor, ["status", "result", "completed_at"])
    if action.created_by_id and action.created_by_id not in (actor.pk, action.owner_id):
        notify(
            recipients=[action.created_by],
            url=_url(action),
            title=_("Improvement action done, please verify: %(title)s") % {"title": action.title},
        )
    return action


@transaction.atomic
def improvement_verify(
    *, actor: Any, action: ImprovementAction, effective: bool, verification: str
) -> ImprovementAction:
    """Check (the C of PDCA) whether a done action worked. Needs the verify permission over the action, and the
    verifier may not be the person responsible."""
    if not actor.has_perm("improvements.verify_improvementaction") or not can(actor, "view", action):
        raise PermissionDenied
    if action.owner_id == actor.pk:
        raise ValidationError(VERIFIER_IS_OWNER)
    if not verification.strip():
        raise ValidationError({"verification": VERIFICATION_REQUIRED})
    _move(action, ImprovementStatus.VERIFIED if effective else ImprovementStatus.INEFFECTIVE)
    action.verification = verification.strip()
    action.verified_by = actor
    action.verified_at = timezone.now()
    # A verified action is checked again at the next evaluation (a new check after each verification).
    action.effect_check_on = next_evaluation_on(action.source_kind, timezone.localdate()) if effective else None
    action.effect_value, action.effect_moved, action.effect_note = None, None, ""
    action.effect_checked_by, action.effect_checked_at = None, None
    _save(
        action,
        actor,
        [
            "status",
            "verification",
            "verified_by",
            "verified_at",
            "effect_check_on",
            "effect_value",
            "effect_moved",
            "effect_note",
            "effect_checked_by",
            "effect_checked_at",
        ],
    )
    title = (
        _("Improvement action verified effective: %(title)s")
        if effective
        else _("Improvement action found ineffective, please rework: %(title)s")
    )
    notify(recipients=[action.owner], url=_url(action), title=title % {"title": action.title})
    return action


def figure_moved(baseline: Any, value: Any, direction: str) -> bool:
    """Whether the figure went the way it should: above the baseline when it should rise, below when it should fall."""
    return value > baseline if direction == EffectDirection.UP else value < baseline


@transaction.atomic
def improvement_check_effect(
    *,
    actor: Any,
    action: ImprovementAction,
    value: Any,
    note: str = "",
    effect_measure: str = "",
    effect_baseline: Any = None,
    effect_direction: str = "",
    today: dt.date | None = None,
) -> ImprovementAction:
    """The effectiveness check at the next evaluation (policy art. 10): the figure the action was meant to move is
    read again; moved the right way, the action stays verified, with the check recorded; not, it goes back to the
    owner as ineffective, to rework. The figure, its baseline and direction may be named here if the action did not
    name them. Same people as the verification (the verify permission, not the owner), not before the date due."""
    if not actor.has_perm("improvements.verify_improvementaction") or not can(actor, "view", action):
        raise PermissionDenied
    if action.owner_id == actor.pk:
        raise ValidationError(CHECKER_IS_OWNER)
    if not action.awaits_effect_check:
        raise ValidationError(NOT_AWAITING_CHECK)
    today = today or timezone.localdate()
    if action.effect_check_on and today < action.effect_check_on:
        raise ValidationError(CHECK_NOT_DUE % {"date": action.effect_check_on.isoformat()})
    measure = action.effect_measure or (effect_measure or "").strip()
    baseline = action.effect_baseline if action.effect_baseline is not None else effect_baseline
    direction = action.effect_direction or effect_direction
    if not (measure and baseline is not None and direction):
        raise ValidationError(EFFECT_INCOMPLETE)
    if value is None:
        raise ValidationError({"value": EFFECT_INCOMPLETE})
    moved = figure_moved(baseline, value, direction)
    target = ImprovementStatus.VERIFIED if moved else ImprovementStatus.INEFFECTIVE
    if target not in EFFECT_CHECK_PIPELINE[action.status]:
        raise ValidationError(NOT_AWAITING_CHECK)
    action.status = target
    action.effect_measure, action.effect_baseline, action.effect_direction = measure, baseline, direction
    action.effect_value, action.effect_moved, action.effect_note = value, moved, (note or "").strip()
    action.effect_checked_by, action.effect_checked_at = actor, timezone.now()
    _save(
        action,
        actor,
        [
            "status",
            *EFFECT_FIELDS,
            "effect_value",
            "effect_moved",
            "effect_note",
            "effect_checked_by",
            "effect_checked_at",
        ],
    )
    title = (
        _("Improvement action effective, the figure moved: %(title)s")
        if moved
        else _("Improvement action did not move its figure, please rework: %(title)s")
    )
    notify(
        recipients=[action.owner],
        url=_url(action),
        title=title % {"title": action.title},
        body=f"{measure}: {baseline} → {value}",
    )
    return action


@transaction.atomic
def improvement_cancel(*, actor: Any, action: ImprovementAction, reason: str) -> ImprovementAction:
    """Cancel an action that is no longer needed; the reason goes into its history."""
    if not can(actor, "change", action):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": CANCEL_REASON_REQUIRED})
    _move(action, ImprovementStatus.CANCELLED)
    _save(action, actor, ["status"], reason=reason.strip())
    if action.owner_id != actor.pk:
        notify(
            recipients=[action.owner],
            url=_url(action),
            title=_("Improvement action cancelled: %(title)s") % {"title": action.title},
            body=reason.strip(),
        )
    return action
