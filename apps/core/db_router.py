"""Read replica: dashboards and reports read from ``DATABASES["replica"]`` when one is configured.

``REPLICA_DATABASE_URL`` adds the alias (settings); ``REPLICA_URL_NAMES`` lists the pages (``namespace:name``, or
``namespace:*`` for a whole app) whose reads go there. Everything else — every write, every other page, jobs,
the shell — uses the primary. Without a replica the router sends everything to the primary, so the same code runs
on one machine and on many.

A page on the list reads slightly old data (the replica's lag, usually well under a second); dashboards and reports
are figures over months, never the record one just saved, so that is acceptable there and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
# Read from the primary always: sessions and sign-in lock-outs must see the write just made on another server.
PRIMARY_ONLY_APPS = frozenset({"sessions", "axes"})
_use_replica: ContextVar[bool] = ContextVar("salesops_use_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def url_reads_from_replica(namespace: str, url_name: str) -> bool:
    names = set(getattr(settings, "REPLICA_URL_NAMES", ()))
    full = f"{namespace}:{url_name}" if namespace else url_name
    return full in names or (bool(namespace) and f"{namespace}:*" in names)


class ReplicaRouter:
    """Reads of a listed page go to the replica; writes, migrations and everything else to the primary."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return None
        if _use_replica.get() and replica_configured():
            return REPLICA
        return None  # the primary ("default")

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db == "default"


class ReplicaMiddleware:
    """Marks the request's reads for the replica when its URL name is in ``REPLICA_URL_NAMES`` (and only for
    GET/HEAD: a form posted to a dashboard writes and reads its own writes on the primary)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _use_replica.set(False)
        try:
            return self.get_response(request)
        finally:
            _use_replica.reset(token)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if (
            request.method in ("GET", "HEAD")
            and match
            and replica_configured()
            and url_reads_from_replica(match.namespace, match.url_name or "")
        ):
            _use_replica.set(True)
