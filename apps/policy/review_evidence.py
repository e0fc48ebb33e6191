"""What a policy review considers (art. 15): figures the apps to the right register, computed at review time.

An app registers ``fn(since, until) -> list[(label, value)]`` with ``register_review_evidence``: e.g. ``service``
its SLA compliance and complaints, ``performance`` the grade distribution of the year's assessments. ``policy``
imports none of them; a review calls ``review_evidence`` and keeps the figures in its record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

EvidenceSource = Callable[[dt.date, dt.date], list[tuple[Any, Any]]]
_SOURCES: dict[str, EvidenceSource] = {}


def register_review_evidence(name: str, source: EvidenceSource) -> None:
    """Register (or replace) a source of review figures under ``name``."""
    _SOURCES[name] = source


def review_evidence(since: dt.date, until: dt.date) -> list[dict[str, str]]:
    """Every registered figure over ``since``–``until`` as ``{"source", "label", "value"}`` (text, to be kept); a
    failing source is logged and left out, so a review is never blocked by a report."""
    figures: list[dict[str, str]] = []
    for name, source in sorted(_SOURCES.items()):
        try:
            rows = source(since, until)
        except Exception:  # noqa: BLE001 - a broken figure must not stop the review
            logger.exception("review evidence source %s failed", name)
            continue
        figures.extend({"source": name, "label": str(label), "value": str(value)} for label, value in rows)
    return figures
