"""Writes of market development evaluations (policy art. 8 step 4, art. 4 reporting): a manager evaluates a plan
over a period, writes feedback, strategy adjustments and improvement suggestions, raises improvement actions from
it, and completes it — which freezes the figures with the policy version in force and tells senior management."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.services import model_save, model_update, notify, owned_create
from apps.improvements.choices import ImprovementSource
from apps.improvements.models import ImprovementAction
from apps.improvements.services import improvement_raise_from
from apps.marketing.choices import EvaluationStatus, PlanStatus
from apps.marketing.models import MarketEvaluation, MarketPlan
from apps.marketing.selectors.evaluations import evaluation_figures
from apps.marketing.selectors.plans import senior_management
from apps.org.models import User
from apps.policy.selectors import rules_in_force

EVALUATION_FIELDS = [
    "period_start",
    "period_end",
    "feedback",
    "strategy_adjustment",
    "improvement_suggestions",
    "market_share_estimate",
]
PLAN_NOT_APPROVED = gettext_lazy("Only an approved plan, in execution or closed, can be evaluated.")
PERIOD_REVERSED = gettext_lazy("The period must end on or after the day it starts.")
ALREADY_COMPLETED = gettext_lazy("This evaluation is completed; its figures are frozen.")
FEEDBACK_REQUIRED = gettext_lazy("Write the evaluation and feedback before completing it.")
SHARE_OUT_OF_RANGE = gettext_lazy("A market share is between 0 and 100%.")


def _check(data: dict[str, Any]) -> None:
    start, end = data.get("period_start"), data.get("period_end")
    if start and end and end < start:
        raise ValidationError({"period_end": PERIOD_REVERSED})
    share = data.get("market_share_estimate")
    if share is not None and not (0 <= share <= 100):
        raise ValidationError({"market_share_estimate": SHARE_OUT_OF_RANGE})


def _require_draft(actor: User, evaluation: MarketEvaluation) -> None:
    if not can(actor, "change", evaluation):
        raise PermissionDenied
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ValidationError(ALREADY_COMPLETED)


@transaction.atomic
def evaluation_create(
    *, actor: User, plan: MarketPlan, period_start: dt.date, period_end: dt.date, **data: Any
) -> MarketEvaluation:
    """Start evaluating a plan the actor may see over a period (the plan must have been approved)."""
    if not actor.has_perm("marketing.add_marketevaluation") or not can(actor, "view", plan):
        raise PermissionDenied
    if plan.status not in (PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED):
        raise ValidationError(PLAN_NOT_APPROVED)
    fields = {k: v for k, v in data.items() if k in EVALUATION_FIELDS}
    period = {"period_start": period_start, "period_end": period_end}
    _check({**period, **fields})
    return owned_create(MarketEvaluation, actor=actor, unit=actor.employee.department, plan=plan, **period, **fields)


@transaction.atomic
def evaluation_update(*, actor: User, evaluation: MarketEvaluation, data: dict[str, Any]) -> MarketEvaluation:
    """Change a draft evaluation: period, feedback, adjustments, suggestions, market share estimate."""
    _require_draft(actor, evaluation)
    merged = {name: data.get(name, getattr(evaluation, name)) for name in EVALUATION_FIELDS}
    _check(merged)
    model_update(instance=evaluation, fields=EVALUATION_FIELDS, data=data, actor=actor)
    return evaluation


def evaluation_raise_improvement(*, actor: User, evaluation: MarketEvaluation, **action: Any) -> ImprovementAction:
    """Turn an improvement suggestion of the evaluation into an action (``improvement_raise_from``: title, owner, due
    date, description)."""
    return improvement_raise_from(
        actor=actor, source=evaluation, source_kind=ImprovementSource.MARKET_EVALUATION, **action
    )


@transaction.atomic
def evaluation_complete(*, actor: User, evaluation: MarketEvaluation) -> MarketEvaluation:
    """Freeze the figures (with the policy version in force) into the snapshot, and report to senior management."""
    _require_draft(actor, evaluation)
    if not evaluation.feedback.strip():
        raise ValidationError({"feedback": FEEDBACK_REQUIRED})
    lines = evaluation_figures(evaluation=evaluation)
    evaluation.snapshot = [line.as_json() for line in lines]
    evaluation.policy_version = rules_in_force().version_label
    evaluation.status = EvaluationStatus.COMPLETED
    evaluation.completed_at = timezone.now()
    model_save(
        evaluation, actor=actor, update_fields=["snapshot", "policy_version", "status", "completed_at", "updated_at"]
    )
    plan = evaluation.plan
    notify(
        recipients=[*senior_management(), plan.owner],
        url=reverse("marketing:evaluation_detail", args=[evaluation.pk]),
        title=_("Market development evaluation: %(plan)s") % {"plan": plan.title},
        body=_("%(start)s – %(end)s, evaluated by %(actor)s.")
        % {"start": evaluation.period_start, "end": evaluation.period_end, "actor": actor},
    )
    return evaluation
