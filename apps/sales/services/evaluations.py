"""Writes of sales target evaluations (销售目标评估, policy art. 9): the manager of a node's department (or senior
management) evaluates its attainment over whole months, writes the gap analysis, causes and measures, raises
improvement actions, and completes it — which freezes the figures with the policy version in force and tells
senior management."""

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
from apps.marketing.selectors.plans import senior_management
from apps.org.models import User
from apps.policy.selectors import rules_in_force
from apps.sales.choices import EvaluationStatus, TargetStatus
from apps.sales.models import SalesEvaluation, TargetNode
from apps.sales.selectors.attainment import node_attainment
from apps.sales.selectors.evaluations import evaluation_period, may_evaluate

TEXT_FIELDS = ["gap_analysis", "causes", "measures"]
NOT_WHOLE_MONTHS = gettext_lazy(
    "An evaluation covers whole months of one fiscal year: start on the 1st of a month "
    "and end on the last day of a month of the same year."
)
WRONG_YEAR = gettext_lazy("The period lies outside the fiscal year %(year)s of this target.")
TARGET_NOT_APPROVED = gettext_lazy("Only an approved target can be evaluated.")
ALREADY_COMPLETED = gettext_lazy("This evaluation is completed; its figures are frozen.")
ANALYSIS_REQUIRED = gettext_lazy("Write the analysis of the gap before completing the evaluation.")


def _check_period(node: TargetNode, start: dt.date, end: dt.date) -> None:
    if evaluation_period(start, end) is None:
        raise ValidationError({"period_end": NOT_WHOLE_MONTHS})
    if start.year != node.target_set.fiscal_year:
        raise ValidationError({"period_start": WRONG_YEAR % {"year": node.target_set.fiscal_year}})


def _require_writer(actor: User, evaluation: SalesEvaluation) -> None:
    if not can(actor, "view", evaluation) or not may_evaluate(actor, evaluation.node):
        raise PermissionDenied
    if evaluation.status != EvaluationStatus.DRAFT:
        raise ValidationError(ALREADY_COMPLETED)


@transaction.atomic
def sales_evaluation_create(
    *, actor: User, node: TargetNode, period_start: dt.date, period_end: dt.date, **data: Any
) -> SalesEvaluation:
    """Start evaluating an approved target node the actor manages (or any, for senior management)."""
    if not can(actor, "view", node) or not may_evaluate(actor, node):
        raise PermissionDenied
    if node.target_set.status != TargetStatus.APPROVED:
        raise ValidationError(TARGET_NOT_APPROVED)
    _check_period(node, period_start, period_end)
    fields = {k: v for k, v in data.items() if k in TEXT_FIELDS}
    period = {"period_start": period_start, "period_end": period_end}
    return owned_create(SalesEvaluation, actor=actor, unit=actor.employee.department, node=node, **period, **fields)


@transaction.atomic
def sales_evaluation_update(*, actor: User, evaluation: SalesEvaluation, data: dict[str, Any]) -> SalesEvaluation:
    """Change a draft evaluation: the period (whole months) and the analysis, causes and measures."""
    _require_writer(actor, evaluation)
    start = data.get("period_start") or evaluation.period_start
    end = data.get("period_end") or evaluation.period_end
    _check_period(evaluation.node, start, end)
    model_update(
        instance=evaluation,
        fields=["period_start", "period_end", *TEXT_FIELDS],
        data={"period_start": start, "period_end": end, **{k: v for k, v in data.items() if k in TEXT_FIELDS}},
        actor=actor,
    )
    return evaluation


def sales_evaluation_raise_improvement(*, actor: User, evaluation: SalesEvaluation, **action: Any) -> ImprovementAction:
    """Turn a measure of the evaluation into an improvement action (``improvement_raise_from``: title, owner, due
    date, description)."""
    return improvement_raise_from(
        actor=actor, source=evaluation, source_kind=ImprovementSource.SALES_EVALUATION, **action
    )


@transaction.atomic
def sales_evaluation_complete(*, actor: User, evaluation: SalesEvaluation) -> SalesEvaluation:
    """Freeze the figures with the policy version in force into the snapshot, and report to senior management."""
    _require_writer(actor, evaluation)
    if not evaluation.gap_analysis.strip():
        raise ValidationError({"gap_analysis": ANALYSIS_REQUIRED})
    period = evaluation_period(evaluation.period_start, evaluation.period_end)
    evaluation.snapshot = node_attainment(evaluation.node, period).as_json()  # type: ignore[arg-type]
    evaluation.policy_version = rules_in_force().version_label
    evaluation.status = EvaluationStatus.COMPLETED
    evaluation.completed_at = timezone.now()
    model_save(
        evaluation, actor=actor, update_fields=["snapshot", "policy_version", "status", "completed_at", "updated_at"]
    )
    notify(
        recipients=list(senior_management()),
        url=reverse("sales:evaluation_detail", args=[evaluation.pk]),
        title=_("Sales target evaluation: %(node)s") % {"node": evaluation.node},
        body=_("%(start)s – %(end)s, evaluated by %(actor)s.")
        % {"start": evaluation.period_start, "end": evaluation.period_end, "actor": actor},
    )
    return evaluation
