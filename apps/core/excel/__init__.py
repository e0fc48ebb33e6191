"""Excel (.xlsx) helpers, domain-free: write a sheet, write an import template, read a sheet by header name.

Conventions Chinese offices expect (CONVENTIONS-CN §1 rows 28–29): Chinese headers with ``*`` on required
columns in templates, dropdowns for dictionary columns, phone and code columns as text (a mobile must not turn
into 1.38E+10), dates as YYYY-MM-DD, amounts with 2 decimals, file names ``<模块>_<yyyyMMddHHmmss>.xlsx``.
Reading maps columns by header name in any order, so an extra or moved column never shifts the data.
Cells are never written as formulas: text that starts like one is stored as text (formula injection).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.excel.sheet import MAX_SHARED_STRINGS_BYTES as MAX_SHARED_STRINGS_BYTES
from apps.core.excel.sheet import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES
from apps.core.excel.sheet import NOT_AN_XLSX as NOT_AN_XLSX
from apps.core.excel.sheet import TOO_LARGE as TOO_LARGE
from apps.core.excel.sheet import _openpyxl_rows as _openpyxl_rows
from apps.core.excel.sheet import _workbook_rows as _workbook_rows
from apps.core.excel.sheet import package_problem as package_problem
from apps.core.excel.sheet import sheet_row_count as sheet_row_count

TEXT, DATE, MONEY, INT = "text", "date", "money", "int"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Excel (and LibreOffice) treat a cell typed with these first characters as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_ROWS = 2000  # rows of a template pre-formatted as text and given dropdowns

MISSING_COLUMN = _("The column “%(column)s” is missing from the first row.")
DUPLICATE_COLUMN = _("The column “%(column)s” appears more than once in the first row.")
EMPTY_SHEET = _("The sheet is empty: the first row must hold the column headers.")
TOO_MANY_ROWS = _("The file has more than %(max)s data rows; split it into several files.")
BAD_DATE = _("Enter a date as YYYY-MM-DD.")
BAD_NUMBER = _("Enter a number.")
BAD_MONEY = _("Enter an amount with at most 2 decimal places.")
BAD_CHOICE = _("“%(value)s” is not one of: %(choices)s.")
REQUIRED = _("This column is required.")
TOO_MANY_SHEET_ROWS = _(
    "The sheet has more than %(max)s rows including blank ones; delete the blank rows at the end or split the file."
)
FORMULA_CELL = _("This cell holds a formula (%(formula)s); paste it as a value (Paste Special → Values).")

BLANK_ROWS_ALLOWED = 2000  # blank rows read beyond ``max_rows`` before the sheet counts as too long


@dataclass(frozen=True)
class Column:
    """One column: ``key`` in the row dicts, ``header`` (lazy, translated), its kind, and for dictionary
    columns the ``choices`` as (value, label) — written as labels, read back from labels or values."""

    key: str
    header: Any
    kind: str = TEXT
    required: bool = False
    choices: Sequence[tuple[str, Any]] = ()
    width: int = 16

    def header_text(self, *, mark_required: bool = False) -> str:
        return f"{self.header}*" if mark_required and self.required else str(self.header)


@dataclass
class CellError:
    column: str  # the column's header as the user sees it
    message: str


@dataclass
class SheetRow:
    """A data row as read: its Excel row number, its values by column key, and the cells that did not read."""

    number: int
    values: dict[str, Any]
    errors: list[CellError] = field(default_factory=list)


def export_filename(module: Any, now: dt.datetime | None = None) -> str:
    """``<模块>_<yyyyMMddHHmmss>.xlsx`` in the company's time zone."""
    stamp = timezone.localtime(now or timezone.now(), SHANGHAI).strftime("%Y%m%d%H%M%S")
    return f"{module}_{stamp}.xlsx"


#
# Writing
#


def _is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def _write_text(cell: Cell, value: Any) -> None:
    text = "" if value is None else str(value)
    cell.value = text
    # Always a string cell: openpyxl would store "=..." as a formula; Excel would read a number-like code as a
    # number. The quote prefix also keeps Excel from re-reading the text as a formula when the cell is edited.
    cell.data_type = "s"
    cell.number_format = "@"
    if _is_formula_like(text):
        cell.quotePrefix = True


def _local_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value, SHANGHAI).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, dt.date) else None


def write_cell(cell: Cell, column: Column, value: Any) -> None:
    """Write one cell by its column's kind (text as text, formula injection neutralised); public so that an app can
    build a workbook of several sheets (the reports' exports)."""
    if column.choices and value not in (None, ""):
        value = dict((str(v), str(label)) for v, label in column.choices).get(str(value), value)
    if value in (None, "") and column.kind != TEXT:
        return
    if column.kind == DATE and _local_date(value) is not None:
        cell.value = _local_date(value)
        cell.number_format = "yyyy-mm-dd"
    elif column.kind == MONEY and isinstance(value, int | float | Decimal):
        cell.value = Decimal(str(value)).quantize(Decimal("0.01"))
        cell.number_format = "#,##0.00"
    elif column.kind == INT and isinstance(value, int) and not isinstance(value, bool):
        cell.value = value
        cell.number_format = "0"
    else:
        _write_text(cell, value)


def write_header(sheet: Any, columns: Sequence[Column], *, mark_required: bool) -> None:
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index)
        _write_text(cell, column.header_text(mark_required=mark_required))
        cell.font = Font(bold=True, color="C00000") if mark_required and column.required else bold
        cell.fill = fill
        cell.alignment = Alignment(vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"


def _row_values(columns: Sequence[Column], row: Mapping[str, Any] | Sequence[Any]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(column.key) for column in columns]
    return list(row)


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _styled_cell(sheet: Any, value: Any, style: Any, *, text: bool = False) -> Cell:
    """A write-only cell with a style computed once per column and kind (setting a style per cell costs more than
    writing it)."""
    cell = WriteOnlyCell(sheet, value)
    if text:
        cell.data_type = "s"  # never a formula, never a number (see ``_write_text``)
        if _is_formula_like(value):
            cell.quotePrefix = True
            cell.number_format = "@"
            return cell
    cell._style = copy(style)
    return cell


class _RowWriter:
    """Turns a row's values into write-only cells by the rules of ``write_cell`` (text stays text, formula-like text
    is quoted, dates, amounts, whole numbers and choice labels), with one style per column kind."""

    def __init__(self, sheet: Any, columns: Sequence[Column]) -> None:
        self.sheet, self.columns = sheet, columns
        self.labels = [
            dict((str(v), str(label)) for v, label in column.choices) if column.choices else None for column in columns
        ]
        self.styles = {fmt: self._style(fmt) for fmt in ("@", "yyyy-mm-dd", "#,##0.00", "0")}

    def _style(self, number_format: str) -> Any:
        probe = WriteOnlyCell(self.sheet)
        probe.number_format = number_format
        return probe._style

    def cells(self, values: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        for column, labels, value in zip(self.columns, self.labels, values, strict=False):
            if labels is not None and value not in (None, ""):
                value = labels.get(str(value), value)
            if value in (None, ""):
                out.append(None)  # no cell at all: a blank reads back as blank, and 100,000 rows stay small
            elif column.kind == DATE and _local_date(value) is not None:
                out.append(_styled_cell(self.sheet, _local_date(value), self.styles["yyyy-mm-dd"]))
            elif column.kind == MONEY and isinstance(value, int | float | Decimal):
                amount = Decimal(str(value)).quantize(Decimal("0.01"))
                out.append(_styled_cell(self.sheet, amount, self.styles["#,##0.00"]))
            elif column.kind == INT and isinstance(value, int) and not isinstance(value, bool):
                out.append(_styled_cell(self.sheet, value, self.styles["0"]))
            else:
                out.append(_styled_cell(self.sheet, str(value), self.styles["@"], text=True))
        return out


def write_workbook(
    columns: Sequence[Column], rows: Iterable[Mapping[str, Any] | Sequence[Any]], *, title: Any = ""
) -> bytes:
    """Return an .xlsx of ``rows`` (dicts by column key, or sequences in column order) under a header row.

    Streamed (openpyxl's write-only mode): the rows may be a generator and are never held as cells in memory, so
    100,000 rows take seconds, not minutes. The cells read back exactly as ``write_cell`` writes them."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(title or "Sheet1")[:31])
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, column.header_text())
        cell.data_type, cell.number_format, cell.font, cell.fill = "s", "@", bold, fill
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    writer, count = _RowWriter(sheet, columns), 0
    for row in rows:
        sheet.append(writer.cells(_row_values(columns, row)))
        count += 1
    if count:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    return workbook_bytes(workbook)


def write_template(
    columns: Sequence[Column], *, title: Any = "", examples: Iterable[Mapping[str, Any]] = (), notes: Sequence[Any] = ()
) -> bytes:
    """Return an import template: required headers marked ``*``, dropdowns on choice columns (their lists on a
    hidden sheet), text columns pre-formatted as text, optional example rows, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title or "Sheet1")[:31]
    write_header(sheet, columns, mark_required=True)
    for row_index, row in enumerate(examples, start=2):
        for col_index, column in enumerate(columns, 1):
            write_cell(sheet.cell(row=row_index, column=col_index), column, row.get(column.key))
    lists = workbook.create_sheet("lists")
    lists.sheet_state = "hidden"
    list_col = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        if column.choices:
            list_col += 1
            list_letter = get_column_letter(list_col)
            for i, (_value, label) in enumerate(column.choices, start=1):
                _write_text(lists.cell(row=i, column=list_col), label)
            validation = DataValidation(
                type="list",
                allow_blank=not column.required,
                formula1=f"lists!${list_letter}$1:${list_letter}${len(column.choices)}",
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(validation)
        elif column.kind == TEXT:
            for template_row in range(2, TEMPLATE_ROWS + 2):
                sheet.cell(row=template_row, column=index).number_format = "@"
    if notes:
        help_sheet = workbook.create_sheet(str(_("Instructions"))[:31])
        help_sheet.column_dimensions["A"].width = 100
        for i, note in enumerate(notes, start=1):
            _write_text(help_sheet.cell(row=i, column=1), note)
    return workbook_bytes(workbook)


#
# Reading
#


def _header_key(text: Any) -> str:
    """A header compared without ``*``, spaces (full-width too) and case."""
    return re.sub(r"[\s*＊]+", "", unicodedata.normalize("NFKC", str(text or ""))).lower()


def _header_aliases(column: Column) -> set[str]:
    """The column's header in every language of the site, so a file made in either language reads."""
    aliases = {_header_key(column.header), _header_key(column.key)}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            aliases.add(_header_key(str(column.header)))
    return aliases


def _map_headers(header_row: Sequence[Any], columns: Sequence[Column]) -> tuple[dict[int, Column], list[str]]:
    """Map sheet column positions to columns by header name; report missing required and repeated headers."""
    lookup = {alias: column for column in columns for alias in _header_aliases(column)}
    found: dict[int, Column] = {}
    errors: list[str] = []
    for position, text in enumerate(header_row):
        column = lookup.get(_header_key(text))
        if column is None:
            continue  # extra columns are allowed and ignored
        if column in found.values():
            errors.append(str(DUPLICATE_COLUMN % {"column": column.header}))
            continue
        found[position] = column
    for column in columns:
        if column.required and column not in found.values():
            errors.append(str(MISSING_COLUMN % {"column": column.header}))
    return found, errors


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed into a number cell comes back as 13800138000.0
    if isinstance(value, dt.datetime):
        value = value.date()
    return "" if value is None else str(value).strip()


def _choice_lookup(column: Column) -> dict[str, str]:
    """Every way a choice may be written (its value, its label in each language) → its value."""
    lookup: dict[str, str] = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in column.choices:
                lookup[_header_key(str(label))] = str(value)
    for value, _label in column.choices:
        lookup[_header_key(value)] = str(value)
    return lookup


def _read_choice(text: str, column: Column, lookup: dict[str, str]) -> str:
    if _header_key(text) in lookup:
        return lookup[_header_key(text)]
    labels = "、".join(str(label) for _v, label in column.choices)
    raise ValueError(str(BAD_CHOICE % {"value": text, "choices": labels}))


def _read_value(value: Any, column: Column, lookup: dict[str, str]) -> Any:
    """Convert one cell to the column's kind; raise ValueError with the user's message when it cannot."""
    if column.kind == DATE and isinstance(value, dt.datetime | dt.date):
        return value.date() if isinstance(value, dt.datetime) else value
    text = _text(value)
    if not text:
        return None if column.kind != TEXT else ""
    if column.choices:
        return _read_choice(text, column, lookup)
    if column.kind == DATE:
        try:
            return dt.date.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError(str(BAD_DATE)) from None
    if column.kind == INT:
        try:
            return int(Decimal(text))
        except (InvalidOperation, ValueError):
            raise ValueError(str(BAD_NUMBER)) from None
    if column.kind == MONEY:
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise ValueError(str(BAD_MONEY)) from None
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError(str(BAD_MONEY))
        return amount.quantize(Decimal("0.01"))
    return text


def _read_row(
    number: int,
    cells: Sequence[Any],
    mapping: dict[int, Column],
    lookups: dict[str, dict[str, str]],
    formulas: frozenset[int] = frozenset(),
) -> SheetRow | None:
    """One data row (None when every mapped cell is blank); a formula cell is an error of its row."""
    row = SheetRow(number=number, values={})
    for position, column in mapping.items():
        raw = cells[position] if position < len(cells) else None
        if position in formulas:
            row.values[column.key] = _text(raw)
            row.errors.append(CellError(str(column.header), str(FORMULA_CELL % {"formula": _text(raw)[:40]})))
            continue
        try:
            row.values[column.key] = _read_value(raw, column, lookups.get(column.key, {}))
        except ValueError as error:
            row.values[column.key] = _text(raw)
            row.errors.append(CellError(str(column.header), str(error)))
    if all(v in (None, "") for v in row.values.values()):
        return None
    for column in mapping.values():
        if (
            column.required
            and row.values.get(column.key) in (None, "")
            and not any(e.column == str(column.header) for e in row.errors)
        ):
            row.errors.append(CellError(str(column.header), str(REQUIRED)))
    return row


def read_workbook(
    file: IO[bytes] | str, columns: Sequence[Column], *, max_rows: int | None = None
) -> tuple[list[SheetRow], list[str]]:
    """Read the first sheet: columns mapped by header name (row 1, any order, ``*`` and spaces ignored).

    Return the non-empty data rows with their Excel row numbers and the header problems; with header
    problems (or an unreadable or oversized file, or a formula cell read as an error of its row) no rows are
    returned. The package is checked before loading (``package_problem``); with ``max_rows`` the sheet may hold
    at most ``max_rows`` data rows and ``BLANK_ROWS_ALLOWED`` blank ones. The sheet is streamed (``_sheet_rows``);
    a formula is seen as one (its cached value may be missing, and a row of formulas would otherwise read as blank
    and be dropped without a word).
    """
    problem = package_problem(file)
    if problem:
        return [], [problem]
    rows_iter = _workbook_rows(file)
    try:
        first = next(rows_iter, None)
        header = first[1] if first else None
        if not header or all(v in (None, "") for v in header) or (first and first[0] != 1):
            return [], [str(EMPTY_SHEET)]
        mapping, errors = _map_headers(header, columns)
        if errors:
            return [], errors
        lookups = {column.key: _choice_lookup(column) for column in columns if column.choices}
        rows: list[SheetRow] = []
        sheet_rows_allowed = None if max_rows is None else max_rows + BLANK_ROWS_ALLOWED
        for number, cells, formulas in rows_iter:
            if sheet_rows_allowed is not None and number - 1 > sheet_rows_allowed:
                return [], [str(TOO_MANY_SHEET_ROWS % {"max": sheet_rows_allowed})]
            row = _read_row(number, cells, mapping, lookups, formulas)
            if row is not None:
                rows.append(row)
                if max_rows is not None and len(rows) > max_rows:
                    return [], [str(TOO_MANY_ROWS % {"max": max_rows})]
        return rows, []
    except Exception:  # a broken part (bad XML, a missing string) or, through openpyxl, any of its many kinds
        return [], [str(NOT_AN_XLSX)]
    finally:
        rows_iter.close()
