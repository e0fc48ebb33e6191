"""Start-up registrations of service (feedback): the customer timeline shows the feedback recorded and the
departments' replies; the workbench shows feedback awaiting my department's acknowledgement."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.services.calendar import register_calendar_listener
from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.timeline import TimelineEvent, register_timeline_source
from apps.service.selectors.feedback import feedback_of_customer, routings_awaiting
from apps.service.services.feedback import routings_follow_calendar


def feedback_events(customer: Any, user: Any) -> list[TimelineEvent]:
    """Each feedback recorded, with the departments it went to and their replies."""
    events = []
    for feedback in feedback_of_customer(customer=customer)[:200]:
        url = reverse("service:feedback_detail", args=[feedback.pk])
        routings = list(feedback.routings.all())
        departments = "、".join(r.department.name for r in routings)
        events.append(
            TimelineEvent(
                when=feedback.created_at,
                kind="feedback",
                icon="bi-chat-square-quote",
                title=_("Feedback (%(category)s) passed to %(departments)s")
                % {"category": feedback.get_category_display(), "departments": departments or "—"},
                body=feedback.content,
                url=url,
                actor_name=str(feedback.created_by),
            )
        )
        for routing in routings:
            if routing.replied_at:
                events.append(
                    TimelineEvent(
                        when=routing.replied_at,
                        kind="feedback",
                        icon="bi-reply",
                        title=_("%(department)s replied to the feedback") % {"department": routing.department.name},
                        body=routing.reply,
                        url=url,
                    )
                )
    return events


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Feedback awaiting my department's acknowledgement (for those who may acknowledge it)."""
    awaiting = list(routings_awaiting(user=user).values_list("acknowledge_due", flat=True))
    if not awaiting:
        return []
    overdue = sum(1 for due in awaiting if due < timezone.now())
    title = _("Customer feedback awaiting acknowledgement")
    if overdue:
        title = _("Customer feedback awaiting acknowledgement (%(count)s overdue)") % {"count": overdue}
    return [
        WorkbenchItem(
            area=_("Customer service"),
            title=title,
            count=len(awaiting),
            url=reverse("service:routing_list") + "?status=pending",
            due=timezone.localtime(min(awaiting)).date(),
        )
    ]


def register() -> None:
    register_calendar_listener("service.feedback", routings_follow_calendar)
    register_timeline_source("feedback", feedback_events)
    register_workbench_provider(workbench_items)
