"""Start-up registrations of service (feedback): the customer timeline shows the feedback recorded and the
departments' replies; the workbench shows feedback awaiting my department's acknowledgement."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.services.calendar import register_calendar_listener
from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.service.models import Feedback, FeedbackRouting
from apps.service.selectors.feedback import routings_awaiting
from apps.service.services.feedback import routings_follow_calendar

# The customer's 200 latest feedback with the departments it went to, read in the timeline's one query
# (``customers.timeline``).
FEEDBACK_LIMIT = 200
FEEDBACK_ROWS = {
    "feedback": tl.TimelineQuery(
        rows=lambda customer: Feedback.objects.filter(customer=customer),
        fields=tl.fields("pk", "created_at", "category", "content") | tl.person_fields("created_by"),
        order=("-created_at", "-pk"),
        limit=FEEDBACK_LIMIT,
    ),
    "routings": tl.TimelineQuery(
        rows=lambda customer: FeedbackRouting.objects.filter(
            feedback__customer=customer,
            feedback__in=Feedback.objects.filter(customer=customer)
            .order_by("-created_at", "-pk")
            .values("pk")[:FEEDBACK_LIMIT],
        ),
        fields=tl.fields("feedback_id", "department__name", "replied_at", "reply"),
        order=("status", "acknowledge_due", "pk"),
    ),
}


def _feedback_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """Each feedback recorded, with the departments it went to and their replies."""
    routings_of: dict[int, list[dict[str, Any]]] = {}
    for routing in rows["routings"]:
        routings_of.setdefault(routing["feedback_id"], []).append(routing)
    events = []
    for feedback in rows["feedback"]:
        url = reverse("service:feedback_detail", args=[feedback["pk"]])
        routings = routings_of.get(feedback["pk"], [])
        departments = "、".join(r["department__name"] for r in routings)
        events.append(
            tl.TimelineEvent(
                when=feedback["created_at"],
                kind="feedback",
                icon="bi-chat-square-quote",
                title=_("Feedback (%(category)s) passed to %(departments)s")
                % {
                    "category": tl.display(Feedback, "category", feedback["category"]),
                    "departments": departments or "—",
                },
                body=feedback["content"],
                url=url,
                actor_name=str(tl.person(feedback, "created_by")),
            )
        )
        for routing in routings:
            if routing["replied_at"]:
                events.append(
                    tl.TimelineEvent(
                        when=routing["replied_at"],
                        kind="feedback",
                        icon="bi-reply",
                        title=_("%(department)s replied to the feedback") % {"department": routing["department__name"]},
                        body=routing["reply"],
                        url=url,
                    )
                )
    return events


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
feedback_events = tl.TimelineRows(queries=FEEDBACK_ROWS, events=_feedback_events)


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
    tl.register_timeline_rows("feedback", feedback_events)
    register_workbench_provider(workbench_items)
