"""Start-up registrations of service (relationship): the customer timeline shows the contact records (回访); the
workbench shows my contacts due today or overdue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.timeline import TimelineEvent, register_timeline_source
from apps.service.selectors.relationship import contacts_of_customer, due_contacts_of


def contact_events(customer: Any, user: Any) -> list[TimelineEvent]:
    events = []
    for record in contacts_of_customer(customer=customer)[:200]:
        body = record.content
        if record.satisfaction:
            body += f"\n{_('Satisfaction')}: {record.get_satisfaction_display()}"
        if record.personal_notes:
            body += f"\n{_('Personalised service')}: {record.personal_notes}"
        events.append(
            TimelineEvent(
                when=record.occurred_at,
                kind="relationship_contact",
                icon="bi-telephone-outbound",
                title=_("Customer care contact (%(channel)s)") % {"channel": record.get_channel_display()},
                body=body,
                url=reverse("service:contact_detail", args=[record.pk]),
                actor_name=str(record.owner),
            )
        )
    return events


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """My contacts due today or overdue."""
    today = timezone.localdate()
    dues = list(due_contacts_of(user=user, today=today).values_list("due_on", flat=True))
    if not dues:
        return []
    overdue = sum(1 for d in dues if d < today)
    title = _("Customer contacts due today")
    if overdue:
        title = _("Customer contacts due (%(count)s overdue)") % {"count": overdue}
    return [
        WorkbenchItem(
            area=_("Customer service"),
            title=title,
            count=len(dues),
            due=min(dues),
            url=reverse("service:due_contact_list"),
        )
    ]


def register() -> None:
    register_timeline_source("relationship_contact", contact_events)
    register_workbench_provider(workbench_items)
