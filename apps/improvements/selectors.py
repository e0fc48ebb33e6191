"""Reads of improvement actions, always from what the user may see."""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from apps.core.scoping import user_scope, users_assignable
from apps.improvements.choices import ImprovementSource
from apps.improvements.models import EFFECT_CHECK_PIPELINE, IMPROVEMENT_OPEN_STATUSES, ImprovementAction
from apps.org.models import User
from apps.policy.choices import EvaluationKind, Frequency
from apps.policy.selectors import NoPolicyInForce, rules_in_force

# Which slice of the visible actions a list shows: the user's own, their department's, or all they may see.
VIEW_MINE, VIEW_DEPARTMENT, VIEW_ALL = "mine", "department", "all"


def overdue_q(today: dt.date | None = None) -> Q:
    """Overdue: the due date has passed and the action still asks something of its owner."""
    return Q(due_date__lt=today or timezone.localdate(), status__in=IMPROVEMENT_OPEN_STATUSES)


def effect_check_due_q(today: dt.date | None = None) -> Q:
    """Effectiveness check due: verified, the figure not yet read again, and the next evaluation has come."""
    return Q(
        status__in=tuple(EFFECT_CHECK_PIPELINE),
        effect_checked_at__isnull=True,
        effect_check_on__lte=today or timezone.localdate(),
    )


# The evaluation whose next round reads again the figure an action of each source was meant to move (policy
# arts. 8–10); a complaint or any other source waits for the next monthly department report.
SOURCE_EVALUATION = {
    ImprovementSource.MARKET_EVALUATION: EvaluationKind.MARKET_DEVELOPMENT,
    ImprovementSource.SALES_EVALUATION: EvaluationKind.SALES_TARGET,
    ImprovementSource.SURVEY: EvaluationKind.SATISFACTION_SURVEY,
}
_FREQUENCY_MONTHS = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.HALF_YEARLY: 6, Frequency.YEARLY: 12}


def next_evaluation_on(source_kind: str, after: dt.date) -> dt.date:
    """The first day of the evaluation period after the one containing ``after``, by the frequency the policy in
    force gives the evaluation that raised the action (monthly for complaints and other sources)."""
    frequency: str = Frequency.MONTHLY
    kind = SOURCE_EVALUATION.get(cast(Any, source_kind))
    if kind is not None:
        with contextlib.suppress(NoPolicyInForce):
            frequency = rules_in_force(after).rules.evaluation_frequencies.of(kind)
    months = _FREQUENCY_MONTHS.get(cast(Any, frequency), 1)
    index = (after.month - 1) // months * months + months  # months after January of the next period's start
    return dt.date(after.year + index // 12, index % 12 + 1, 1)


def improvement_list(
    *,
    user: Any,
    view: str = VIEW_ALL,
    status: str = "",
    source_kind: str = "",
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[ImprovementAction]:
    """Return the actions the user may see, narrowed by slice, status, source kind and overdue; each row carries
    ``is_overdue`` so the list can highlight it without another query."""
    today = today or timezone.localdate()
    qs = ImprovementAction.objects.visible_to(user).select_related("owner", "owner_unit", "source_type")
    if view == VIEW_MINE:
        qs = qs.filter(owner=user)
    elif view == VIEW_DEPARTMENT:
        unit_path = user_scope(user).unit_path
        qs = qs.filter(owner_unit__path__startswith=unit_path) if unit_path else qs.filter(owner=user)
    if status:
        qs = qs.filter(status=status)
    if source_kind:
        qs = qs.filter(source_kind=source_kind)
    if overdue:
        qs = qs.filter(overdue_q(today))
    annotated = qs.annotate(
        is_overdue=Case(When(overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    return cast(QuerySet[ImprovementAction], annotated)


def improvements_for(*, user: Any, source: models.Model) -> QuerySet[ImprovementAction]:
    """Return the visible actions raised by ``source`` (an evaluation, a survey, a complaint …)."""
    content_type = ContentType.objects.get_for_model(source)
    return improvement_list(user=user).filter(source_type=content_type, source_id=source.pk).order_by("due_date", "pk")


def my_open_actions(*, user: Any, today: dt.date | None = None) -> list[ImprovementAction]:
    """The user's own actions still to do, overdue ones first, then by due date (for the workbench)."""
    qs = improvement_list(user=user, view=VIEW_MINE, today=today).filter(status__in=IMPROVEMENT_OPEN_STATUSES)
    return list(qs.order_by("-is_overdue", "due_date", "pk")[:20])  # type: ignore[misc]  # annotated above


def assignable_owners(*, user: Any) -> QuerySet[User]:
    """The people the user may make responsible for an action: the one rule ``core.scoping.users_assignable``
    (staff: themselves; a manager: their department tree; management: everyone)."""
    people = users_assignable(user, ImprovementAction._meta.app_label)
    return people.select_related("employee__department").order_by("employee__department__path", "name")


def status_counts(*, user: Any) -> dict[str, int]:
    """How many visible actions are in each status, and how many are overdue (two queries)."""
    qs = ImprovementAction.objects.visible_to(user)
    counts = {row["status"]: row["n"] for row in qs.values("status").annotate(n=models.Count("id"))}
    counts["overdue"] = qs.filter(overdue_q()).count()
    return counts


def my_effect_checks_due(*, user: Any, today: dt.date | None = None) -> list[ImprovementAction]:
    """The actions the user raised (and may check) whose effectiveness check has come due, oldest first (one
    query; nothing for someone without the verify permission)."""
    if not user.has_perm("improvements.verify_improvementaction"):
        return []
    qs = ImprovementAction.objects.visible_to(user).filter(effect_check_due_q(today), created_by=user)
    return list(qs.exclude(owner=user).order_by("effect_check_on", "pk")[:20])
