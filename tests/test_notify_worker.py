"""A real Celery worker (Redis on loopback, as production) sends a notification to the fake WeCom robot; the robot
answers 500 twice, and the worker's own retries, after the exponential back-off, deliver it on the third attempt.

The worker runs the production settings (not the test settings, whose tasks run in-process), with a short back-off.
See ``tests/test_celery_worker.py`` for how the worker sees the test's database.
"""

from __future__ import annotations

import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from apps.core.models import NotificationChannel, NotificationDelivery
from apps.core.services import notify
from apps.core.tests.fake_receiver import FakeReceiver
from apps.org.tests.factories import EmployeeFactory
from tests.test_celery_worker import _copy_sqlite, running_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[tuple[Any, str]]:
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "1",
        "SECRET_KEY": "worker-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "NOTIFY_RETRY_BACKOFF": "1",
        "NOTIFY_MAX_ATTEMPTS": "4",
    }
    with running_worker(tmp_path, "salesops-notify", env) as (app, _database_url, queue):
        yield app, queue


def test_a_real_worker_retries_with_back_off_until_the_robot_takes_it(worker: tuple[Any, str], tmp_path: Path) -> None:
    app, queue = worker
    receiver = FakeReceiver(script=[500, 500]).start()
    try:
        NotificationChannel.objects.create(
            channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="worker-key", rate_per_minute=600
        )
        user = EmployeeFactory(mobile="13800000009").user
        notify(recipients=[user], title="工单升级：GD-WORKER", kind="escalation")
        delivery = NotificationDelivery.objects.get()
        sqlite_file = tmp_path / "worker.sqlite3" if connection.vendor == "sqlite" else None
        if sqlite_file:
            connection.ensure_connection()
            _copy_sqlite(connection.connection, sqlite3.connect(sqlite_file))

        app.send_task("core.deliver_notification", args=[delivery.pk], queue=queue)
        deadline = time.monotonic() + 90
        while len(receiver.received) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # the worker records the outcome after the answer
    finally:
        receiver.stop()
    log = (tmp_path / "worker.log").read_text()
    assert len(receiver.received) == 3, log
    first, second, third = (r.at for r in receiver.received)
    assert second - first >= 1.5 and third - second >= 2.5, (second - first, third - second)  # 1 s, then 2 s (+1)
    if sqlite_file:
        _copy_sqlite(sqlite3.connect(sqlite_file), connection.connection)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (NotificationDelivery.Status.SENT, 3), log
    print(f"gaps {second - first:.1f}s {third - second:.1f}s", file=sys.stderr)  # noqa: T201
