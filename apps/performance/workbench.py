"""我的工作台: scorecards to review, to confirm, appeals and proposals to decide."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem
from apps.performance.choices import AssessmentStatus
from apps.performance.selectors.scorecards import (
    appeals_to_decide,
    my_assessments,
    proposals_to_decide,
    to_review,
    violation_appeals_to_decide,
    violations_to_decide,
)


def assessment_items(user: Any) -> list[WorkbenchItem]:
    area = _("Performance assessment")
    items = []
    for card in my_assessments(user=user).filter(status=AssessmentStatus.REVIEWED):
        items.append(
            WorkbenchItem(
                area=area,
                title=_("Confirm or appeal your scorecard: %(cycle)s") % {"cycle": card.cycle.name},
                url=reverse("performance:assessment_detail", args=[card.pk]),
            )
        )
    counts = (
        (to_review(user=user).count(), _("Scorecards to review"), reverse("performance:cycle_list")),
        (appeals_to_decide(user=user).count(), _("Appeals to decide"), reverse("performance:appeal_list")),
        (
            proposals_to_decide(user=user).count(),
            _("Rewards and penalties to decide"),
            reverse("performance:rewardpenalty_list") + "?status=proposed",
        ),
        (
            violations_to_decide(user=user).count(),
            _("Violations to decide"),
            reverse("performance:violation_list") + "?status=reported",
        ),
        (
            violation_appeals_to_decide(user=user).count(),
            _("Appeals of violations to decide"),
            reverse("performance:violation_list") + "?status=appealed",
        ),
    )
    for count, title, url in counts:
        if count:
            items.append(WorkbenchItem(area=area, title=title, url=url, count=count))
    return items
