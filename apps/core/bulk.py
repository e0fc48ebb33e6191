"""The one bulk write path: many rows in a few statements, with what a save would also have done.

``create_with_history`` inserts in batches (``bulk_create``) and writes the "+" history rows naming the actor in bulk
(django-simple-history's ``bulk_create_with_history``); ``create`` does the same for models without history. Both
count as a write for the company-wide data version (``core.dataversion.record_write``), which ``bulk_create``'s
missing signals would otherwise skip. Services call them inside their own transaction, after their own checks.

``keep_dates`` lets the demo loaders and the benchmark keep the historical dates they give.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from django.db import models
from simple_history.utils import bulk_create_with_history

from apps.core import dataversion

BATCH = 2000  # rows per INSERT statement
M = TypeVar("M", bound=models.Model)


def create_with_history(model: type[M], objs: Sequence[M], *, actor: Any, reason: str = "") -> list[M]:
    """Insert ``objs`` (their primary keys set afterwards) with one "+" history row each, by ``actor``."""
    if not objs:
        return []
    created = bulk_create_with_history(
        list(objs), model, batch_size=BATCH, default_user=actor, default_change_reason=reason or None
    )
    dataversion.record_write(model)
    return list(created)


def create(model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert ``objs`` of a model that keeps no history (a log)."""
    if not objs:
        return []
    created = model._default_manager.bulk_create(list(objs), batch_size=BATCH)
    dataversion.record_write(model)
    return created


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
