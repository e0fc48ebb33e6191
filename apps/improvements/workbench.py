"""我的工作台: the user's own improvement actions still to do, overdue ones first; then the effectiveness checks due
on the actions the user raised."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem
from apps.improvements.selectors import my_effect_checks_due, my_open_actions


def my_improvement_items(user: Any) -> list[WorkbenchItem]:
    """One item per open action of the user (overdue first); nothing for someone who may not see actions."""
    if not user.has_perm("improvements.view_improvementaction"):
        return []
    items = []
    for action in my_open_actions(user=user):
        overdue = getattr(action, "is_overdue", 0)  # annotated by the selector
        title = _("Overdue: %(title)s") % {"title": action.title} if overdue else action.title
        items.append(
            WorkbenchItem(
                area=_("Improvement actions"),
                title=title,
                due=action.due_date,
                url=reverse("improvements:improvementaction_detail", args=[action.pk]),
            )
        )
    for action in my_effect_checks_due(user=user):
        items.append(
            WorkbenchItem(
                area=_("Improvement actions"),
                title=_("Check the effect: %(title)s") % {"title": action.title},
                due=action.effect_check_on,
                url=reverse("improvements:improvementaction_detail", args=[action.pk]),
            )
        )
    return items
