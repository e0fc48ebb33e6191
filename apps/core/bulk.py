"""Helpers for loading history in bulk (the demo loaders)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def keep_dates(*models: Any) -> Iterator[None]:
    """Let bulk inserts keep the historical dates we give them (auto_now/auto_now_add would overwrite them)."""
    fields = [
        f for m in models for f in m._meta.fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add
