"""The one bulk write path: many rows in a few statements, with what a save would also have done.

``create_with_history`` inserts the rows and writes one "+" history row each naming the actor (what
django-simple-history's ``bulk_create_with_history`` writes); ``create`` does the same for models without history;
``update`` writes some fields of many rows. All count as a write for the company-wide data version
(``core.dataversion.record_write``), which the bulk paths' missing signals would otherwise skip. Services call them
inside their own transaction, after their own checks; demo loaders call their apps' services, never another app's
tables.

On PostgreSQL the rows go in by ``COPY`` (the ids taken from the table's sequence first, so the objects have their
primary keys as after ``bulk_create``): Django's INSERT compiler prepares every value through the field machinery and
psycopg then adapts each column as an array, which was most of the CPU of a 100,000-row import. A value whose Python
type PostgreSQL takes as it is (str, int, bool, Decimal, date, datetime, None) is passed through; any other (a JSON
document, a lazy translation) goes through its field's ``get_db_prep_save`` as ``bulk_create`` would. Elsewhere
(SQLite) ``bulk_create`` in batches. ``tests/test_bulk.py`` checks both write the same rows.

``keep_dates`` lets the demo loaders and the benchmark keep the historical dates they give.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_change_reason_from_object

from apps.core import dataversion

BATCH = 2000  # rows per INSERT statement (SQLite)
M = TypeVar("M", bound=models.Model)
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
_AS_IS = (str, int, bool, Decimal, dt.date, dt.datetime, type(None))  # what psycopg adapts without the field's help


def create_with_history(model: type[M], objs: Sequence[M], *, actor: Any, reason: str = "") -> list[M]:
    """Insert ``objs`` (their primary keys set afterwards) with one "+" history row each, by ``actor``."""
    if not objs:
        return []
    objs = list(objs)
    if _copy_available():
        _copy_objects(model, objs)
        if getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            _copy_history(model, objs, actor=actor, reason=reason)
    else:
        objs = list(
            bulk_create_with_history(
                objs, model, batch_size=BATCH, default_user=actor, default_change_reason=reason or None
            )
        )
    dataversion.record_write(model)
    return objs


def create(model: type[M], objs: Sequence[M]) -> list[M]:
    """Insert ``objs`` of a model that keeps no history (a log)."""
    if not objs:
        return []
    objs = list(objs)
    if _copy_available():
        _copy_objects(model, objs)
    else:
        objs = model._default_manager.bulk_create(objs, batch_size=BATCH)
    dataversion.record_write(model)
    return objs


def update(model: type[M], objs: Sequence[M], fields: Sequence[str]) -> int:
    """Write ``fields`` of many ``objs`` (``bulk_update``: no history row, no signal), counted as a write for the
    data version. For records of the past (the demo) and derived columns; a user's change goes through its service's
    save with history."""
    if not objs:
        return 0
    changed = model._default_manager.bulk_update(list(objs), list(fields), batch_size=BATCH // 4)
    dataversion.record_write(model)
    return changed


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


# --- PostgreSQL: COPY ---------------------------------------------------------------------------------------------


def _copy_available() -> bool:
    return connection.vendor == "postgresql"


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` values of the primary key's sequence (an identity column's, or a serial's)."""
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(model._meta.db_table), pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


def _reader(field: models.Field, *, pre_save: bool = True) -> Callable[[models.Model], Any]:
    """How to read ``field``'s database value from an object, as ``bulk_create`` would (``pre_save`` — which sets
    an auto_now date on the object — then the field's preparation for a value psycopg cannot take as it is); without
    ``pre_save`` the attribute as it is (the history rows copy what was saved)."""
    plain_pre_save = not pre_save or type(field).pre_save is models.Field.pre_save
    attname = field.attname

    def read(obj: models.Model) -> Any:
        value = getattr(obj, attname) if plain_pre_save else field.pre_save(obj, True)
        if isinstance(value, _AS_IS):
            if isinstance(value, dt.datetime) and settings.USE_TZ and timezone.is_naive(value):
                return field.get_db_prep_save(value, connection)  # Django's warning and conversion
            return value
        return field.get_db_prep_save(value, connection)

    return read


def _copy(model: type[models.Model], columns: Sequence[str | None], rows: Iterator[tuple[Any, ...]]) -> None:
    quote = connection.ops.quote_name
    sql = f"COPY {quote(model._meta.db_table)} ({', '.join(quote(str(c)) for c in columns)}) FROM STDIN"
    # Django's own errors (IntegrityError on a unique key), as its cursor's execute raises them.
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _copy_objects(model: type[M], objs: list[M]) -> None:
    """COPY ``objs`` into the model's table, their primary keys taken from its sequence and set on them."""
    fields = list(model._meta.concrete_fields)
    pk = model._meta.pk
    assert pk is not None
    missing = [obj for obj in objs if getattr(obj, pk.attname) is None]
    for obj, pk_value in zip(missing, _next_ids(model, len(missing)), strict=True):
        setattr(obj, pk.attname, pk_value)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    readers = [_reader(f) for f in fields]
    _copy(model, [f.column for f in fields], (tuple(read(obj) for read in readers) for obj in objs))


def _copy_history(model: type[models.Model], objs: Sequence[models.Model], *, actor: Any, reason: str) -> None:
    """The "+" history rows ``bulk_history_create`` writes for ``objs``: the tracked fields' values, the date, the
    user (the object's ``_history_user``, else ``actor``), the change reason, one COPY."""
    history = model.history.model  # type: ignore[attr-defined]
    fields = list(history._meta.concrete_fields)
    tracked = {f.attname: f for f in history.tracked_fields}
    unknown = [f.attname for f in fields if f.attname not in tracked and f.attname not in HISTORY_FIELDS]
    if unknown or hasattr(history, "history_relation"):
        raise NotImplementedError(f"create_with_history cannot fill {model.__name__} history's {unknown}")
    originals = {f.attname: _reader(f, pre_save=False) for f in history.tracked_fields}
    ids = _next_ids(history, len(objs))
    now = timezone.now()

    def row(obj: models.Model, history_id: int) -> tuple[Any, ...]:
        user = getattr(obj, "_history_user", actor)
        fixed = {
            "history_id": history_id,
            "history_date": getattr(obj, "_history_date", now),
            "history_change_reason": get_change_reason_from_object(obj) or reason or None,
            "history_type": "+",
            "history_user_id": getattr(user, "pk", None),
        }
        return tuple(fixed[f.attname] if f.attname in fixed else originals[f.attname](obj) for f in fields)

    _copy(history, [f.column for f in fields], (row(obj, i) for obj, i in zip(objs, ids, strict=True)))
