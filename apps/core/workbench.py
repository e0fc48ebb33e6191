"""The personal home page "我的工作台" is filled by the domain apps through this registry.

A lower app cannot import a higher one, so each app registers a provider at start-up:
``register_workbench_provider(fn)`` where ``fn(user)`` returns a list of ``WorkbenchItem`` due for that user.
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


WorkbenchProvider = Callable[[Any], list[WorkbenchItem]]
_providers: list[WorkbenchProvider] = []


def register_workbench_provider(provider: WorkbenchProvider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Return every provider's due items for ``user``."""
    items: list[WorkbenchItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return items
