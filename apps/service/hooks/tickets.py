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
from apps.customers import timeline as tl
from apps.org.services import register_handover_hook
from apps.service.choices import OPEN_STATUSES, TicketType
from apps.service.models import Ticket
from apps.service.selectors import tickets as selectors
from apps.service.services.tickets import ticket_customer_keys_sync, tickets_follow_calendar

# The customer's 50 newest tickets and complaints, read in the timeline's one query (``customers.timeline``).
TICKET_ROWS = {
    "tickets": tl.TimelineQuery(
        rows=lambda customer: Ticket.objects.filter(customer=customer),
        fields=tl.fields("pk", "created_at", "ticket_type", "number", "title", "status", "priority", "resolution")
        | tl.person_fields("assignee")
        | tl.person_fields("created_by"),
        order=("-created_at", "-pk"),
        limit=50,
    )
}


def _ticket_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The customer's tickets and complaints: opened, with type, status and assignee."""
    events = []
    for t in rows["tickets"]:
        icon = "bi-megaphone" if t["ticket_type"] == TicketType.COMPLAINT else "bi-ticket-detailed"
        title = _("%(type)s %(number)s: %(title)s") % {
            "type": tl.display(Ticket, "ticket_type", t["ticket_type"]),
            "number": t["number"],
            "title": t["title"],
        }
        body = f"{tl.display(Ticket, 'status', t['status'])} · {tl.display(Ticket, 'priority', t['priority'])}"
        if t["resolution"]:
            body += f" · {t['resolution'][:80]}"
        events.append(
            tl.TimelineEvent(
                when=t["created_at"],
                kind="ticket",
                icon=icon,
                title=title,
                body=body,
                url=reverse("service:ticket_detail", args=[t["pk"]]),
                actor_name=str(tl.person(t, "assignee") or tl.person(t, "created_by") or ""),
            )
        )
    return events


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
ticket_events = tl.TimelineRows(queries=TICKET_ROWS, events=_ticket_events)


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
    tl.register_owner_change_hook(customers_changed_owner)
    register_handover_hook(customers_handed_over)
    register_calendar_listener("service.tickets", tickets_follow_calendar)
    tl.register_timeline_rows("ticket", ticket_events)
    register_workbench_provider(workbench_items)
