"""A real Celery worker on the Redis on loopback runs a periodic job sent through the broker (issue 5: "one
integration test runs a real Celery worker against the Redis on loopback").

The worker is a separate process, so it must see the test's data: the test is transactional (its writes are
committed) and the worker's ``DATABASE_URL`` names the test database. On PostgreSQL that is the test database
itself; SQLite's test database lives in memory, so it is copied to a file for the worker (sqlite3 backup) and
copied back afterwards to check the job's effect through the ORM.

It needs the Redis on 127.0.0.1:6379 (as `.ci/run` and production have) and fails, saying so, without one.

Several runs may share that Redis at once (pytest-xdist workers, the SQLite and PostgreSQL suites, other checkouts):
each worker consumes only a queue named for its own run, and the test removes only its own keys, never the whole
database, so no run takes another's task or empties its queue.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.core.models import Notification
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy.selectors import rules_in_force
from apps.service.choices import EscalationLevel, TicketEventKind, TicketPriority, TicketStatus, TicketType
from apps.service.models import Ticket, TicketEvent

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(settings.BASE_DIR)
CELERY = Path(sys.executable).with_name("celery")
TASK = "service.check_ticket_deadlines"

# Committed writes: the worker is another process.
pytestmark = pytest.mark.django_db(transaction=True)


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.fail(f"this test runs a real Celery worker and needs Redis at {REDIS_URL}: start redis-server")
    return client


def _database_url(tmp_path: Path) -> str:
    """The worker's view of the test database."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)
    target.commit()


@contextlib.contextmanager
def running_worker(tmp_path: Path, prefix: str, env_extra: dict[str, str]) -> Iterator[tuple[Any, str, str]]:
    """Start ``celery worker`` on a queue of this run's own (named from ``prefix``) with the environment plus
    ``env_extra``; yield (client app, DATABASE_URL, queue); stop it at the end and remove the queue and results it
    left."""
    client = _redis()
    queue = f"{prefix}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}-{secrets.token_hex(4)}"
    database_url = _database_url(tmp_path)
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": database_url,
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
        **env_extra,
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [
            str(CELERY),
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-l",
            "warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"{queue}@localhost",
            "-Q",
            queue,
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    from celery import Celery

    # Not the current app: a new Celery app becomes ``current_app`` by default, and every shared task
    # (``deliver_notification`` …) would then answer with its settings — not eager — for the rest of this test process.
    app = Celery("salesops-test", broker=REDIS_URL, backend=REDIS_URL, set_as_current=False)
    app.conf.broker_connection_retry_on_startup = True
    try:
        yield app, database_url, queue
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        log.close()
        app.close()
        client.delete(queue)
        client.close()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[tuple[Any, str, str]]:
    """A worker on the test settings; yield (client app, DATABASE_URL, queue)."""
    with running_worker(tmp_path, "salesops-test", {"DJANGO_SETTINGS_MODULE": "config.settings.test"}) as running:
        yield running


def test_a_real_worker_runs_a_periodic_job_from_the_broker(
    personas: dict, worker: tuple[Any, str, str], tmp_path: Path
) -> None:
    """``service.check_ticket_deadlines`` sent through Redis escalates a ticket past its first-response deadline to
    the department manager, in the database the test reads."""
    app, database_url, queue = worker
    # An earlier transactional test's flush removed the seeded policy; put it back (the seed is idempotent).
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(django_apps, None)
    now = timezone.now()
    service = personas["rep_carol"].unit
    manager = make_employee("svc_boss", "服务经理", service, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    service.manager = manager
    service.save(update_fields=["manager"])
    late = Ticket.objects.create(
        number="GD-WORKER-1",
        title="服务器无法启动",
        ticket_type=TicketType.REPAIR,
        priority=TicketPriority.HIGH,
        description="测试",
        status=TicketStatus.ASSIGNED,
        assignee=personas["rep_carol"].user,
        department=service,
        rules_version_id=rules_in_force().version_id,
        first_response_due=now - dt.timedelta(hours=2),
        resolution_due=now + dt.timedelta(days=10),
        public_token=secrets.token_urlsafe(32),
    )
    Ticket.objects.filter(pk=late.pk).update(created_at=now - dt.timedelta(days=3))
    sqlite_file = tmp_path / "worker.sqlite3" if connection.vendor == "sqlite" else None
    if sqlite_file:
        connection.ensure_connection()
        _copy_sqlite(connection.connection, sqlite3.connect(sqlite_file))

    # The client app did not take over the project's: the shared tasks of this process still run in-process.
    from apps.core.services.delivery import deliver_notification

    assert deliver_notification.app.main == "salesops" and deliver_notification.app.conf.task_always_eager
    started = time.monotonic()
    result = app.send_task(TASK, queue=queue)
    try:
        counts = result.get(timeout=90)
    except Exception:  # show what the worker said
        print((tmp_path / "worker.log").read_text(), file=sys.stderr)  # noqa: T201
        raise
    finally:
        result.forget()
    elapsed = time.monotonic() - started

    if sqlite_file:
        _copy_sqlite(sqlite3.connect(sqlite_file), connection.connection)
    assert counts["escalated"] == 1, (counts, (tmp_path / "worker.log").read_text())
    late.refresh_from_db()
    assert late.escalation_level == EscalationLevel.DEPARTMENT_MANAGER and late.escalated_at is not None
    assert TicketEvent.objects.filter(ticket=late, kind=TicketEventKind.ESCALATED).exists()
    assert Notification.objects.filter(recipient=manager).exists()
    assert elapsed < 60, f"the job took {dt.timedelta(seconds=elapsed)}"
