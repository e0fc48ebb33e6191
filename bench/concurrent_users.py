"""Several people at once through `make run`'s server: logins, saves, lists and exports for a minute.

    .venv/bin/python bench/concurrent_users.py            # or: make bench
    .venv/bin/python bench/concurrent_users.py --users 8 --seconds 60 --url http://127.0.0.1:8000

Without ``--url`` it prepares its own copy of the demo database (var/bench.sqlite3, kept for the next run; ``--fresh``
rebuilds it) and starts the server `make run` uses — ``manage.py runserver`` (threaded, DEBUG on, the SQLite
settings of config/settings/base.py) — on a free port, then stops it. Each simulated person is a demo account in
its own thread with its own session: log in, open the ticket form and save a ticket, list tickets and customers,
export tickets now and then, log out and in again now and then. Every request is timed; the table gives the
counts of 2xx/3xx/4xx/5xx and the p50/p95 latency per kind of request. Exit status 1 when any answer was a 5xx
or a request failed.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "demo12345"
# Demo accounts of the departments that open tickets (customer service and sales — permissions follow the
# department kind, so market development does not), staff and managers.
ACCOUNTS = [
    "cs1",
    "cs2",
    "cs3",
    "cs_mgr",
    "sales1",
    "sales2",
    "sales_mgr",
    "east2",
    "cs4",
    "south2",
    "east_lead",
    "south3",
]
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a 302 is an answer to count, not to follow


@dataclass
class Sample:
    kind: str
    status: int  # 0: no answer (connection error, timeout)
    seconds: float


@dataclass
class Person:
    base: str
    username: str
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
        )

    def request(self, kind: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        started = time.perf_counter()
        status, text = 0, ""
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body), timeout=120) as response:
                status = response.status
                raw = response.read()
                if "html" in response.headers.get("Content-Type", ""):
                    text = raw.decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            status = error.code
            error.read()
        except OSError as error:
            self.errors.append(f"{kind} {path}: {error}")
        self.samples.append(Sample(kind, status, time.perf_counter() - started))
        return status, text

    def _csrf(self, page: str) -> str:
        found = CSRF_FIELD.search(page)
        return found.group(1) if found else ""

    def login(self) -> bool:
        _status, page = self.request("page", "/accounts/login/")
        status, _text = self.request(
            "login",
            "/accounts/login/",
            {"csrfmiddlewaretoken": self._csrf(page), "username": self.username, "password": PASSWORD},
        )
        return status == 302

    def logout(self) -> None:
        _status, page = self.request("page", "/service/tickets/")
        self.request("logout", "/accounts/logout/", {"csrfmiddlewaretoken": self._csrf(page)})

    def save_ticket(self, n: int) -> None:
        _status, page = self.request("page", "/service/tickets/new/")
        self.request(
            "save",
            "/service/tickets/new/",
            {
                "csrfmiddlewaretoken": self._csrf(page),
                "ticket_type": "repair",
                "priority": "medium",
                "channel": "phone",
                "title": f"压测工单 {self.username}-{n}",
                "description": "客户来电：设备开机无反应（并发压测）。",
            },
        )

    def work(self, until: float, start: threading.Barrier) -> None:
        start.wait()
        if not self.login():
            self.errors.append(f"{self.username}: login failed")
            return
        n = 0
        while time.monotonic() < until:
            n += 1
            self.save_ticket(n)
            self.request("list", "/service/tickets/")
            self.request("list", "/customers/")
            if n % 3 == 0:
                self.request("export", "/service/tickets/export/")
            if n % 5 == 0:
                self.logout()
                self.login()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=f"sqlite:///{database}")
    return env


def prepare_database(database: Path, fresh: bool) -> None:
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    if database.exists():
        return
    print(f"Preparing the demo database {database} (migrate + load_demo, a minute or two) …", flush=True)
    for command in (["migrate", "--noinput"], ["load_demo"]):
        subprocess.run(
            [PYTHON, "manage.py", *command], cwd=ROOT, env=_env(database), check=True, stdout=subprocess.DEVNULL
        )


def start_server(database: Path, port: int) -> subprocess.Popen[bytes]:
    """`make run`'s server: runserver (threaded), without the autoreloader."""
    server = subprocess.Popen(
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=_env(database),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=5).read()
            return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not answer within 60 s")


def _saved_tickets(database: Path) -> tuple[int, int]:
    """(bench tickets, distinct numbers among them) in the database, read directly."""
    import sqlite3

    with sqlite3.connect(database) as db:
        row = db.execute("SELECT COUNT(*), COUNT(DISTINCT number) FROM service_ticket WHERE title LIKE '压测工单 %'")
        count, distinct = row.fetchone()
    return int(count), int(distinct)


def _percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(people: list[Person], seconds: float) -> bool:
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for person in people:
        for sample in person.samples:
            by_kind[sample.kind].append(sample)
    by_kind["all"] = [s for person in people for s in person.samples]
    header = (
        f"{'request':<8} {'count':>6} {'2xx':>6} {'3xx':>6} {'4xx':>6} {'5xx':>6} {'none':>5} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}"
    )
    print(header)
    print("-" * len(header))
    for kind in ["login", "logout", "page", "save", "list", "export", "all"]:
        samples = by_kind.get(kind)
        if not samples:
            continue
        classes = defaultdict(int)
        for s in samples:
            classes[s.status // 100 if s.status else 0] += 1
        ms = sorted(s.seconds * 1000 for s in samples)
        print(
            f"{kind:<8} {len(samples):>6} {classes[2]:>6} {classes[3]:>6} {classes[4]:>6} {classes[5]:>6} "
            f"{classes[0]:>5} {_percentile(ms, 50):>8.0f} {_percentile(ms, 95):>8.0f} {ms[-1]:>8.0f}"
        )
    total = by_kind["all"]
    failures = sum(1 for s in total if s.status >= 500 or s.status == 0)
    print(
        f"\n{len(people)} people for {seconds:.0f} s: {len(total)} requests, {len(total) / seconds:.1f}/s, "
        f"{failures} answered 5xx or not at all."
    )
    for person in people:
        for error in person.errors[:3]:
            print(f"  {person.username}: {error}")
    return failures == 0 and not any(p.errors for p in people)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url", default="", help="a running server (default: start `make run`'s own)")
    parser.add_argument("--database", default=str(ROOT / "var" / "bench.sqlite3"))
    parser.add_argument("--fresh", action="store_true", help="rebuild the demo database first")
    args = parser.parse_args()
    if args.users > len(ACCOUNTS):
        parser.error(f"at most {len(ACCOUNTS)} users (demo accounts)")
    server = None
    base = args.url.rstrip("/")
    if not base:
        database = Path(args.database)
        database.parent.mkdir(parents=True, exist_ok=True)
        prepare_database(database, args.fresh)
        port = _free_port()
        before = _saved_tickets(database)[0]
        server = start_server(database, port)
        base = f"http://127.0.0.1:{port}"
    try:
        people = [Person(base, username) for username in ACCOUNTS[: args.users]]
        start = threading.Barrier(len(people))
        until = time.monotonic() + args.seconds
        threads = [threading.Thread(target=p.work, args=(until, start)) for p in people]
        print(f"{len(people)} people working on {base} for {args.seconds:.0f} s …", flush=True)
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ok = report(people, time.monotonic() - began)
        if server is not None:
            saved, distinct = _saved_tickets(database)
            answered = sum(1 for p in people for s in p.samples if s.kind == "save" and s.status == 302)
            new = saved - before
            print(
                f"Tickets saved (302): {answered}; new rows in the database: {new}; "
                f"all numbers distinct: {saved == distinct}."
            )
            ok = ok and new == answered and saved == distinct
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
