"""Start-up registrations of service (tickets): the customer timeline source "ticket" and the workbench
reminders (my open tickets at risk or overdue; unassigned tickets and escalations for managers); the tickets'
copies of their customer's owners follow the customers' and org's owner changes."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.services.calendar import register_calendar_listener
from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.timeline import TimelineEvent, register_owner_change_hook, register_timeline_source
from apps.org.services import register_handover_hook
from apps.service.choices import OPEN_STATUSES
from apps.service.models import Ticket
from apps.service.selectors import tickets as selectors
from apps.service.services.tickets import ticket_customer_keys_sync, tickets_follow_calendar


def ticket_events(customer: Any, user: Any) -> list[TimelineEvent]:
    """The customer's tickets and complaints: opened, with type, status and assignee (one query)."""
    tickets = (
        Ticket.objects.filter(customer=customer).select_related("assignee", "created_by").order_by("-created_at")[:50]
    )
    events = []
    for t in tickets:
        icon = "bi-megaphone" if t.is_complaint else "bi-ticket-detailed"
        title = _("%(type)s %(number)s: %(title)s") % {
            "type": t.get_ticket_type_display(),
            "number": t.number,
            "title": t.title,
        }
        body = f"{t.get_status_display()} · {t.get_priority_display()}"
        if t.resolution:
            body += f" · {t.resolution[:80]}"
        events.append(
            TimelineEvent(
                when=t.created_at,
                kind="ticket",
                icon=icon,
                title=title,
                body=body,
                url=reverse("service:ticket_detail", args=[t.pk]),
                actor_name=str(t.assignee or t.created_by or ""),
            )
        )
    return events


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """My open tickets overdue or due within a working day; for managers the unassigned tickets and escalated
    open ones of their scope."""
    if not user.has_perm("service.view_ticket"):
        return []
    area = _("Customer service")
    now = timezone.now()
    items = []
    for t in selectors.my_open_tickets(user, now).order_by("resolution_due")[:5]:
        overdue = t.resolution_due <= now or (t.first_responded_at is None and t.first_response_due <= now)
        label = _("Overdue ticket: %(ticket)s") if overdue else _("Ticket due soon: %(ticket)s")
        due = t.first_response_due if t.first_responded_at is None else t.resolution_due
        items.append(
            WorkbenchItem(
                area=area,
                title=label % {"ticket": t},
                due=timezone.localtime(due).date(),
                url=reverse("service:ticket_detail", args=[t.pk]),
            )
        )
    if user.has_perm("service.assign_ticket"):
        unassigned = selectors.unassigned_tickets(user).count()
        if unassigned:
            items.append(
                WorkbenchItem(
                    area=area,
                    title=_("Unassigned tickets"),
                    count=unassigned,
                    url=reverse("service:ticket_list") + "?assignee=none&status=new",
                )
            )
        escalated = Ticket.objects.visible_to(user).filter(escalation_level__gt=0, status__in=OPEN_STATUSES).count()
        if escalated:
            items.append(
                WorkbenchItem(
                    area=area,
                    title=_("Escalated open tickets"),
                    count=escalated,
                    url=reverse("service:ticket_list") + "?state=escalated",
                )
            )
    return items


def customers_changed_owner(*, customer_ids: list[int]) -> None:
    """Customers have a new sales or service owner: their tickets' copies follow."""
    ticket_customer_keys_sync(customer_ids=customer_ids)


def customers_handed_over(*, actor: Any, user: Any, successor: Any) -> None:
    """A leaving employee's customers went to the successor: their tickets' copied owner follows."""
    ticket_customer_keys_sync(customer_owner_ids=[user.pk])


def register() -> None:
    register_owner_change_hook(customers_changed_owner)
    register_handover_hook(customers_handed_over)
    register_calendar_listener("service.tickets", tickets_follow_calendar)
    register_timeline_source("ticket", ticket_events)
    register_workbench_provider(workbench_items)
