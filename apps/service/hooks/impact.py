"""Service's answers to the policy's impact page (issue 12): open tickets keep the deadlines of the version they
were opened under, so a change of deadlines touches only tickets opened from the new version's date."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from apps.core.workdays import TZ
from apps.policy.choices import CustomerLevel, TicketPriority, TicketType
from apps.policy.registry import ImpactQuestion, register_impact_source
from apps.service.choices import OPEN_STATUSES
from apps.service.models import Ticket
from apps.service.selectors.relationship import serviced_customers


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


def cadence_impact(question: ImpactQuestion) -> list[str]:
    """Per customer level whose contact cadence changes, how many serviced customers would be due for their regular
    contact on the draft's first day (last contact, else last follow-up, else creation, that many days back or
    more), against the cadence in force."""
    lines = []
    for cadence in question.new.contact_cadence:
        old_days = question.old.contact_cadence_days(cadence.level)
        if old_days == cadence.days:
            continue
        customers = serviced_customers().filter(level=cadence.level)
        customers = customers.annotate(last=Coalesce("last_contact_at", "last_follow_up_at", "created_at"))
        counts = [
            customers.filter(last__lt=_day_start(question.effective_from, days)).count()
            for days in (cadence.days, old_days)
        ]
        lines.append(
            _(
                "%(level)s: %(new)s serviced customers would be due for their regular contact on %(date)s "
                "(every %(days)s days; %(old)s at every %(old_days)s days under version %(label)s)."
            )
            % {
                "level": CustomerLevel(cadence.level).label,
                "new": counts[0],
                "old": counts[1],
                "date": question.effective_from.isoformat(),
                "days": cadence.days,
                "old_days": old_days,
                "label": question.in_force_label,
            }
        )
    return lines


def _day_start(on: dt.date, days: int) -> dt.datetime:
    """Due on ``on`` with a cadence of ``days``: the last contact's Shanghai date is ``on - days`` or earlier, i.e.
    before the start of the day after it."""
    day = on - dt.timedelta(days=days - 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=TZ)


def register() -> None:
    register_impact_source("service_deadlines", deadline_impact)
    register_impact_source("contact_cadence_days", cadence_impact)
