"""History (操作记录) wired once: which records keep it, and how a change reads in plain words.

Models whose history matters declare ``history = HistoricalRecords()`` (django-simple-history) and services
record who did it with ``set_history_user`` / ``change_reason``. The panel shows each change as a sentence:
"将 客户级别 由 B 修改为 A".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _

SKIPPED_FIELDS = {"updated_at", "created_at", "password", "last_login", "path"}


def record_actor(instance: models.Model, actor: Any, reason: str = "") -> None:
    """Name who makes the next save of ``instance`` (and why) in its history — the one place services do it."""
    instance._history_user = actor  # type: ignore[attr-defined]  # django-simple-history reads these two
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]


@dataclass
class HistoryEntry:
    when: Any
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    reason: str
    lines: list[str] = field(default_factory=list)


def _display(model: type[models.Model], field_name: str, value: Any, cache: dict[tuple[str, Any], str]) -> str:
    """Turn a stored value into what the user saw: a choice label, a related object's name, '空' for nothing."""
    if value in (None, ""):
        return _("(empty)")
    model_field = cast(models.Field, model._meta.get_field(field_name))
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        key = (field_name, value)
        if key not in cache:
            related = model_field.related_model._default_manager.filter(pk=value).first()
            cache[key] = str(related) if related else f"#{value}"
        return cache[key]
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):  # local time to the minute, as the panel shows its own times
        return format_date(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, Decimal | int) and isinstance(model_field, models.DecimalField | models.IntegerField):
        return f"{value:,}"  # amounts grouped by thousands as the pages show them: 124,120.28
    return str(value)


def change_sentence(field_label: str, old: str, new: str) -> str:
    return _("Changed %(field)s from %(old)s to %(new)s") % {"field": field_label, "old": old, "new": new}


def history_entries(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    """Return the object's history, newest first, each change a sentence in the user's language."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])  # type: ignore[attr-defined]
    model = type(obj)
    cache: dict[tuple[str, Any], str] = {}
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        who = str(record.history_user) if record.history_user else _("system")
        entry = HistoryEntry(record.history_date, who, record.history_type, record.history_change_reason or "")
        if record.history_type == "~" and previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in SKIPPED_FIELDS:
                    continue
                model_field = cast(models.Field, model._meta.get_field(change.field))
                label = str(model_field.verbose_name)
                if isinstance(model_field, models.JSONField):
                    # Structured data (a frozen snapshot) reads as noise word by word; its own page shows it.
                    entry.lines.append(_("Updated %(field)s") % {"field": label})
                    continue
                old = _display(model, change.field, change.old, cache)
                new = _display(model, change.field, change.new, cache)
                if old == new:  # a change the reader cannot see (seconds of a time, 1 vs 1.00) is no change
                    continue
                entry.lines.append(change_sentence(label, old, new))
            if not entry.lines and not entry.reason:
                continue
        elif record.history_type == "+":
            entry.lines.append(_("Created"))
        elif record.history_type == "-":
            entry.lines.append(_("Deleted"))
        entries.append(entry)
    return entries
