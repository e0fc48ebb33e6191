"""Start-up registrations of the public pool: the 待进入公海 item of 我的工作台."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.selectors import pool as selectors
from apps.policy.selectors import NoPolicyInForce


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """我的工作台: how many of my customers go back to the public pool within the warning days."""
    if not user.has_perm("customers.view_customer"):
        return []
    try:
        count = selectors.due_for_recycling_count(user=user)
    except NoPolicyInForce:  # no rules, no recycling: the workbench still opens
        return []
    if not count:
        return []
    return [
        WorkbenchItem(
            area=_("Customers"),
            title=_("Customers due for the public pool"),
            url=reverse("customers:pool_due_list"),
            count=count,
        )
    ]


def register() -> None:
    register_workbench_provider(workbench_items)
