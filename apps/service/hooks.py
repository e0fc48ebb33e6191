"""Service's answers to the policy's impact page (issue 12): open tickets keep the deadlines of the version they
were opened under, so a change of deadlines touches only tickets opened from the new version's date."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from apps.policy.choices import TicketPriority, TicketType
from apps.policy.registry import ImpactQuestion, register_impact_source
from apps.service.choices import OPEN_STATUSES
from apps.service.models import Ticket


def deadline_impact(question: ImpactQuestion) -> list[str]:
    changed = [d for d in question.new.service_deadlines if d != question.old.deadline(d.ticket_type, d.priority)]
    if not changed:
        return []
    counts = {
        (row["ticket_type"], row["priority"]): row["n"]
        for row in Ticket.objects.filter(status__in=OPEN_STATUSES)
        .values("ticket_type", "priority")
        .annotate(n=Count("id"))
    }
    return [
        _("%(type)s · %(priority)s: %(count)s open tickets keep the deadlines of version %(label)s.")
        % {
            "type": TicketType(d.ticket_type).label,
            "priority": TicketPriority(d.priority).label,
            "count": counts.get((d.ticket_type, d.priority), 0),
            "label": question.in_force_label,
        }
        for d in changed
    ]


def register() -> None:
    register_impact_source("service_deadlines", deadline_impact)
