"""The production topology on loopback: two app servers (gunicorn, deploy/gunicorn.conf.py), a Celery worker and
Celery beat, sharing the database and Redis — nothing held in one process's memory (issue 14).

- a session made on A is valid on B (sessions in Redis, written through to the database);
- a job started on A is run by the worker and its result is seen on B;
- the public support form's rate limit is counted across A and B (the counters live in Redis);
- beat's heartbeat reaches the worker, and B's ``/healthz/`` reports its age.

Processes read the test database (committed writes: transactional test) and Redis; each run uses its own cache key
prefix and Celery queue, so runs sharing the Redis do not meet. Skipped only when no Redis answers.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.urls import reverse

from apps.performance import services as performance
from apps.performance.choices import CycleStatus
from apps.performance.models import Assessment

REDIS_URL = os.environ.get("TOPOLOGY_REDIS_URL", "redis://127.0.0.1:6379/8")
ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent
PASSWORD = "pw-123456"

pytestmark = pytest.mark.django_db(transaction=True)


def _redis() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"the topology test needs Redis at {REDIS_URL}")
    return client


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the test settings keep SQLite's test database in a file
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.run_id = f"topo-{os.getpid()}-{secrets.token_hex(4)}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DEBUG": "1",  # no collectstatic needed; everything else is the production code path
            "SECRET_KEY": "topology-test-" + secrets.token_hex(16),
            "DATABASE_URL": _database_url(),
            "DB_CONN_MAX_AGE": "0",
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": self.run_id,
            "CELERY_QUEUE": self.run_id,
            "HEARTBEAT_SECONDS": "1",
            "GUNICORN_WORKERS": "1",
            "GUNICORN_THREADS": "2",
            "GUNICORN_ACCESSLOG": "",
            "PYTHONUNBUFFERED": "1",
        }
        self.processes: list[tuple[str, subprocess.Popen]] = []
        self.urls: dict[str, str] = {}

    def start(self, name: str, argv: list[str], **env: str) -> None:
        log = (self.tmp / f"{name}.log").open("w")
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.processes.append((name, process))

    def start_app(self, name: str) -> None:
        port = _free_port()
        self.urls[name] = f"http://127.0.0.1:{port}"
        self.start(
            name,
            [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            GUNICORN_BIND=f"127.0.0.1:{port}",
        )

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        for name, url in self.urls.items():
            while True:
                try:
                    if requests.get(f"{url}/healthz/", timeout=10).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not start:\n{self.logs()}")
                time.sleep(0.3)

    def logs(self) -> str:
        return "\n".join(f"--- {n}\n{(self.tmp / f'{n}.log').read_text()[-3000:]}" for n, _ in self.processes)

    def stop(self) -> None:
        for _, process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for _, process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    client = _redis()
    cluster = Cluster(tmp_path)
    try:
        cluster.start_app("A")
        cluster.start_app("B")
        cluster.start(
            "worker",
            [
                str(BIN / "celery"),
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
                f"{cluster.run_id}@localhost",
                "-Q",
                cluster.run_id,
            ],
        )
        cluster.start(
            "beat",
            [str(BIN / "celery"), "-A", "config", "beat", "-l", "warning", "-s", str(tmp_path / "beat-schedule")],
        )
        cluster.wait_ready()
        yield cluster
    finally:
        cluster.stop()
        for key in client.scan_iter(f"*{cluster.run_id}*"):
            client.delete(key)
        client.close()


def cycle_status(cycle: Any) -> str:
    return type(cycle).objects.values_list("status", flat=True).get(pk=cycle.pk)


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def test_session_job_and_rate_limit_cross_instances(personas: dict, cluster: Cluster) -> None:
    for module in ("apps.policy.migrations.0002_seed_policy", "apps.performance.migrations.0002_kpi_library"):
        importlib.import_module(module).seed(django_apps, None)  # a transactional test before may have flushed it
    a, b = cluster.urls["A"], cluster.urls["B"]
    # The servers run the production hashers (the test settings' fast MD5 is not among them).
    dave_user = personas["auditor_dave"].user
    dave_user.password = PBKDF2PasswordHasher().encode(PASSWORD, "topologysalt", iterations=1000)
    dave_user.save(update_fields=["password"])

    # A session: sign in on A, use the cookie on B.
    dave = requests.Session()
    token = _csrf(dave, f"{a}/accounts/login/")
    signed_in = dave.post(
        f"{a}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "dave", "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert signed_in.status_code == 302, cluster.logs()
    notifications = reverse("core:notification_list")
    assert dave.get(f"{b}{notifications}", allow_redirects=False, timeout=10).status_code == 200
    assert requests.get(f"{b}{notifications}", allow_redirects=False, timeout=10).status_code == 302  # no cookie

    # A job: start computing a cycle on A; the worker computes it; B shows the scorecards.
    cycle = performance.cycle_create(actor=personas["auditor_dave"].user, period_key="2026-Q3")
    detail = f"{reverse('performance:cycle_detail', args=[cycle.pk])}"
    before = dave.get(f"{b}{detail}", timeout=10).text
    token = _csrf(dave, f"{a}{detail}")
    started = dave.post(
        f"{a}{reverse('performance:cycle_compute', args=[cycle.pk])}",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )
    assert started.status_code == 302, started.text[:2000]
    deadline = time.monotonic() + 30
    while not Assessment.objects.filter(cycle=cycle).exists() or cycle_status(cycle) == CycleStatus.COMPUTING:
        assert time.monotonic() < deadline, f"the worker did not compute the cycle\n{cluster.logs()}"
        time.sleep(0.5)
    cycle.refresh_from_db()
    computed = str(cycle.get_status_display())
    assert computed not in before, computed
    deadline = time.monotonic() + 10
    while computed not in dave.get(f"{b}{detail}", timeout=10).text:
        assert time.monotonic() < deadline, f"B does not show the cycle as {computed}"
        time.sleep(0.5)

    # A rate limit: the public form allows 5 posts an hour per address, counted across A and B.
    answers = []
    visitor = requests.Session()
    token = _csrf(visitor, f"{a}/support/")
    for i in range(6):
        server = (a, b)[i % 2]
        answers.append(
            visitor.post(
                f"{server}/support/",
                data={"csrfmiddlewaretoken": token, "website": "x"},
                allow_redirects=False,
                timeout=10,
            ).status_code
        )
    assert answers == [200] * 5 + [429], answers
    assert visitor.get(f"{a}/support/", timeout=10).status_code == 429

    # Beat → worker → Redis: B reports the heartbeat the worker wrote.
    deadline = time.monotonic() + 20
    while requests.get(f"{b}/healthz/", timeout=5).json()["celery_heartbeat_age_s"] is None:
        assert time.monotonic() < deadline, f"no heartbeat\n{cluster.logs()}"
        time.sleep(0.5)
