"""Named locks that serialise one kind of write across requests and workers (e.g. customer imports).

``hold(name)`` waits until no other transaction holds ``name`` and keeps it until the caller's transaction ends.
PostgreSQL: a transaction-level advisory lock. SQLite: one writer at a time already — the settings open every
transaction with ``BEGIN IMMEDIATE`` (checked by ``core.E003``), so a transaction that reaches this point holds the
database's write lock until it commits. Use it where there is no row to lock (a row lock, ``select_for_update``,
is the first choice when there is one — see ``core.numbering``).
"""

from __future__ import annotations

import hashlib

from django.db import connections


def _key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def hold(name: str, using: str = "default") -> None:
    """Hold the lock ``name`` until the end of the current transaction (must be called inside one)."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("core.locks.hold() must be called inside transaction.atomic()")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_key(name)])
