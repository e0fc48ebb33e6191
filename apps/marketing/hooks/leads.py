"""Start-up registrations of campaigns, leads, visits and intelligence (called from ``AppConfig.ready``): the
customer timeline shows the leads converted into a customer and the visits to it; the workbench shows leads
handed to me awaiting conversion, my visits' next steps due, and unread published intelligence."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.timeline import TimelineEvent, register_timeline_source
from apps.marketing.selectors.intel import intel_unread_for
from apps.marketing.selectors.leads import leads_awaiting_conversion, leads_of_customer
from apps.marketing.selectors.visits import visit_next_steps_due, visits_of_customer


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))


def lead_events(customer: Any, user: Any) -> list[TimelineEvent]:
    """The leads that became this customer: when, from which campaign, converted by whom."""
    events = []
    for lead in leads_of_customer(customer=customer):
        source = lead.campaign.name if lead.campaign else lead.get_source_display()
        events.append(
            TimelineEvent(
                when=lead.converted_at or lead.created_at,
                kind="lead",
                icon="bi-person-check",
                title=_("Converted from lead “%(name)s”") % {"name": lead.contact_name},
                body=_("Source: %(source)s") % {"source": source},
                url=reverse("marketing:lead_detail", args=[lead.pk]),
                actor_name=str(lead.converted_by or ""),
            )
        )
    return events


def visit_events(customer: Any, user: Any) -> list[TimelineEvent]:
    """The visits to this customer: purpose, outcome and who went."""
    return [
        TimelineEvent(
            when=_at(visit.visited_on),
            kind="visit",
            icon="bi-geo-alt",
            title=_("Visit: %(purpose)s") % {"purpose": visit.purpose},
            body=visit.outcome + (f"\n{_('Next step')}: {visit.next_step}" if visit.next_step else ""),
            url=reverse("marketing:visit_detail", args=[visit.pk]),
            actor_name="、".join(str(v) for v in visit.visitors.all()) or str(visit.owner),
        )
        for visit in visits_of_customer(customer=customer)
    ]


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
    register_timeline_source("lead", lead_events)
    register_timeline_source("visit", visit_events)
    register_workbench_provider(workbench_items)
