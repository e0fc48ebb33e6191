"""Start-up registrations of campaigns, leads, visits and intelligence (called from ``AppConfig.ready``): the
customer timeline shows the leads converted into a customer and the visits to it; the workbench shows leads
handed to me awaiting conversion, my visits' next steps due, and unread published intelligence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.marketing.models import Lead, Visit
from apps.marketing.selectors.intel import intel_unread_for
from apps.marketing.selectors.leads import leads_awaiting_conversion
from apps.marketing.selectors.visits import visit_next_steps_due


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


# The leads converted into the customer (the 50 latest) and the visits to it (the 50 latest, with who went),
# read in the timeline's one query (``customers.timeline``).
LEAD_ROWS = {
    "leads": tl.TimelineQuery(
        rows=lambda customer: Lead.objects.filter(customer=customer).annotate(
            timeline_at=Coalesce("converted_at", "created_at")
        ),
        fields=tl.fields("pk", "timeline_at", "contact_name", "campaign_id", "campaign__name", "source")
        | tl.person_fields("converted_by"),
        order=("-timeline_at", "-pk"),
        limit=50,
    )
}
VISIT_LIMIT = 50
VISIT_ROWS = {
    "visits": tl.TimelineQuery(
        rows=lambda customer: Visit.objects.filter(customer=customer),
        fields=tl.fields("pk", "visited_on", "purpose", "outcome", "next_step") | tl.person_fields("owner"),
        order=("-visited_on", "-pk"),
        limit=VISIT_LIMIT,
    ),
    "visitors": tl.TimelineQuery(
        rows=lambda customer: Visit.visitors.through.objects.filter(
            visit__customer=customer,
            visit__in=Visit.objects.filter(customer=customer).order_by("-visited_on", "-pk").values("pk")[:VISIT_LIMIT],
        ),
        fields=tl.fields("visit_id") | tl.person_fields("user"),
        order=("visit_id", "user_id", "pk"),  # by person: the order the old per-visit read gave
    ),
}


def _lead_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The leads that became this customer: when, from which campaign, converted by whom."""
    events = []
    for lead in rows["leads"]:
        source = lead["campaign__name"] if lead["campaign_id"] else tl.display(Lead, "source", lead["source"])
        events.append(
            tl.TimelineEvent(
                when=lead["timeline_at"],
                kind="lead",
                icon="bi-person-check",
                title=_("Converted from lead “%(name)s”") % {"name": lead["contact_name"]},
                body=_("Source: %(source)s") % {"source": source},
                url=reverse("marketing:lead_detail", args=[lead["pk"]]),
                actor_name=str(tl.person(lead, "converted_by") or ""),
            )
        )
    return events


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
lead_events = tl.TimelineRows(queries=LEAD_ROWS, events=_lead_events)


def _visit_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The visits to this customer: purpose, outcome and who went."""
    visitors: dict[int, list[str]] = {}
    for row in rows["visitors"]:
        visitors.setdefault(row["visit_id"], []).append(str(tl.person(row, "user")))
    return [
        tl.TimelineEvent(
            when=_at(visit["visited_on"]),
            kind="visit",
            icon="bi-geo-alt",
            title=_("Visit: %(purpose)s") % {"purpose": visit["purpose"]},
            body=visit["outcome"] + (f"\n{_('Next step')}: {visit['next_step']}" if visit["next_step"] else ""),
            url=reverse("marketing:visit_detail", args=[visit["pk"]]),
            actor_name="、".join(visitors.get(visit["pk"], [])) or str(tl.person(visit, "owner")),
        )
        for visit in rows["visits"]
    ]


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
visit_events = tl.TimelineRows(queries=VISIT_ROWS, events=_visit_events)


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Leads handed to me awaiting conversion, my visits' next steps due, unread published intelligence."""
    items = []
    awaiting = leads_awaiting_conversion(user=user).count()
    if awaiting:
        items.append(
            WorkbenchItem(
                area=_("Market development"),
                title=_("Leads handed to me awaiting conversion"),
                url=reverse("marketing:lead_list") + "?scene=handed_to_me&status=handed_over",
                count=awaiting,
            )
        )
    for visit in visit_next_steps_due(user=user).select_related("customer", "lead")[:5]:
        target = visit.customer or (visit.lead.company_name if visit.lead else "")
        title = _("Next step after visiting %(target)s: %(step)s") % {"target": target, "step": visit.next_step}
        items.append(
            WorkbenchItem(
                area=_("Market development"),
                title=title,
                url=reverse("marketing:visit_detail", args=[visit.pk]),
                due=visit.next_step_on,
            )
        )
    unread = intel_unread_for(user=user).count()
    if unread:
        items.append(
            WorkbenchItem(
                area=_("Market development"),
                title=_("Unread market intelligence"),
                url=reverse("marketing:intel_list") + "?unread=1",
                count=unread,
            )
        )
    return items


def register() -> None:
    tl.register_timeline_rows("lead", lead_events)
    tl.register_timeline_rows("visit", visit_events)
    register_workbench_provider(workbench_items)
