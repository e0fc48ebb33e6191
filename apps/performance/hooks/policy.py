"""What a policy review considers from performance assessment (art. 15): the grade distribution of the scorecards
of cycles that ended in the period under review (``policy.review_evidence``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from apps.performance.models import Assessment
from apps.policy.choices import Grade
from apps.policy.review_evidence import register_review_evidence


def grade_evidence(since: dt.date, until: dt.date) -> list[tuple[Any, Any]]:
    """Graded scorecards of cycles ending from ``since`` to ``until``, per grade, best first; one query."""
    counts = dict(
        Assessment.objects.filter(cycle__end__gte=since, cycle__end__lte=until)
        .exclude(grade="")
        .values_list("grade")
        .annotate(n=Count("id"))
        .values_list("grade", "n")
    )
    text = ", ".join(f"{Grade(g).label} {counts.get(g, 0)}" for g in Grade.values)
    return [(_("Assessment grades"), text)]


def register() -> None:
    register_review_evidence("performance", grade_evidence)
