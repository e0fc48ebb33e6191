"""Start-up registrations of service (relationship): the customer timeline shows the contact records (回访); the
workbench shows my contacts due today or overdue."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.service.models import RelationshipContact
from apps.service.selectors.relationship import due_contacts_of

# The customer's 200 latest care contacts (回访), read in the timeline's one query (``customers.timeline``).
CONTACT_ROWS = {
    "contacts": tl.TimelineQuery(
        rows=lambda customer: RelationshipContact.objects.filter(customer=customer),
        fields=tl.fields("pk", "occurred_at", "content", "satisfaction", "personal_notes", "channel")
        | tl.person_fields("owner"),
        order=("-occurred_at", "-pk"),
        limit=200,
    )
}


def _contact_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    events = []
    for record in rows["contacts"]:
        body = record["content"]
        if record["satisfaction"]:
            body += f"\n{_('Satisfaction')}: {tl.display(RelationshipContact, 'satisfaction', record['satisfaction'])}"
        if record["personal_notes"]:
            body += f"\n{_('Personalised service')}: {record['personal_notes']}"
        events.append(
            tl.TimelineEvent(
                when=record["occurred_at"],
                kind="relationship_contact",
                icon="bi-telephone-outbound",
                title=_("Customer care contact (%(channel)s)")
                % {"channel": tl.display(RelationshipContact, "channel", record["channel"])},
                body=body,
                url=reverse("service:contact_detail", args=[record["pk"]]),
                actor_name=str(tl.person(record, "owner")),
            )
        )
    return events


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
contact_events = tl.TimelineRows(queries=CONTACT_ROWS, events=_contact_events)


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
    tl.register_timeline_rows("relationship_contact", contact_events)
    register_workbench_provider(workbench_items)
