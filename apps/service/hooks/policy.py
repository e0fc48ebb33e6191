"""What a policy review considers from customer service (art. 15): tickets opened, resolved on time, complaints,
computed from the tickets opened in the period under review (``policy.review_evidence``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import TicketType
from apps.policy.review_evidence import register_review_evidence
from apps.service.models import Ticket


def service_evidence(since: dt.date, until: dt.date) -> list[tuple[Any, Any]]:
    """Tickets opened from ``since`` to ``until``: how many, the share of the resolved ones resolved by their
    deadline, and complaints; one query."""
    figures = Ticket.objects.filter(created_at__date__gte=since, created_at__date__lte=until).aggregate(
        opened=Count("id"),
        resolved=Count("id", filter=Q(resolved_at__isnull=False)),
        on_time=Count("id", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due"))),
        complaints=Count("id", filter=Q(ticket_type=TicketType.COMPLAINT)),
    )
    resolved, on_time = figures["resolved"], figures["on_time"]
    share = f" ({round(100 * on_time / resolved, 1)}%)" if resolved else ""
    return [
        (_("Tickets opened"), figures["opened"]),
        (_("Tickets resolved on time"), f"{on_time} / {resolved}{share}"),
        (_("Complaints"), figures["complaints"]),
    ]


def register() -> None:
    register_review_evidence("service", service_evidence)
