"""A company-wide data version, for caches of figures computed from many tables (the executive cockpit).

Every write through the ORM (``post_save``, ``post_delete``, ``m2m_changed``) to a domain model moves the version
in the shared cache (Redis in production, so every app server sees it) when its transaction commits — once per
transaction, however many rows it writes. Inside a transaction that has written, ``current()`` also names that
transaction's writes (the process and a counter), so a figure read back before the commit is neither served from
nor stored under the shared key. A cache key that contains ``current()`` is therefore never read after a write.

Writes that bypass the signals (``QuerySet.update``, ``bulk_create``, raw SQL) are caught by the caches' own expiry
(minutes), or by calling ``record_write(model)`` as a save would (``core.bulk`` does for its inserts).
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from typing import Any

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

KEY = "core:data-version"
# Writes that change no figure: sessions, sign-in bookkeeping, the admin log, the content types.
IGNORED_APPS = frozenset({"sessions", "axes", "admin", "contenttypes", "authtoken"})
_COUNTER = itertools.count(1)
logger = logging.getLogger(__name__)


def bump() -> None:
    """Move the version. A cache that is down never fails the write that moved it (logged instead)."""
    try:
        try:
            cache.incr(KEY)
        except ValueError:  # not in the cache (flushed or never read): any new number will do
            cache.add(KEY, time.time_ns() // 1000, timeout=None)
    except Exception:  # the cache server is down: the version cannot be read either (see ``current``)
        logger.warning("data version not moved: the cache is unavailable", exc_info=True)


class _Pending:
    """The on-commit callback of a transaction that has written: moves the version when it commits. It lives in
    the connection's ``run_on_commit`` list, so it disappears with a rollback exactly as the writes do."""

    def __init__(self) -> None:
        self.serial = next(_COUNTER)

    def __call__(self) -> None:
        bump()


def _pending(using: str) -> _Pending | None:
    connection = connections[using]
    if not connection.in_atomic_block:
        return None
    callbacks = connection.run_on_commit
    known = getattr(connection, "_data_version_at", None)  # where it was registered: checked in O(1) per write
    if known is not None and known < len(callbacks) and isinstance(callbacks[known][1], _Pending):
        return callbacks[known][1]  # type: ignore[no-any-return]
    for index, entry in enumerate(callbacks):
        if isinstance(entry[1], _Pending):
            connection._data_version_at = index  # type: ignore[attr-defined]
            return entry[1]  # type: ignore[no-any-return]
    return None


def current(using: str = DEFAULT_DB_ALIAS) -> str:
    """The data version now (started from the clock, so a flushed cache never reuses an old number)."""
    try:
        version = cache.get(KEY)
        if version is None:
            cache.add(KEY, time.time_ns() // 1000, timeout=None)
            version = cache.get(KEY)
    except Exception:  # the cache is down: a version nobody else has, so nothing cached is trusted
        logger.warning("data version unknown: the cache is unavailable", exc_info=True)
        version = f"none-{os.getpid()}-{next(_COUNTER)}"
    pending = _pending(using)
    return str(version) if pending is None else f"{version}-{os.getpid()}.{pending.serial}"


def _written(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    if sender._meta.app_label in IGNORED_APPS:
        return
    using = using or DEFAULT_DB_ALIAS
    if not connections[using].in_atomic_block:
        bump()
        return
    pending = _pending(using)
    if pending is None:
        transaction.on_commit(_Pending(), using=using)
        connections[using]._data_version_at = len(connections[using].run_on_commit) - 1  # type: ignore[attr-defined]
    else:
        pending.serial = next(_COUNTER)  # a read after this write must not reuse a key of before it


def record_write(model: Any, using: str | None = None) -> None:
    """Count a write that sent no signal (a bulk insert) as a save would: the version moves when it commits."""
    _written(model, using=using)


def register() -> None:
    """Listen to every model's writes (``CoreConfig.ready``)."""
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_written, dispatch_uid=f"core-data-version-{id(signal)}")


class WatchedVersion:
    """The version of one kind of data that many requests cache (the organisation's roles, grants and departments:
    ``org.scope.user_access``), moved by the writes to the models it ``watch``-es.

    Unlike the company-wide version it is exact inside a transaction, savepoints included: each write in an atomic
    block leaves a marker among the connection's on-commit callbacks, and ``current()`` names the last marker still
    there (``<shared>-<pid>.<serial>``). A read after a write therefore never uses a key of before it; a savepoint
    rolled back takes its markers with it, so the key falls back to the one that named the data as it is again; and
    nothing read inside the writing transaction is ever read by another connection. The commit moves the shared
    version (Redis in production, so every app server sees it); outside a transaction a write moves it at once.
    Writes that bypass the signals (``QuerySet.update``, raw SQL) call ``written()`` themselves.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._serials = itertools.count(1)

    def bump(self) -> None:
        try:
            try:
                cache.incr(self.key)
            except ValueError:
                cache.add(self.key, time.time_ns() // 1000, timeout=None)
        except Exception:
            logger.warning("%s not moved: the cache is unavailable", self.key, exc_info=True)

    def _marker(self, using: str) -> _Marker | None:
        connection = connections[using]
        if not connection.in_atomic_block:
            return None
        for entry in reversed(connection.run_on_commit):
            if isinstance(entry[1], _Marker) and entry[1].version is self:
                return entry[1]
        return None

    def current(self, using: str = DEFAULT_DB_ALIAS) -> str:
        """The version now; inside a transaction that has written the watched data, one private to it."""
        try:
            version = cache.get(self.key)
            if version is None:
                cache.add(self.key, time.time_ns() // 1000, timeout=None)
                version = cache.get(self.key)
        except Exception:
            logger.warning("%s unknown: the cache is unavailable", self.key, exc_info=True)
            version = f"none-{os.getpid()}-{next(self._serials)}"
        marker = self._marker(using)
        return str(version) if marker is None else f"{version}-{os.getpid()}.{marker.serial}"

    def written(self, using: str | None = None) -> None:
        """Record a write to the watched data (at once outside a transaction, else at its commit)."""
        using = using or DEFAULT_DB_ALIAS
        connection = connections[using]
        if not connection.in_atomic_block:
            self.bump()
            return
        last = connection.run_on_commit[-1] if connection.run_on_commit else None
        # The last callback is this version's marker, registered in the same savepoint: a new serial is enough.
        if (
            last is not None
            and isinstance(last[1], _Marker)
            and last[1].version is self
            and last[0] == set(connection.savepoint_ids)
        ):
            last[1].serial = next(self._serials)
            return
        transaction.on_commit(_Marker(self, next(self._serials)), using=using)

    def watch(self, *models: Any, ignore_fields: frozenset[str] = frozenset()) -> None:
        """Move the version on every save or delete of ``models`` and every change of their many-to-many
        relations (``ignore_fields``: a save of only these fields, e.g. ``last_login``, changes nothing watched)."""

        def saved(sender: Any, using: str | None = None, update_fields: Any = None, **kwargs: Any) -> None:
            if update_fields and ignore_fields and set(update_fields) <= ignore_fields:
                return
            self.written(using)

        def deleted(sender: Any, using: str | None = None, **kwargs: Any) -> None:
            self.written(using)

        def related(sender: Any, action: str = "", using: str | None = None, **kwargs: Any) -> None:
            if action.startswith("post_"):
                self.written(using)

        for model in models:
            uid = f"{self.key}:{model._meta.label}"
            post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"{uid}:save")
            post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"{uid}:delete")
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(related, sender=through, weak=False, dispatch_uid=f"{uid}:{field.name}")


class _Marker:
    """A write to a ``WatchedVersion``'s data in an open transaction: moves the shared version on commit."""

    def __init__(self, version: WatchedVersion, serial: int) -> None:
        self.version = version
        self.serial = serial

    def __call__(self) -> None:
        self.version.bump()


class KeyedVersion:
    """Versions of one kind of data kept per key (a user's notifications: ``core.selectors.UNREAD_VERSION``), for
    caches of figures read on every page; a write moves only the keys it names (or all, with ``keys=None``).

    The same guarantees as ``WatchedVersion``: a write in a transaction moves the shared versions when it commits
    and, until then, ``current()`` inside that transaction names a version private to it (so a read after the write
    never uses a key of before it, a savepoint rolled back takes its marks with it, and nothing read inside the
    writing transaction is ever read by another connection); outside a transaction a write moves them at once.
    ``current(key)`` reads the key's version and the version of "all keys" in one cache round trip, together with
    any further cache keys the caller wants (the cached figure itself)."""

    ALL = "*"

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._serials = itertools.count(1)

    def _cache_key(self, key: Any) -> str:
        return f"{self.prefix}:{key}"

    def bump(self, keys: Any) -> None:
        for key in keys:
            try:
                try:
                    cache.incr(self._cache_key(key))
                except ValueError:
                    cache.add(self._cache_key(key), time.time_ns() // 1000, timeout=None)
            except Exception:
                logger.warning("%s not moved: the cache is unavailable", self._cache_key(key), exc_info=True)

    def written(self, keys: Any = None, using: str | None = None) -> None:
        """Record a write to the data of ``keys`` (``None``: of every key), at once or at the commit."""
        marked = frozenset([self.ALL] if keys is None else {str(k) for k in keys})
        if not marked:
            return
        using = using or DEFAULT_DB_ALIAS
        connection = connections[using]
        if not connection.in_atomic_block:
            self.bump(marked)
            return
        last = connection.run_on_commit[-1] if connection.run_on_commit else None
        if (
            last is not None
            and isinstance(last[1], _KeyedMarker)
            and last[1].version is self
            and last[0] == set(connection.savepoint_ids)
        ):
            last[1].keys |= marked
            last[1].serial = next(self._serials)
            return
        transaction.on_commit(_KeyedMarker(self, set(marked), next(self._serials)), using=using)

    def _marker(self, key: str, using: str) -> _KeyedMarker | None:
        connection = connections[using]
        if not connection.in_atomic_block:
            return None
        for entry in reversed(connection.run_on_commit):
            marker = entry[1]
            if (
                isinstance(marker, _KeyedMarker)
                and marker.version is self
                and (key in marker.keys or self.ALL in marker.keys)
            ):
                return marker
        return None

    def current(
        self, key: Any, also: tuple[str, ...] = (), using: str = DEFAULT_DB_ALIAS
    ) -> tuple[str, dict[str, Any]]:
        """The version of ``key`` now and the values of the cache keys ``also`` (one round trip on a hit)."""
        names = [self._cache_key(key), self._cache_key(self.ALL)]
        try:
            found = cache.get_many([*names, *also])
            missing = [name for name in names if name not in found]
            if missing:
                for name in missing:
                    cache.add(name, time.time_ns() // 1000, timeout=None)
                found.update(cache.get_many(missing))
            version = f"{found.get(names[0])}.{found.get(names[1])}"
        except Exception:
            logger.warning("%s unknown: the cache is unavailable", names[0], exc_info=True)
            return f"none-{os.getpid()}-{next(self._serials)}", {}
        marker = self._marker(str(key), using)
        if marker is not None:
            version = f"{version}-{os.getpid()}.{marker.serial}"
        return version, {name: found[name] for name in also if name in found}


class _KeyedMarker:
    """Writes to some keys of a ``KeyedVersion`` in an open transaction: moves their shared versions on commit."""

    def __init__(self, version: KeyedVersion, keys: set[str], serial: int) -> None:
        self.version = version
        self.keys = keys
        self.serial = serial

    def __call__(self) -> None:
        self.version.bump(self.keys)
