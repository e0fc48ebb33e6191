"""Where a page's server time goes, in-process: wall time per request, SQL time and count, and the top functions
of cProfile (by cumulative time), for one user and path on the database in ``DATABASE_URL``.

    DATABASE_URL=postgres://…/salesops_bench_s .venv/bin/python bench/profile_page.py ceo /customers/ [--top 30]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("user")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--top", type=int, default=0, help="print the top N functions of cProfile")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.org.models import User

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    client = Client(SERVER_NAME="testserver")
    client.force_login(User.objects.get(username=args.user))
    for path in args.paths:
        for _ in range(2):
            client.get(path)
        times, sql = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
            sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
        print(
            f"{path}  {response.status_code}  {len(response.content)} B  median {statistics.median(times):.1f} ms  "
            f"SQL {statistics.median(sql):.1f} ms in {len(captured.captured_queries)} queries",
            flush=True,
        )
        if args.top:
            for q in sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]:
                print(f"   {float(q['time']) * 1000:7.1f} ms  {q['sql'][:220]}")
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                client.get(path)
            profile.disable()
            out = io.StringIO()
            order = os.environ.get("PROFILE_SORT", "cumulative")  # or tottime
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
            print(out.getvalue())


if __name__ == "__main__":
    main()
