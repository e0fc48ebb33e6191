"""The read-replica router: listed pages read from the replica when one is configured, writes never do."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import ResolverMatch

from apps.core import db_router
from apps.core.models import Notification

ROOT = Path(__file__).resolve().parents[3]


def _request(method: str, namespace: str, url_name: str):
    request = getattr(RequestFactory(), method.lower())("/x/")
    request.resolver_match = ResolverMatch(lambda r: None, (), {}, url_name=url_name, namespaces=[namespace])
    return request


def _reads_during(request, monkeypatch, configured: bool = True) -> tuple[str | None, str]:
    """(db_for_read, db_for_write) as seen by the view of ``request``."""
    monkeypatch.setattr(db_router, "replica_configured", lambda: configured)
    router = db_router.ReplicaRouter()
    seen = {}

    def view(req):
        seen["read"] = router.db_for_read(Notification)
        seen["write"] = router.db_for_write(Notification)
        return HttpResponse()

    middleware = db_router.ReplicaMiddleware(view)

    def get_response(req):
        middleware.process_view(req, view, (), {})
        return view(req)

    middleware.get_response = get_response
    middleware(request)
    return seen["read"], seen["write"]


@override_settings(REPLICA_URL_NAMES=["sales:index", "reports:*"])
def test_a_listed_dashboard_reads_from_the_replica_and_writes_to_the_primary(monkeypatch) -> None:
    assert _reads_during(_request("GET", "sales", "index"), monkeypatch) == ("replica", "default")
    assert _reads_during(_request("GET", "reports", "anything"), monkeypatch) == ("replica", "default")


@override_settings(REPLICA_URL_NAMES=["sales:index"])
def test_other_pages_posts_and_a_missing_replica_use_the_primary(monkeypatch) -> None:
    assert _reads_during(_request("GET", "sales", "contract_list"), monkeypatch) == (None, "default")
    assert _reads_during(_request("POST", "sales", "index"), monkeypatch) == (None, "default")
    assert _reads_during(_request("GET", "sales", "index"), monkeypatch, configured=False) == (None, "default")


@override_settings(REPLICA_URL_NAMES=["sales:index"])
def test_the_flag_ends_with_the_request(monkeypatch) -> None:
    _reads_during(_request("GET", "sales", "index"), monkeypatch)
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    assert db_router.ReplicaRouter().db_for_read(Notification) is None


def test_sessions_never_read_from_the_replica(monkeypatch) -> None:
    from django.contrib.sessions.models import Session

    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    token = db_router._use_replica.set(True)
    try:
        assert db_router.ReplicaRouter().db_for_read(Session) is None
        assert db_router.ReplicaRouter().db_for_read(Notification) == "replica"
    finally:
        db_router._use_replica.reset(token)


def test_only_the_primary_is_migrated() -> None:
    router = db_router.ReplicaRouter()
    assert router.allow_migrate("default", "customers") and not router.allow_migrate("replica", "customers")


@pytest.mark.parametrize("replica", ["", "postgres://ro@10.0.0.2:5432/salesops"])
def test_replica_database_url_adds_a_mirrored_alias(replica: str) -> None:
    code = (
        "from django.conf import settings; d = settings.DATABASES; "
        "print(sorted(d), d.get('replica', {}).get('HOST'), d.get('replica', {}).get('TEST', {}).get('MIRROR'))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "REPLICA_DATABASE_URL": replica}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout.strip()
    if replica:
        assert out == "['default', 'replica'] 10.0.0.2 default"
    else:
        assert out == "['default'] None None"
