"""``/healthz/``: what a load balancer or a monitor asks of one app server (database, cache, Celery beat).

A function view (no record, no login): a load balancer asks it every few seconds without a session. It answers
200 when this server can serve (the database answers and the shared cache answers), else 503; the age of the last
Celery heartbeat is reported, not judged, so a stopped beat shows on the monitor without taking the site down.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Written by the ``core.heartbeat`` beat task (every minute) into the shared cache: the epoch seconds of its run.
HEARTBEAT_KEY = "core:celery-heartbeat"
HEARTBEAT_TIMEOUT = 24 * 3600


def heartbeat_write(now: float | None = None) -> float:
    """Record that the Celery worker ran the beat's heartbeat now; returns the time written."""
    stamp = time.time() if now is None else now
    cache.set(HEARTBEAT_KEY, stamp, HEARTBEAT_TIMEOUT)
    return stamp


def heartbeat_age(now: float | None = None) -> float | None:
    """Seconds since the last heartbeat, or None when none was ever seen (no beat, or the cache was emptied)."""
    try:
        stamp = cache.get(HEARTBEAT_KEY)
    except Exception:  # noqa: BLE001 - the cache being down is reported by the cache check
        return None
    if stamp is None:
        return None
    return round((time.time() if now is None else now) - float(stamp), 1)


def _check_database(alias: str) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its class for the operator
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_cache() -> dict[str, Any]:
    started = time.perf_counter()
    key = "core:healthz-probe"
    try:
        cache.set(key, "1", 30)
        ok = cache.get(key) == "1"
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}


@never_cache
@require_GET
def healthz_view(request: HttpRequest) -> JsonResponse:
    checks: dict[str, Any] = {"database": _check_database("default")}
    if "replica" in connections.settings:
        checks["replica"] = _check_database("replica")
    checks["cache"] = _check_cache()
    healthy = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if healthy else "fail", **checks, "celery_heartbeat_age_s": heartbeat_age()}
    return JsonResponse(body, status=200 if healthy else 503)
