"""The executive cockpit at the demo's size: time and query count per period preset, for the CEO (every section)
and the sales manager (sales only), and the department report pack.

    .venv/bin/python bench/reports_cockpit.py            # SQLite file var/bench_reports.sqlite3 (demo loaded once)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/reports_cockpit.py
    .venv/bin/python bench/reports_cockpit.py --fresh    # rebuild the demo database

Prints a table and writes bench/results/reports_cockpit.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PRESETS = ("month", "quarter", "year", "last_year")
ROUNDS = 3


def _setup(fresh: bool) -> str:
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench_reports.sqlite3"
        path.parent.mkdir(exist_ok=True)
        if fresh and path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages are rendered without collectstatic: plain static URLs instead of the manifest's hashed names.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    from apps.reports.models import DepartmentReport

    if not DepartmentReport.objects.exists():
        call_command("load_demo", stdout=io.StringIO())
    return os.environ["DATABASE_URL"].split(":", 1)[0]


def _measure(client, url: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, secure=True)  # warm the caches of the process (calendar, permissions)
    times, queries = [], 0
    for _i in range(ROUNDS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, secure=True)
            times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return {"median_ms": round(statistics.median(times) * 1000, 1), "queries": queries}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    engine = _setup(args.fresh)
    from django.test import Client
    from django.test.utils import setup_test_environment

    from apps.org.models import User
    from apps.reports.models import DepartmentReport

    setup_test_environment()
    rows = []
    for username in ("ceo", "sales_mgr"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for preset in PRESETS:
            rows.append(
                {
                    "user": username,
                    "page": f"cockpit?period={preset}",
                    **_measure(client, f"/reports/cockpit/?period={preset}"),
                }
            )
        if username == "ceo":
            key = DepartmentReport.objects.order_by("-period_start").values_list("period_key", flat=True).first()
            rows.append(
                {
                    "user": username,
                    "page": f"pack?period={key}",
                    **_measure(client, f"/reports/department/pack/?period={key}"),
                }
            )
    print(f"engine: {engine}; reports: {DepartmentReport.objects.count()}")
    print(f"{'user':<10} {'page':<28} {'median ms':>10} {'queries':>8}")
    for row in rows:
        print(f"{row['user']:<10} {row['page']:<28} {row['median_ms']:>10} {row['queries']:>8}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "reports_cockpit.json").write_text(json.dumps({"engine": engine, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
