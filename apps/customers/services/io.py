"""Excel import and export of customers (CONVENTIONS-CN §1 rows 28–29).

Import: every row is validated first (required, USCC check character, mobile, email, dictionary labels, what the
model fields themselves refuse — length, choices —, duplicates against the archive *and* within the file). With any
failure nothing is imported unless the user explicitly chose to skip the failed rows. The rows are then written in
chunks of ``REPORT_EVERY`` through ``bulk.customer_bulk_create`` (``core.bulk``: a few INSERTs per chunk, history
and ownership log included, progress reported per chunk), all inside one transaction, so it is all or nothing: a
refusal at write time (a unique key taken meanwhile) rolls every row back. ``per_row=True`` writes row by row through
``archive.customer_create`` instead — the reference the bulk path is tested against (same customers, contacts,
logs, history and problems). Export: within scope, audit-logged, mobiles masked, streamed.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from apps.core import excel, locks
from apps.core.jobs import Report, job_start, job_text
from apps.core.models import Job
from apps.core.validators import normalize_mobile, validate_mobile, validate_uscc
from apps.customers.choices import CustomerSource
from apps.customers.models import Customer
from apps.customers.selectors import io as selectors
from apps.customers.selectors.dedupe import name_key, normalize_uscc
from apps.customers.selectors.pool import assignable_owners
from apps.customers.services import archive, bulk

MAX_IMPORT_ROWS = 100_000
IMPORT_JOB = "customers.import"
IMPORT_JOB_TITLE = gettext_noop("Customer import")  # stored untranslated, read in the viewer's language
REPORT_EVERY = 2000  # rows written per chunk, and between two progress reports of an import job
PROBLEMS_KEPT = 200
EXPORT_CHUNK = 2000  # customers read per query (and their contacts' prefetch) while an export streams
CANNOT_IMPORT = gettext_lazy("You may not import customers.")
CANNOT_EXPORT = gettext_lazy("You may not export customers.")
OWNER_NOT_ALLOWED = gettext_lazy("You may not make %(user)s the owner of imported customers.")
DUPLICATE_IN_ARCHIVE = gettext_lazy("Already in the archive: “%(name)s” (%(owner)s).")
DUPLICATE_IN_FILE = gettext_lazy("Same as row %(row)s of this file.")
CONTACT_NAME_NEEDED = gettext_lazy("Give the contact's name for this mobile, telephone or email.")
BAD_EMAIL = gettext_lazy("Enter a valid email address.")
IN_POOL = gettext_lazy("in the public pool")
OWNED_BY = gettext_lazy("owner: %(owner)s")

CONTACT_KEYS = ("mobile", "phone", "email", "title")
CUSTOMER_KEYS = ("name", "uscc", "level", "source", "industry", "province", "city", "district", "address", "remarks")


@dataclass(frozen=True)
class RowProblem:
    row: int  # the Excel row number
    column: str  # the column header as the user sees it ("" for the row as a whole)
    message: str


@dataclass
class ImportResult:
    total: int = 0  # data rows in the file
    created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    header_errors: list[str] = field(default_factory=list)

    @property
    def failed_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems})

    @property
    def failed(self) -> int:
        return len(self.failed_rows)

    @property
    def importable(self) -> int:
        return self.total - self.failed if not self.header_errors else 0


def _header(key: str) -> str:
    return str(next(c.header for c in selectors.IMPORT_COLUMNS if c.key == key))


def _owner_text(customer: Any) -> str:
    return str(IN_POOL) if customer.owner_id is None else str(OWNED_BY % {"owner": customer.owner})


#
# Validation of every row
#


def _field_problems(row: excel.SheetRow) -> list[RowProblem]:
    """Formats: the cells that did not read, USCC check character, mobile, email, a contact needs a name."""
    values, problems = row.values, [RowProblem(row.number, e.column, e.message) for e in row.errors]
    checks = (("uscc", validate_uscc), ("mobile", validate_mobile), ("email", validate_email))
    for key, validator in checks:
        if values.get(key) and not any(p.column == _header(key) for p in problems):
            try:
                validator(values[key])
            except ValidationError as error:
                message = str(BAD_EMAIL) if key == "email" else " ".join(error.messages)
                problems.append(RowProblem(row.number, _header(key), message))
    if any(values.get(k) for k in CONTACT_KEYS) and not values.get("contact_name"):
        problems.append(RowProblem(row.number, _header("contact_name"), str(CONTACT_NAME_NEEDED)))
    return problems


# ``bulk.customer_field_problems`` keys → the import column that holds the value
_FIELD_COLUMNS = {
    **{key: key for key in CUSTOMER_KEYS},
    "contact_name": "contact_name",
    **{f"contact_{key}": key for key in CONTACT_KEYS},
}


def _model_problems(row: excel.SheetRow, known: list[RowProblem]) -> list[RowProblem]:
    """What the model's own field checks refuse (a name longer than the column, …), in the cell's column; a cell that
    already has a problem is not reported twice."""
    data, contacts = _row_data(row)
    flagged = {p.column for p in known}
    problems = []
    for key, messages in bulk.customer_field_problems(data, contacts).items():
        column = _header(_FIELD_COLUMNS[key]) if key in _FIELD_COLUMNS else ""
        if column not in flagged:
            problems.append(RowProblem(row.number, column, " ".join(messages)))
    return problems


def _keys(row: excel.SheetRow) -> dict[str, str]:
    """The duplicate-check keys of a row, normalised as the archive stores them."""
    return {
        "uscc": normalize_uscc(row.values.get("uscc")),
        "mobile": normalize_mobile(row.values.get("mobile") or ""),
        "name": name_key(row.values.get("name") or ""),
    }


def _duplicate_problems(rows: Sequence[excel.SheetRow]) -> list[RowProblem]:
    """Exact USCC, mobile and (normalised) name against the archive — loaded once — and within the file."""
    keys = [_keys(r) for r in rows]
    existing = selectors.existing_keys(
        usccs=[k["uscc"] for k in keys if k["uscc"]],
        mobiles=[k["mobile"] for k in keys if k["mobile"]],
        name_keys=[k["name"] for k in keys if k["name"]],
    )
    known = {"uscc": existing.usccs, "mobile": existing.mobiles, "name": existing.names}
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for row, row_keys in zip(rows, keys, strict=True):
        for kind, key in row_keys.items():
            if not key:
                continue
            header = _header(kind)
            if key in known[kind]:
                hit = known[kind][key]
                problems.append(
                    RowProblem(
                        row.number, header, str(DUPLICATE_IN_ARCHIVE % {"name": hit.name, "owner": _owner_text(hit)})
                    )
                )
            elif (kind, key) in seen:
                problems.append(RowProblem(row.number, header, str(DUPLICATE_IN_FILE % {"row": seen[kind, key]})))
            else:
                seen[kind, key] = row.number
    return problems


def validate_rows(rows: Sequence[excel.SheetRow]) -> list[RowProblem]:
    """Every problem of every row, sorted by row: formats first, then duplicates."""
    problems = []
    for row in rows:
        found = _field_problems(row)
        problems += found + _model_problems(row, found)
    problems += _duplicate_problems(rows)
    return sorted(problems, key=lambda p: p.row)


def read_import_file(file: IO[bytes] | str) -> tuple[list[excel.SheetRow], ImportResult]:
    """Read and validate an import file without writing anything."""
    rows, header_errors = excel.read_workbook(file, selectors.IMPORT_COLUMNS, max_rows=MAX_IMPORT_ROWS)
    result = ImportResult(total=len(rows), header_errors=header_errors)
    if not header_errors:
        result.problems = validate_rows(rows)
    return rows, result


#
# Importing
#


def _check_import_allowed(actor: Any, owner: Any) -> None:
    if not (actor.has_perm("customers.import_customer") and actor.has_perm("customers.add_customer")):
        raise PermissionDenied(CANNOT_IMPORT)
    if owner is not None and owner != actor and not assignable_owners(user=actor).filter(pk=owner.pk).exists():
        raise ValidationError(
            {"owner": ValidationError(OWNER_NOT_ALLOWED, code="owner_out_of_scope", params={"user": owner})}
        )


def _row_data(row: excel.SheetRow) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    values = row.values
    data = {k: values.get(k) for k in CUSTOMER_KEYS if values.get(k) not in (None, "")}
    data.setdefault("source", CustomerSource.IMPORT)
    contact = {k: values.get(k) for k in CONTACT_KEYS if values.get(k)}
    contacts = [{"name": values["contact_name"], **contact, "is_primary": True}] if values.get("contact_name") else []
    return data, contacts


def _late_duplicates(
    rows: Sequence[excel.SheetRow], result: ImportResult, skip_failed: bool
) -> list[excel.SheetRow] | None:
    """With the import lock held, check the rows against the archive again: a file imported at the same moment — the
    same file uploaded twice — may have created them since the first check. Rows found so are failed rows like any
    other: refused all (None), or left out with ``skip_failed``."""
    late = _duplicate_problems(rows)
    result.problems += late
    if late and not skip_failed:
        result.created = 0
        return None
    late_rows = {p.row for p in late}
    return [row for row in rows if row.number not in late_rows]


def _create_each(
    actor: Any,
    rows: Sequence[excel.SheetRow],
    owner: Any,
    result: ImportResult,
    skip_failed: bool = False,
    report: Report | None = None,
) -> None:
    """Create the rows one by one through ``archive.customer_create`` (the reference for ``_create_bulk``); any
    refusal rolls the whole import back. Imports run one at a time (the import lock)."""
    refused: list[RowProblem] = []
    with transaction.atomic():
        locks.hold(archive.CREATE_LOCK)
        checked = _late_duplicates(rows, result, skip_failed)
        if checked is None:
            return
        for done, row in enumerate(checked):
            if report is not None and done % REPORT_EVERY == 0:
                report(done, len(checked))
            data, contacts = _row_data(row)
            try:
                archive.customer_create(
                    actor=actor,
                    data=data,
                    contacts=contacts,
                    owner=owner,
                    allow_similar_name=True,
                    duplicates_checked=True,
                )
            except ValidationError as error:
                refused.append(RowProblem(row.number, "", " ".join(error.messages)))
        if refused:
            transaction.set_rollback(True)
    result.problems += refused
    result.created = 0 if refused else len(checked)


def _create_bulk(
    actor: Any,
    rows: Sequence[excel.SheetRow],
    owner: Any,
    result: ImportResult,
    skip_failed: bool = False,
    report: Report | None = None,
) -> None:
    """Create the rows ``REPORT_EVERY`` at a time through ``bulk.customer_bulk_create``, progress reported before
    each chunk, all in one transaction under the import lock: a refusal (a unique key taken meanwhile by a contact
    added by hand) rolls the whole import back and names the rows that collide."""
    with transaction.atomic():
        locks.hold(archive.CREATE_LOCK)
        checked = _late_duplicates(rows, result, skip_failed)
        if checked is None:
            return
        try:
            with transaction.atomic():
                for start in range(0, len(checked), REPORT_EVERY):
                    if report is not None:
                        report(start, len(checked))
                    chunk = checked[start : start + REPORT_EVERY]
                    bulk.customer_bulk_create(actor=actor, items=[_row_data(r) for r in chunk], owner=owner)
        except ValidationError as error:
            named = _duplicate_problems(checked)  # the chunks are undone: who took the keys meanwhile
            result.problems += named or [RowProblem(0, "", " ".join(error.messages))]
            result.created = 0
            transaction.set_rollback(True)
            return
    result.created = len(checked)


def customer_import(
    *,
    actor: Any,
    file: IO[bytes] | str,
    owner: Any,
    skip_failed: bool = False,
    report: Report | None = None,
    per_row: bool = False,
) -> ImportResult:
    """Import customers from an .xlsx, owned by ``owner`` (None: straight into the public pool).

    Nothing is written when a row fails, unless ``skip_failed``: then the valid rows are imported and the
    failed ones reported. Header problems always stop the import. ``per_row``: through ``customer_create`` row by
    row (the reference path; 60 times slower).
    """
    _check_import_allowed(actor, owner)
    rows, result = read_import_file(file)
    if result.header_errors or (result.problems and not skip_failed):
        return result
    failed = set(result.failed_rows)
    good = [row for row in rows if row.number not in failed]
    create = _create_each if per_row else _create_bulk
    create(actor, good, owner, result, skip_failed=skip_failed, report=report)
    result.problems.sort(key=lambda p: p.row)
    return result


def customer_import_start(*, actor: Any, data: bytes, owner: Any, skip_failed: bool = False) -> Job:
    """Import a large file as a background job (the page shows its progress); the same rights as ``customer_import``.
    The worker reads and checks the file again, so what it imports is what the archive holds when it runs."""
    _check_import_allowed(actor, owner)
    return job_start(
        actor=actor,
        kind=IMPORT_JOB,
        title=IMPORT_JOB_TITLE,
        payload=data,
        params={"owner": owner.pk if owner is not None else None, "skip_failed": skip_failed},
    )


def run_import_job(job: Job, report: Report) -> dict[str, Any]:
    """The worker's side of ``customer_import_start``: the import as its starter, with progress."""
    owner = get_user_model().objects.get(pk=job.params["owner"]) if job.params.get("owner") else None
    result = customer_import(
        actor=job.created_by,
        file=io.BytesIO(bytes(job.payload)),
        owner=owner,
        skip_failed=bool(job.params.get("skip_failed")),
        report=report,
    )
    problems = [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems[:PROBLEMS_KEPT]]
    problems += [{"row": "", "column": "", "message": e} for e in result.header_errors]
    summary = job_text(
        gettext_noop("%(created)s of %(total)s rows imported; %(failed)s failed."),
        created=result.created,
        total=result.total,
        failed=result.failed,
    )
    return {
        "summary": summary,
        "total": result.total,
        "created": result.created,
        "failed": result.failed,
        "problems": problems,
        "link": {
            "url": reverse("customers:customer_list"),
            "label": job_text(gettext_noop("Open the customer archive")),
        },
    }


def failed_rows_workbook(*, rows: Sequence[excel.SheetRow], result: ImportResult) -> bytes:
    """The failed rows as the user wrote them, with their row number and the reasons, to fix and re-upload."""
    reasons: dict[int, list[str]] = {}
    for problem in result.problems:
        reasons.setdefault(problem.row, []).append(
            f"{problem.column}: {problem.message}" if problem.column else problem.message
        )
    failed = [r for r in rows if r.number in reasons]
    columns = [selectors.ROW_COLUMN, *selectors.IMPORT_COLUMNS, selectors.REASON_COLUMN]
    data = [{**r.values, "row": r.number, "reason": "；".join(reasons[r.number])} for r in failed]
    return excel.write_workbook(columns, data, title=_("Failed rows"))


def import_template() -> bytes:
    """The import template: headers in the user's language, required ones marked *, dropdowns, an example."""
    example = {
        "name": _("Example: Shanghai Huaxin Technology Co., Ltd."),
        "level": "B",
        "mobile": "13800138000",
        "contact_name": _("Example: Zhang Wei"),
        "province": _("Shanghai"),
        "city": _("Shanghai"),
    }
    notes = [
        _("Columns marked * are required; columns are matched by their header, in any order."),
        _("Level, source and industry: choose from the dropdown."),
        _("Mobile: 11 digits; unified social credit code: 18 characters with its check character."),
        _("Delete the example row before importing."),
    ]
    return excel.write_template(selectors.IMPORT_COLUMNS, title=_("Customers"), examples=[example], notes=notes)


#
# Exporting
#


def customer_export(*, actor: Any, customers: QuerySet) -> tuple[bytes, int]:
    """Export ``customers`` (the archive list as filtered, the selected ones, or all; in the list's order) — only
    those within the actor's scope; mobiles of customers the actor does not own are masked. Return the file and the
    row count; the export page (``core.views.ListExportMixin``) writes the ExportLog row with them.
    Streamed: the customers are read ``EXPORT_CHUNK`` at a time (their primary contacts prefetched per chunk) straight
    into the write-only workbook, so 100,000 rows are never all in memory as objects.

    Not one transaction: the workbook is built from plain reads (the log row is a single insert afterwards), so on
    SQLite (IMMEDIATE transactions take the write lock) a long export does not hold up everyone's saves."""
    if not actor.has_perm("customers.export_customer"):
        raise PermissionDenied(CANNOT_EXPORT)
    visible = Customer.objects.visible_to(actor).values("pk")
    chosen = customers.filter(pk__in=visible).select_related("owner", "owner_unit").iterator(chunk_size=EXPORT_CHUNK)
    written = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal written
        for row in selectors.export_rows(user=actor, customers=chosen):
            written += 1
            yield row

    data = excel.write_workbook(selectors.EXPORT_COLUMNS, rows(), title=_("Customers"))
    return data, written
