"""Start-up registrations of attainment and evaluations: the workbench item "sales evaluation due" for managers
(the frequency comes from the rules in force); called from SalesConfig.ready."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.policy.selectors import NoPolicyInForce, policy_today, rules_in_force
from apps.sales.selectors.evaluations import nodes_due_evaluation


def evaluation_workbench_items(user: Any) -> list[WorkbenchItem]:
    """Target nodes the user manages with no evaluation reaching the end of the last complete period."""
    if not getattr(user, "is_authenticated", False):
        return []
    try:
        rules = rules_in_force().rules
    except NoPolicyInForce:
        return []
    due, (start, end) = nodes_due_evaluation(user=user, rules=rules, today=policy_today())
    area = _("Sales")
    # One line per node, named by its department and its target set's metric (a department has a node in the
    # contract-amount set and one in the payments set: two evaluations, two lines that say which is which).
    return [
        WorkbenchItem(
            area,
            _("Sales evaluation due: %(node)s · %(metric)s (%(start)s ~ %(end)s)")
            % {"node": node, "metric": node.target_set.get_metric_display(), "start": start, "end": end},
            reverse("sales:evaluation_create") + f"?node={node.pk}",
            end,
        )
        for node in due[:10]
    ]


def register() -> None:
    register_workbench_provider(evaluation_workbench_items)
