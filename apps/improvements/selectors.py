"""Reads of improvement actions, always from what the user may see."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from apps.core.scoping import user_scope, users_assignable
from apps.improvements.models import IMPROVEMENT_OPEN_STATUSES, ImprovementAction
from apps.org.models import User

# Which slice of the visible actions a list shows: the user's own, their department's, or all they may see.
VIEW_MINE, VIEW_DEPARTMENT, VIEW_ALL = "mine", "department", "all"


def overdue_q(today: dt.date | None = None) -> Q:
    """Overdue: the due date has passed and the action still asks something of its owner."""
    return Q(due_date__lt=today or timezone.localdate(), status__in=IMPROVEMENT_OPEN_STATUSES)


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
