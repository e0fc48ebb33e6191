"""The scale benchmark (issue 14): ``make bench SCALE=S`` (or L).

1. a PostgreSQL database per scale (``salesops_bench_s``; ``BENCH_DATABASE_URL`` overrides), filled once by
   ``bench/generate.py`` (kept for the next run; ``--fresh`` drops it);
2. served the production way: gunicorn with ``deploy/gunicorn.conf.py``, DEBUG off, collected static files, Redis
   for the cache and sessions;
3. every page timed from a client on loopback (median and p95 of ``--repeat`` requests after two warm-ups, bytes),
   requests/s with 8 concurrent clients on the customer list, peak RSS per gunicorn worker;
4. in-process, per page: the number of queries and the EXPLAIN ANALYZE execution time of its slowest query (the
   floor the page cannot go under).

Prints a table and writes ``bench/results/<scale>-<time>.json`` (gitignored). Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
PASSWORD = "demo12345"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "bench",
        "CELERY_QUEUE": "bench",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_ACCESSLOG": "",
        "GUNICORN_GRACEFUL_TIMEOUT": "5",
        "AXES_FAILURE_LIMIT": "1000",
    }


def prepare(scale: str, fresh: bool) -> str:
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"{PG}/salesops_bench_{scale.lower()}"
    name = database_url.rsplit("/", 1)[1]
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    import psycopg

    with psycopg.connect(admin, autocommit=True) as conn:
        if fresh:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**_env(database_url), "DEBUG": "1"}
    subprocess.run([sys.executable, "bench/generate.py", "--scale", scale], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=_env(database_url),
        check=True,
    )
    return database_url


def pages() -> list[tuple[str, str, str]]:
    """(label, user, path) of every page measured; ids are the first rows each list shows the CEO."""
    from django.urls import reverse

    from apps.customers.models import Customer
    from apps.marketing.models import Lead
    from apps.sales.models import Contract, Opportunity, TargetSet
    from apps.service.models import Ticket

    def first(model: Any, *order: str) -> int:
        return model.objects.order_by(*order).values_list("pk", flat=True).first()

    customer = first(Customer, "-updated_at", "-id")
    target_set = TargetSet.objects.order_by("-fiscal_year").values_list("pk", flat=True).first()
    rows = [
        ("customer list", "ceo", reverse("customers:customer_list")),
        ("customer list p.50", "ceo", reverse("customers:customer_list") + "?page=50"),
        ("customer list (sales1)", "sales1", reverse("customers:customer_list")),
        ("customer search 瑞丰", "ceo", reverse("customers:customer_list") + "?q=瑞丰"),
        ("customer search rf (pinyin)", "ceo", reverse("customers:customer_list") + "?q=rf"),
        ("customer detail", "ceo", reverse("customers:customer_detail", args=[customer])),
        ("opportunity list", "ceo", reverse("sales:opportunity_list")),
        (
            "opportunity detail",
            "ceo",
            reverse("sales:opportunity_detail", args=[first(Opportunity, "-updated_at", "-id")]),
        ),
        ("contract list", "ceo", reverse("sales:contract_list")),
        ("contract detail", "ceo", reverse("sales:contract_detail", args=[first(Contract, "-signed_on", "-id")])),
        ("lead list", "ceo", reverse("marketing:lead_list")),
        ("lead detail", "ceo", reverse("marketing:lead_detail", args=[first(Lead, "-created_at", "-id")])),
        ("ticket list", "ceo", reverse("service:ticket_list")),
        ("ticket list (sales_mgr)", "sales_mgr", reverse("service:ticket_list")),
        ("ticket detail", "ceo", reverse("service:ticket_detail", args=[first(Ticket, "-created_at", "-id")])),
        ("sales dashboard", "ceo", reverse("sales:index")),
        ("sales dashboard (sales_mgr)", "sales_mgr", reverse("sales:index")),
        ("service dashboard", "ceo", reverse("service:dashboard")),
        ("marketing dashboard", "ceo", reverse("marketing:index")),
        ("workbench", "sales1", reverse("core:workbench")),
    ]
    if target_set:
        rows.append(("attainment tree", "ceo", reverse("sales:attainment", args=[target_set])))
    cockpit = reverse("reports:cockpit")
    rows += [
        ("cockpit this month", "ceo", cockpit + "?period=month"),
        ("cockpit this year", "ceo", cockpit + "?period=year"),
        ("cockpit (sales_mgr)", "sales_mgr", cockpit + "?period=month"),
        ("department reports", "ceo", reverse("reports:report_list")),
        ("relationship contacts", "ceo", reverse("service:contact_list")),
        ("customer search 13800 (mobile)", "ceo", reverse("customers:customer_list") + "?q=13800"),
    ]
    for name in ("customers", "opportunities", "contracts", "tickets", "leads"):
        rows.append((f"API {name}", "ceo", f"/api/v1/{name}/"))
    rows.append(("API opportunities (browsable)", "ceo", "/api/v1/opportunities/?format=api"))
    return rows


class Client:
    """A signed-in visitor over HTTP. DEBUG is off, so the cookies are Secure: sent by hand over loopback HTTP."""

    def __init__(self, base: str, username: str) -> None:
        import requests

        self.base, self.http = base, requests.Session()
        login = self.http.get(f"{base}/accounts/login/", timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
        self.cookies = {"csrftoken": login.cookies.get("csrftoken")}
        answer = self.http.post(
            f"{base}/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD},
            headers=self._headers(),
            allow_redirects=False,
            timeout=30,
        )
        assert answer.status_code == 302, f"{username} could not sign in ({answer.status_code})"
        self.cookies.update({k: v for k, v in answer.cookies.items()})

    def _headers(self) -> dict[str, str]:
        return {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items() if v), "Referer": f"{self.base}/"}

    def get(self, path: str) -> tuple[float, int, int]:
        started = time.perf_counter()
        answer = self.http.get(f"{self.base}{path}", headers=self._headers(), allow_redirects=False, timeout=120)
        return (time.perf_counter() - started) * 1000, answer.status_code, len(answer.content)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_http(base: str, rows: list[tuple[str, str, str]], repeat: int) -> dict[str, dict[str, Any]]:
    clients: dict[str, Client] = {}
    results = {}
    for label, user, path in rows:
        client = clients.setdefault(user, Client(base, user))
        for _ in range(2):
            client.get(path)
        samples = [client.get(path) for _ in range(repeat)]
        times = [s[0] for s in samples]
        results[label] = {
            "path": path,
            "user": user,
            "status": samples[-1][1],
            "bytes": samples[-1][2],
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(_p95(times), 1),
        }
        print(
            f"  {label:32} {results[label]['median_ms']:8.1f} ms  p95 {results[label]['p95_ms']:8.1f} ms  "
            f"{samples[-1][1]}  {samples[-1][2]:>8} B",
            flush=True,
        )
    return results


def concurrency(base: str, path: str, clients: int = 8, seconds: float = 15) -> dict[str, Any]:
    visitors = [Client(base, "ceo") for _ in range(clients)]
    done: list[float] = []
    errors = [0]
    stop = time.monotonic() + seconds

    def run(visitor: Client) -> None:
        while time.monotonic() < stop:
            ms, status, _ = visitor.get(path)
            if status == 200:
                done.append(ms)
            else:
                errors[0] += 1

    threads = [threading.Thread(target=run, args=(v,)) for v in visitors]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "requests": len(done),
        "errors": errors[0],
        "req_per_s": round(len(done) / elapsed, 1),
        "median_ms": round(statistics.median(done), 1),
        "p95_ms": round(_p95(done), 1),
    }


def worker_rss(master: int) -> list[int]:
    """Peak resident memory (VmHWM, MB) of each gunicorn worker of ``master``."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master}$", text, re.M):
            match = re.search(r"^VmHWM:\s+(\d+) kB", text, re.M)
            if match:
                sizes.append(round(int(match.group(1)) / 1024))
    return sizes


def measure_queries(rows: list[tuple[str, str, str]]) -> dict[str, dict[str, Any]]:
    """Queries per page and the EXPLAIN ANALYZE time of the slowest one, in-process (Django's test client)."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from apps.org.models import User

    results = {}
    clients: dict[str, Any] = {}
    for label, username, path in rows:
        if username not in clients:
            clients[username] = DjangoClient()
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        client.get(path)  # warm
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        queries = [q for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
        slowest = max(queries, key=lambda q: float(q["time"]), default=None)
        explain_ms = None
        if slowest is not None and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + slowest["sql"])
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                explain_ms = round(plan[0]["Execution Time"], 2)
        results[label] = {
            "queries": len(captured.captured_queries),
            "floor_ms": explain_ms,
            "floor_sql": (slowest or {}).get("sql", "")[:300],
        }
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=["S", "L"], default="S")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", "5")))
    parser.add_argument("--fresh", action="store_true", help="drop and regenerate the scale's database")
    args = parser.parse_args()

    database_url = prepare(args.scale, args.fresh)
    env = _env(database_url)
    os.environ.update(
        {
            k: v
            for k, v in env.items()
            if k not in os.environ
            or k
            in {
                "DJANGO_SETTINGS_MODULE",
                "DEBUG",
                "SECRET_KEY",
                "ALLOWED_HOSTS",
                "DATABASE_URL",
                "REDIS_URL",
                "CACHE_KEY_PREFIX",
                "STATIC_ROOT",
                "SECURE_SSL_REDIRECT",
                "AXES_FAILURE_LIMIT",
            }
        }
    )
    import django

    django.setup()
    from apps.customers.models import Customer

    rows = pages()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = (ROOT / "var" / "bench-gunicorn.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
        cwd=ROOT,
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(args.workers)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        import requests

        for _ in range(120):
            try:
                if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        print(f"scale {args.scale}: {Customer.objects.count()} customers; gunicorn {args.workers} workers on {base}")
        http = measure_http(base, rows, args.repeat)
        load = concurrency(base, rows[0][2])
        rss = worker_rss(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    floors = measure_queries(rows)

    print()
    print("| page | user | median ms | p95 ms | KB | queries | floor ms (EXPLAIN ANALYZE of the slowest query) |")
    print("|---|---|---|---|---|---|---|")
    for label, _user, _path in rows:
        h, q = http[label], floors[label]
        print(
            f"| {label} | {h['user']} | {h['median_ms']} | {h['p95_ms']} | {h['bytes'] / 1024:.1f} | "
            f"{q['queries']} | {q['floor_ms']} |"
        )
    print(
        f"\ncustomer list, {load['clients']} concurrent clients: {load['req_per_s']} req/s "
        f"(median {load['median_ms']} ms, p95 {load['p95_ms']} ms, {load['errors']} errors)"
    )
    print(f"peak RSS per worker (MB): {rss}")
    out = ROOT / "bench" / "results" / f"{args.scale}-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "scale": args.scale,
                "customers": Customer.objects.count(),
                "workers": args.workers,
                "pages": {k: {**http[k], **floors[k]} for k in http},
                "concurrency": load,
                "worker_peak_rss_mb": rss,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
