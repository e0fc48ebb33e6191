"""Performance's answers to the policy's impact page (issue 12): a cycle keeps the version in force when it is
first computed, so changed weights, schemes or grade bands touch the cycles not computed yet."""

from __future__ import annotations

from django.utils.translation import gettext as _

from apps.performance.choices import CycleStatus
from apps.performance.models import AssessmentCycle
from apps.policy.registry import ImpactQuestion, register_impact_source


def cycle_impact(question: ImpactQuestion) -> list[str]:
    waiting = list(
        AssessmentCycle.objects.filter(status=CycleStatus.OPEN, rules_version__isnull=True)
        .order_by("start")
        .values_list("name", flat=True)
    )
    if not waiting:
        return [_("No assessment cycle waits to be computed; the next cycle created will use the new rules.")]
    return [_("The next cycles computed from then use the new rules: %(cycles)s.") % {"cycles": "、".join(waiting)}]


def register() -> None:
    for section in ("kpi_weights", "assessment", "grade_bands"):
        register_impact_source(section, cycle_impact)
