"""Start-up registrations of the target area: the workbench shows managers the draft targets still to decompose
in their department tree, and senior management the targets waiting for their approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.sales.choices import TargetStatus
from apps.sales.models import TargetSet
from apps.sales.selectors import targets as selectors


def target_workbench_items(user: Any) -> list[WorkbenchItem]:
    """Drafts with unallocated amounts the user may fix; submitted sets the user may approve."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = []
    if user.has_perm("sales.add_targetnode"):
        for target_set in TargetSet.objects.filter(status=TargetStatus.DRAFT):
            tree = selectors.target_tree(target_set=target_set, user=user)
            open_nodes = [row for row in tree.mismatches if row.editable]
            if open_nodes:
                items.append(
                    WorkbenchItem(
                        area=_("Sales"),
                        title=_("Targets to decompose: %(set)s") % {"set": target_set},
                        url=reverse("sales:target_editor", args=[target_set.pk]),
                        count=len(open_nodes),
                    )
                )
    if user.has_perm("sales.approve_targetset"):
        for target_set in TargetSet.objects.filter(status=TargetStatus.SUBMITTED):
            items.append(
                WorkbenchItem(
                    area=_("Sales"),
                    title=_("Targets to approve: %(set)s") % {"set": target_set},
                    url=reverse("sales:target_editor", args=[target_set.pk]),
                    due=target_set.submitted_at,
                )
            )
    return items


def register() -> None:
    register_workbench_provider(target_workbench_items)
