"""The customer timeline: every registered source's events merged newest first. The sources that declare their
rows (``customers.timeline.register_timeline_rows``) are read together in one query (``timeline.read_rows``); the
sources registered as functions add theirs.
"""

from __future__ import annotations

from typing import Any

from apps.customers.models import Customer
from apps.customers.timeline import TimelineEvent, TimelineRows, read_rows, timeline_sources


def timeline_events(*, customer: Customer, user: Any, limit: int = 50) -> list[TimelineEvent]:
    """Everything that touched the customer, from every registered source, newest first (the sources in their
    registration order where two events share a time): one query for the row sources, whatever their number."""
    sources = timeline_sources()
    read = read_rows(customer, {key: s for key, s in sources.items() if isinstance(s, TimelineRows)})
    events: list[TimelineEvent] = []
    for key, source in sources.items():
        if isinstance(source, TimelineRows):
            events.extend(source.events(read[key], user))
        else:
            events.extend(source(customer, user))
    events.sort(key=lambda e: e.when, reverse=True)
    return events[:limit]
