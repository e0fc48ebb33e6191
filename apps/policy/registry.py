"""What an amendment would touch: the apps to the right register, per section of the rules, a function that
counts their records a change affects (open tickets, draft contracts, the next assessment cycle …).

A source is ``fn(change) -> list[str]``: given an ``ImpactQuestion`` (the section, the old and new rules, the date
the draft would take effect, and the version in force) it answers with sentences whose figures it computed from
its records. The impact page (``selectors.version_impact``) asks every source registered for a changed section.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ImpactQuestion:
    section: str
    old: Any  # Rules
    new: Any  # Rules
    effective_from: dt.date
    in_force_label: str
    in_force_id: int | None


ImpactSource = Callable[[ImpactQuestion], list[str]]
_SOURCES: dict[str, list[ImpactSource]] = {}


def register_impact_source(section: str, source: ImpactSource) -> None:
    """Register ``source`` for a section of the rules (``service_deadlines``, ``approval_thresholds`` …)."""
    sources = _SOURCES.setdefault(section, [])
    if source not in sources:
        sources.append(source)


def impact_sources(section: str) -> list[ImpactSource]:
    return list(_SOURCES.get(section, []))
