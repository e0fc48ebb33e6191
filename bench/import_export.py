"""Import, export and the cockpit at the bench's scale (issue 14), in-process on the database in ``DATABASE_URL``
(the scale benchmark's: ``make bench SCALE=S`` fills it).

    DATABASE_URL=postgres://…/salesops_bench_s .venv/bin/python bench/import_export.py [--files 1] [--keep]

- import: ``--files`` workbooks of ``MAX_IMPORT_ROWS`` (5,000) new customers with a contact each, by the sales
  manager through ``customer_import`` (read + check + create, the background job's path), timed per file with
  the progress reports; rolled back afterwards unless ``--keep``;
- export: ``customer_export`` of everything the CEO may see (the Excel file, masked mobiles, the export log);
- cockpit: the CEO's cockpit for this month and this year, computed (pinned day) and then served from the cache.

Prints a table and writes ``bench/results/import_export-<time>.json``. Timings live here, never in tests.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class Rollback(Exception):
    pass


def _workbook(serial: int, rows: int) -> bytes:
    from apps.core import excel
    from apps.core.validators import uscc_check_char
    from apps.customers.selectors.io import IMPORT_COLUMNS

    data = []
    for i in range(rows):
        n = serial * rows + i
        first17 = f"91310{n:012d}"[:17]
        data.append(
            {
                "name": f"导入基准{n:07d}号贸易有限公司",
                "uscc": first17 + uscc_check_char(first17),
                "level": "B",
                "province": "上海",
                "city": "上海",
                "contact_name": f"联系人{n}",
                "mobile": f"166{n:08d}",
            }
        )
    return excel.write_workbook(IMPORT_COLUMNS, data)


def measure_import(files: int, keep: bool) -> dict[str, Any]:
    from django.db import transaction

    from apps.customers.services.io import MAX_IMPORT_ROWS, customer_import
    from apps.org.models import User

    manager = User.objects.get(username="sales_mgr")  # the demo's importer (senior management only looks)
    runs = []
    try:
        with transaction.atomic():
            for serial in range(files):
                content = _workbook(900 + serial, MAX_IMPORT_ROWS)
                reports: list[tuple[float, int]] = []
                started = time.perf_counter()
                result = customer_import(
                    actor=manager,
                    file=io.BytesIO(content),
                    owner=None,
                    report=lambda done, total, seen=reports: seen.append((time.perf_counter(), done)),
                )
                seconds = time.perf_counter() - started
                assert result.created == MAX_IMPORT_ROWS, (result.created, result.problems[:3], result.header_errors)
                runs.append({"rows": result.created, "seconds": round(seconds, 1), "progress_reports": len(reports)})
                print(f"  import file {serial + 1}: {result.created} rows in {seconds:.1f} s", flush=True)
            if not keep:
                raise Rollback
    except Rollback:
        pass
    rows = sum(r["rows"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "files": runs,
        "rows_per_s": round(rows / seconds, 1),
        "100k_rows_s_extrapolated": round(100_000 / (rows / seconds)),
    }


def measure_export() -> dict[str, Any]:
    from django.db import transaction

    from apps.customers.services.io import customer_export
    from apps.org.models import User

    ceo = User.objects.get(username="ceo")
    try:
        with transaction.atomic():
            started = time.perf_counter()
            data, count = customer_export(actor=ceo, scope="all")
            seconds = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    print(f"  export: {count} rows, {len(data) / 1e6:.1f} MB in {seconds:.1f} s", flush=True)
    return {"rows": count, "bytes": len(data), "seconds": round(seconds, 1)}


def measure_cockpit() -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from apps.org.models import User
    from apps.reports.selectors.cockpit import cockpit
    from apps.reports.selectors.periods import resolve_period

    ceo = User.objects.get(username="ceo")
    today = timezone.localdate()
    results = {}
    for kind in ("month", "year"):
        period = resolve_period(kind, None, None, today)
        with CaptureQueriesContext(connection) as computed:
            started = time.perf_counter()
            cockpit(ceo, period, today=today)  # pinned: always computed
            cold = (time.perf_counter() - started) * 1000
        cockpit(ceo, period)  # live: computed once, then cached
        with CaptureQueriesContext(connection) as cached:
            started = time.perf_counter()
            cockpit(ceo, period)
            warm = (time.perf_counter() - started) * 1000
        results[kind] = {
            "computed_ms": round(cold, 1),
            "computed_queries": len(computed.captured_queries),
            "cached_ms": round(warm, 1),
            "cached_queries": len(cached.captured_queries),
        }
        print(
            f"  cockpit {kind}: computed {cold:.0f} ms / {len(computed.captured_queries)} queries, "
            f"cached {warm:.1f} ms / {len(cached.captured_queries)} queries",
            flush=True,
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the imported customers")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from apps.customers.models import Customer

    print(f"{Customer.objects.count()} customers", flush=True)
    out: dict[str, Any] = {"customers": Customer.objects.count()}
    if not args.skip_import:
        out["import"] = measure_import(args.files, args.keep)
    out["export"] = measure_export()
    out["cockpit"] = measure_cockpit()
    path = ROOT / "bench" / "results" / f"import_export-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
