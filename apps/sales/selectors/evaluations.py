"""Reads of sales target evaluations (销售目标评估, policy art. 9): the list, the figures an evaluation shows (live in
draft, the frozen snapshot once completed), who may write one, and which target nodes are due an evaluation under
the frequency of the rules in force."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max, QuerySet

from apps.marketing.selectors.evaluations import previous_period
from apps.marketing.selectors.plans import senior_management
from apps.org.models import Department
from apps.policy.choices import EvaluationKind
from apps.sales.choices import EvaluationStatus, TargetStatus
from apps.sales.models import SalesEvaluation, TargetNode
from apps.sales.selectors.attainment import Period, node_attainment


def evaluation_list(*, user: Any, status: str = "") -> QuerySet[SalesEvaluation]:
    """The evaluations the user may see, with node, department, person and owner loaded."""
    qs = SalesEvaluation.objects.visible_to(user).select_related(
        "node__department", "node__person", "node__target_set", "owner", "owner_unit"
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def evaluation_period(start: dt.date, end: dt.date) -> Period | None:
    """The evaluated period when it is made of whole months of one year (targets are monthly), else None."""
    if end < start or start.year != end.year or start.day != 1:
        return None
    if (end + dt.timedelta(days=1)).day != 1:
        return None
    months = tuple(range(start.month, end.month + 1))
    return Period("custom", start.year, start, end, months, f"{start:%Y-%m}~{end:%Y-%m}")


def managed_department_ids(user: Any) -> set[int]:
    """Departments the user manages, with all their sub-departments (one or two queries)."""
    paths = list(Department.objects.filter(manager=user).values_list("path", flat=True))
    if not paths:
        return set()
    ids: set[int] = set()
    for department in Department.objects.only("pk", "path"):
        if any(department.path.startswith(p) for p in paths):
            ids.add(department.pk)
    return ids


def is_senior(user: Any) -> bool:
    return user.is_superuser or senior_management().filter(pk=user.pk).exists()


def may_evaluate(user: Any, node: TargetNode) -> bool:
    """Art. 9: the manager of the node's department (or of a department above it) or senior management."""
    if not getattr(user, "is_authenticated", False):
        return False
    return is_senior(user) or node.department_id in managed_department_ids(user)


def evaluation_figures(evaluation: SalesEvaluation) -> dict[str, Any]:
    """The figures as JSON: frozen once completed, computed live from the records in draft."""
    if evaluation.status == EvaluationStatus.COMPLETED:
        return dict(evaluation.snapshot)
    period = evaluation_period(evaluation.period_start, evaluation.period_end)
    if period is None:
        return {}
    return node_attainment(evaluation.node, period).as_json()


def evaluation_frequency(rules: Any) -> str:
    return str(rules.evaluation_frequencies.of(EvaluationKind.SALES_TARGET))


def nodes_due_evaluation(*, user: Any, rules: Any, today: dt.date) -> tuple[list[TargetNode], tuple[dt.date, dt.date]]:
    """Department nodes of approved base-year target sets that the user manages and that have no evaluation
    reaching the end of the last complete period of the frequency in the rules (three queries at most)."""
    start, end = previous_period(evaluation_frequency(rules), today)
    managed = managed_department_ids(user)
    if not managed:
        return [], (start, end)
    nodes = (
        TargetNode.objects.filter(
            target_set__status=TargetStatus.APPROVED,
            target_set__fiscal_year=end.year,
            person__isnull=True,
            department_id__in=managed,
        )
        .select_related("department", "target_set")
        .annotate(last=Max("evaluations__period_end"))
        .order_by("department__path", "pk")
    )
    return [n for n in nodes if n.last is None or n.last < end], (start, end)  # type: ignore[attr-defined]
