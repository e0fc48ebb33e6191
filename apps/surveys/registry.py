"""What higher apps plug into surveys (surveys cannot import service).

``register_response_hook(fn)``: ``fn(response)`` runs in the answering transaction, e.g. service opens a follow-up
ticket for a detractor.

``register_segment_source(key, label, fn)``: a way to pick a campaign's customers that only a higher app knows, e.g.
service's "customers with tickets closed in a period"; ``fn(date_from, date_to)`` returns customer ids (either date
may be None: open-ended).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

ResponseHook = Callable[[Any], None]
_response_hooks: list[ResponseHook] = []


def register_response_hook(fn: ResponseHook) -> None:
    if fn not in _response_hooks:
        _response_hooks.append(fn)


def response_hooks() -> list[ResponseHook]:
    return list(_response_hooks)


SegmentFn = Callable[[dt.date | None, dt.date | None], Iterable[int]]


@dataclass(frozen=True)
class SegmentSource:
    key: str
    label: Any  # a lazy translation
    fn: SegmentFn


_segment_sources: dict[str, SegmentSource] = {}


def register_segment_source(key: str, label: Any, fn: SegmentFn) -> None:
    _segment_sources[key] = SegmentSource(key, label, fn)


def segment_sources() -> list[SegmentSource]:
    return list(_segment_sources.values())


def segment_source(key: str) -> SegmentSource | None:
    return _segment_sources.get(key)
