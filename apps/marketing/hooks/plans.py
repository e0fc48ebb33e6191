"""Start-up registrations of research, plans and evaluations: the workbench items "plan to approve" and
"evaluation due" (the frequency comes from the rules in force)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.marketing.selectors.evaluations import plans_due_evaluation
from apps.marketing.selectors.plans import plans_awaiting_approval
from apps.policy.selectors import NoPolicyInForce, policy_today, rules_in_force


def plan_workbench_items(user: Any) -> list[WorkbenchItem]:
    """Plans waiting for the user's approval, and executing plans with no evaluation for the last period."""
    area = _("Market development")
    items = [
        WorkbenchItem(
            area,
            _("Approve plan: %(title)s") % {"title": plan.title},
            reverse("marketing:plan_detail", args=[plan.pk]),
            plan.submitted_at,
        )
        for plan in plans_awaiting_approval(user=user)[:10]
    ]
    try:
        rules = rules_in_force().rules
    except NoPolicyInForce:
        return items
    due, (start, end) = plans_due_evaluation(user=user, rules=rules, today=policy_today())
    for plan in due[:10]:
        title = _("Evaluation due: %(title)s (%(start)s ~ %(end)s)") % {"title": plan.title, "start": start, "end": end}
        items.append(WorkbenchItem(area, title, reverse("marketing:evaluation_create") + f"?plan={plan.pk}", end))
    return items


def register() -> None:
    register_workbench_provider(plan_workbench_items)
