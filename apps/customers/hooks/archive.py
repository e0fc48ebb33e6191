"""Start-up registrations of the customer archive: its timeline sources and its workbench items."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.selectors import archive as selectors
from apps.customers.timeline import register_timeline_source


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """我的工作台: the user's customers to contact today and those whose next contact has passed."""
    if not user.has_perm("customers.view_customer"):
        return []
    counts = selectors.customer_due_counts(user=user)
    url = reverse("customers:customer_list")
    items = []
    if counts.today:
        items.append(
            WorkbenchItem(
                area=_("Customers"),
                title=_("Customers to contact today"),
                url=f"{url}?scene=mine&quick=today",
                count=counts.today,
            )
        )
    if counts.overdue:
        items.append(
            WorkbenchItem(
                area=_("Customers"),
                title=_("Overdue follow-ups"),
                url=f"{url}?scene=mine&quick=overdue&sort=next_contact_at",
                count=counts.overdue,
            )
        )
    return items


def register() -> None:
    register_timeline_source("follow_up", selectors.follow_up_events)
    register_timeline_source("need", selectors.need_events)
    register_timeline_source("ownership", selectors.ownership_events)
    register_timeline_source("contact", selectors.contact_events)
    register_workbench_provider(workbench_items)
