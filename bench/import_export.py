"""Import, export and the cockpit at the bench's scale (issue 14), in-process on the database in ``DATABASE_URL``
(the scale benchmark's: ``make bench SCALE=S`` fills it).

    DATABASE_URL=postgres://…/salesops_bench_s .venv/bin/python bench/import_export.py [--rows 100000] [--files 1]
        [--keep] [--per-row]

- import: ``--files`` workbooks of ``--rows`` (default 100,000) new customers with a contact each, by the sales
  manager, the steps of ``customer_import`` (the background job's path) timed one by one — parse (the streaming
  reader), validate (formats and the model fields' checks), dedupe (the archive's keys and within the file), write
  (the import lock, the second duplicate check, the chunks through ``customer_bulk_create``) — in wall-clock and
  in-process CPU seconds (the machine is shared: the CPU split is the stable figure), with the progress reports;
  rolled back afterwards unless ``--keep``. ``--per-row``: the row-by-row reference path instead (slow);
- export: ``customer_export`` of everything the CEO may see (the Excel file, masked mobiles, the export log), with
  ``--export-copies`` the same rows written again to reach 100k rows (the writer's speed);
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

    def data() -> Any:
        for i in range(rows):
            n = serial * rows + i
            first17 = f"91310{n:012d}"[:17]
            yield {
                "name": f"导入基准{n:07d}号贸易有限公司",
                "uscc": first17 + uscc_check_char(first17),
                "level": "B",
                "province": "上海",
                "city": "上海",
                "contact_name": f"联系人{n}",
                "mobile": f"166{n:08d}",
            }

    return excel.write_workbook(IMPORT_COLUMNS, data())


class Phase:
    """Wall-clock and in-process CPU seconds of one step."""

    def __init__(self, out: dict[str, Any], name: str) -> None:
        self.out, self.name = out, name

    def __enter__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def __exit__(self, *exc: Any) -> None:
        self.out[self.name] = {
            "wall_s": round(time.perf_counter() - self.wall, 2),
            "cpu_s": round(time.process_time() - self.cpu, 2),
        }


def _import_phases(manager: Any, content: bytes, per_row: bool) -> dict[str, Any]:
    """The steps of ``customer_import`` one by one (the same functions, in the same order)."""
    from apps.core import excel
    from apps.customers.selectors.io import IMPORT_COLUMNS
    from apps.customers.services import io as service

    phases: dict[str, Any] = {}
    reports: list[tuple[float, int]] = []
    started = time.perf_counter()
    service._check_import_allowed(manager, None)
    with Phase(phases, "parse"):
        rows, header_errors = excel.read_workbook(io.BytesIO(content), IMPORT_COLUMNS, max_rows=service.MAX_IMPORT_ROWS)
    assert not header_errors, header_errors
    result = service.ImportResult(total=len(rows))
    with Phase(phases, "validate"):
        for row in rows:
            found = service._field_problems(row)
            result.problems += found + service._model_problems(row, found)
    with Phase(phases, "dedupe"):
        result.problems += service._duplicate_problems(rows)
    assert not result.problems, result.problems[:3]
    create = service._create_each if per_row else service._create_bulk
    with Phase(phases, "write"):
        create(
            manager,
            rows,
            None,
            result,
            report=lambda done, total, seen=reports: seen.append((time.perf_counter(), done)),
        )
    seconds = time.perf_counter() - started
    assert result.created == len(rows), (result.created, result.problems[:3])
    gaps = [b[0] - a[0] for a, b in zip(reports, reports[1:], strict=False)]
    return {
        "rows": result.created,
        "seconds": round(seconds, 1),
        "cpu_s": round(sum(p["cpu_s"] for p in phases.values()), 1),
        "phases": phases,
        "progress_reports": len(reports),
        "longest_gap_between_reports_s": round(max(gaps), 1) if gaps else None,
    }


def measure_import(files: int, rows: int, keep: bool, per_row: bool, then: Any = None) -> dict[str, Any]:
    """``then()`` runs after the imports, before they are rolled back (the export of every customer, imported ones
    included)."""
    from django.db import transaction

    from apps.org.models import User

    manager = User.objects.get(username="sales_mgr")  # the demo's importer (senior management only looks)
    runs = []
    try:
        with transaction.atomic():
            for serial in range(files):
                started = time.perf_counter()
                content = _workbook(900 + serial, rows)
                made = time.perf_counter() - started
                print(f"  file {serial + 1}: {rows} rows, {len(content) / 1e6:.1f} MB, written in {made:.1f} s")
                run = _import_phases(manager, content, per_row)
                run["file_mb"], run["file_written_s"] = round(len(content) / 1e6, 1), round(made, 1)
                runs.append(run)
                split = ", ".join(f"{k} {v['cpu_s']} s CPU / {v['wall_s']} s" for k, v in run["phases"].items())
                print(f"  import file {serial + 1}: {run['rows']} rows in {run['seconds']} s ({split})", flush=True)
            if then is not None:
                then()
            if not keep:
                raise Rollback
    except Rollback:
        pass
    total_rows = sum(r["rows"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    return {
        "path": "per_row" if per_row else "bulk",
        "files": runs,
        "rows_per_s": round(total_rows / seconds, 1),
        "rows_per_cpu_s": round(total_rows / sum(r["cpu_s"] for r in runs), 1),
        "100k_rows_s_extrapolated": round(100_000 / (total_rows / seconds)),
    }


def measure_export() -> dict[str, Any]:
    from django.db import transaction

    from apps.customers.models import Customer
    from apps.customers.services.io import customer_export
    from apps.org.models import User

    ceo = User.objects.get(username="ceo")
    try:
        with transaction.atomic():
            started, cpu = time.perf_counter(), time.process_time()
            data, count = customer_export(actor=ceo, customers=Customer.objects.order_by("-updated_at"))
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            raise Rollback
    except Rollback:
        pass
    print(f"  export: {count} rows, {len(data) / 1e6:.1f} MB in {seconds:.1f} s ({cpu:.1f} s CPU)", flush=True)
    return {"rows": count, "bytes": len(data), "seconds": round(seconds, 1), "cpu_s": round(cpu, 1)}


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
    parser.add_argument("--rows", type=int, default=100_000, help="rows per import file")
    parser.add_argument("--per-row", action="store_true", help="the row-by-row reference path")
    parser.add_argument("--skip-cockpit", action="store_true")
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

        def export_all() -> None:
            out["export"] = measure_export()

        out["import"] = measure_import(args.files, args.rows, args.keep, args.per_row, then=export_all)
    else:
        out["export"] = measure_export()
    if not args.skip_cockpit:
        out["cockpit"] = measure_cockpit()
    path = ROOT / "bench" / "results" / f"import_export-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(f"written {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
