"""The personal home page "我的工作台" is filled by the domain apps through this registry.

A lower app cannot import a higher one, so each app registers a provider at start-up:
``register_workbench_provider(fn)`` where ``fn(user)`` returns a list of ``WorkbenchItem`` due for that user, and
``register_overview_provider(fn)`` where ``fn(user)`` returns today's headline figures (``OverviewFigure``) for
the people who steer (senior management sees an overview, not only a to-do list); an empty list shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WorkbenchItem:
    area: str  # the policy area it belongs to, e.g. "销售"
    title: str
    url: str = ""
    due: Any = None
    count: int | None = None


@dataclass(frozen=True)
class OverviewFigure:
    label: str
    value: str  # already formatted as the page shows it (¥1,234.00, 85.0%, 12)
    url: str = ""  # where the figure's records are
    hint: str = ""  # the period or comparison, e.g. "本月 · 环比 +12.0%"


WorkbenchProvider = Callable[[Any], list[WorkbenchItem]]
OverviewProvider = Callable[[Any], list[OverviewFigure]]
_providers: list[WorkbenchProvider] = []
_overview_providers: list[OverviewProvider] = []


def register_workbench_provider(provider: WorkbenchProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def register_overview_provider(provider: OverviewProvider) -> None:
    if provider not in _overview_providers:
        _overview_providers.append(provider)


def overview_figures(user: Any) -> list[OverviewFigure]:
    """Every provider's headline figures for ``user`` (none for most people)."""
    figures: list[OverviewFigure] = []
    for provider in _overview_providers:
        figures.extend(provider(user))
    return figures


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Return every provider's due items for ``user``."""
    items: list[WorkbenchItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return items
