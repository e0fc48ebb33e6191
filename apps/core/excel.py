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
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from copy import copy
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.worksheet.datavalidation import DataValidation

TEXT, DATE, MONEY, INT = "text", "date", "money", "int"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# Excel (and LibreOffice) treat a cell typed with these first characters as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_ROWS = 2000  # rows of a template pre-formatted as text and given dropdowns

MISSING_COLUMN = _("The column “%(column)s” is missing from the first row.")
DUPLICATE_COLUMN = _("The column “%(column)s” appears more than once in the first row.")
NOT_AN_XLSX = _("This is not an Excel workbook (.xlsx) that can be read.")
EMPTY_SHEET = _("The sheet is empty: the first row must hold the column headers.")
TOO_MANY_ROWS = _("The file has more than %(max)s data rows; split it into several files.")
BAD_DATE = _("Enter a date as YYYY-MM-DD.")
BAD_NUMBER = _("Enter a number.")
BAD_MONEY = _("Enter an amount with at most 2 decimal places.")
BAD_CHOICE = _("“%(value)s” is not one of: %(choices)s.")
REQUIRED = _("This column is required.")
TOO_LARGE = _(
    "The workbook unpacks to more than %(mb)s MB (blank formatted rows or pictures); copy the data into a new "
    "workbook or split it into several files."
)
TOO_MANY_SHEET_ROWS = _(
    "The sheet has more than %(max)s rows including blank ones; delete the blank rows at the end or split the file."
)
FORMULA_CELL = _("This cell holds a formula (%(formula)s); paste it as a value (Paste Special → Values).")

# Limits checked before a workbook is read: an .xlsx is a zip, and a small file can unpack to gigabytes (a 0.2 MB
# file of shared strings took 1.45 GB in openpyxl; 9 MB of formatted blank rows held a worker 95 s). The sheet itself
# is streamed (``_sheet_rows``), so its size costs time, not memory: the limit admits 100,000 rows of 15 columns
# (about 90 MB as Excel writes them); the shared strings are held in memory and have their own limit.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024
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


def package_problem(file: IO[bytes] | str) -> str | None:
    """What stops a workbook from being loaded at all: not a zip, or unpacking beyond the limits. Read from the
    zip's directory only (nothing is unpacked); a file object is rewound afterwards."""
    position = file.tell() if not isinstance(file, str) else None
    try:
        with zipfile.ZipFile(file) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return str(NOT_AN_XLSX)
    finally:
        if position is not None and not isinstance(file, str):
            file.seek(position)
    unpacked = sum(entry.file_size for entry in entries)
    shared = sum(entry.file_size for entry in entries if entry.filename.lower() == "xl/sharedstrings.xml")
    if unpacked > MAX_UNPACKED_BYTES or shared > MAX_SHARED_STRINGS_BYTES:
        return str(TOO_LARGE % {"mb": MAX_UNPACKED_BYTES // (1024 * 1024)})
    return None


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
# The sheet's elements the reader looks at, by their namespaced name as expat reports it ("uri local").
_TAGS = {f"{_MAIN_NS} {local}": local for local in ("row", "c", "v", "f", "is", "t", "rPh", "si")}
_CHUNK = 1 << 20


@dataclass
class _Package:
    """What reading the first sheet needs from the rest of the package."""

    sheet: str
    shared: list[str]
    date_styles: frozenset[int]
    epoch: dt.datetime


def _part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in f"{base}/{target}".split("/"):
        if piece == "..":
            parts.pop()
        elif piece and piece != ".":
            parts.append(piece)
    return "/".join(parts)


def _xml(package: zipfile.ZipFile, name: str) -> ElementTree.Element:
    """A small part of the package, parsed; a part with a DTD (never in a workbook: entity tricks) is refused."""
    data = package.read(name)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise ValueError(f"{name} declares a DTD")
    return ElementTree.fromstring(data)


def _refuse_dtd(*args: Any) -> None:
    raise ValueError("the sheet declares a DTD")


def _expat() -> Any:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def _shared_strings(package: zipfile.ZipFile, name: str) -> list[str]:
    """The shared strings in order: each item's ``<t>`` runs without the phonetic guides (``<rPh>``), streamed."""
    shared: list[str] = []
    state: dict[str, Any] = {"text": None, "item": [], "rph": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _TAGS.get(tag)
        if local == "t" and not state["rph"]:
            state["text"] = []
        elif local == "rPh":
            state["rph"] += 1
        elif local == "si":
            state["item"] = []

    def data(text: str) -> None:
        if state["text"] is not None:
            state["text"].append(text)

    def end(tag: str) -> None:
        local = _TAGS.get(tag)
        if local == "t" and state["text"] is not None:
            state["item"].extend(state["text"])
            state["text"] = None
        elif local == "rPh":
            state["rph"] -= 1
        elif local == "si":
            shared.append("".join(state["item"]))

    parser = _expat()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    with package.open(name) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    return shared


def _read_package(package: zipfile.ZipFile) -> _Package | None:
    """The first sheet's part, the shared strings, the styles that show dates, the date epoch; None for a package
    laid out otherwise (it is read by openpyxl instead)."""
    names = set(package.namelist())
    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return None
    book = _xml(package, "xl/workbook.xml")
    first = book.find(f"{{{_MAIN_NS}}}sheets/{{{_MAIN_NS}}}sheet")
    rels = _xml(package, "xl/_rels/workbook.xml.rels")
    targets = {
        r.get("Id"): (r.get("Type", ""), r.get("Target", "")) for r in rels.iter(f"{{{_PKG_REL_NS}}}Relationship")
    }
    if first is None or first.get(f"{{{_REL_NS}}}id") not in targets:
        return None
    sheet = _part_path("xl", targets[first.get(f"{{{_REL_NS}}}id")][1])
    found = {kind.rsplit("/", 1)[-1]: _part_path("xl", target) for kind, target in targets.values()}
    shared = _shared_strings(package, found["sharedStrings"]) if found.get("sharedStrings") in names else []
    date_styles: set[int] = set()
    if found.get("styles") in names:
        styles = _xml(package, found["styles"])
        formats = {int(k): v for k, v in BUILTIN_FORMATS.items()}
        for fmt in styles.iter(f"{{{_MAIN_NS}}}numFmt"):
            formats[int(fmt.get("numFmtId", "0"))] = fmt.get("formatCode", "")
        xfs = styles.find(f"{{{_MAIN_NS}}}cellXfs")
        for index, xf in enumerate(xfs if xfs is not None else []):
            if is_date_format(formats.get(int(xf.get("numFmtId", "0")), "")):
                date_styles.add(index)
    properties = book.find(f"{{{_MAIN_NS}}}workbookPr")
    date1904 = properties is not None and properties.get("date1904") in ("1", "true")
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    return _Package(sheet, shared, frozenset(date_styles), epoch)


def _column_index(reference: str, cache: dict[str, int]) -> int:
    """0-based column of a cell reference ("AB12" → 27)."""
    letters = reference.rstrip("0123456789")
    index = cache.get(letters)
    if index is None:
        index = 0
        for char in letters.upper():
            index = index * 26 + ord(char) - 64
        index = cache[letters] = index - 1
    return index


def _number(text: str) -> int | float:
    return float(text) if any(ch in text for ch in ".eE") else int(text)


def _sheet_rows(package: zipfile.ZipFile, info: _Package) -> Iterator[tuple[int, list[Any], frozenset[int]]]:
    """Stream the sheet's rows as (row number, cell values by position, positions holding a formula), the values
    typed as openpyxl types them (shared and inline strings, numbers, booleans, dates by their cell style, a formula
    as "=…"). Expat straight over the zipped part: no element objects, so 100,000 rows read in seconds."""
    done: list[tuple[int, list[Any], frozenset[int]]] = []
    columns: dict[str, int] = {}
    state: dict[str, Any] = {"row": 0, "cells": {}, "formulas": set(), "text": None, "rph": 0}

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = _TAGS.get(name)
        if tag == "c":
            ref = attrs.get("r")
            state["col"] = _column_index(ref, columns) if ref else state["col"] + 1
            state["type"], state["style"] = attrs.get("t", "n"), int(attrs.get("s", 0))
            state["v"], state["f"], state["inline"] = None, None, None
        elif tag == "row":
            state["row"] = int(attrs["r"]) if "r" in attrs else state["row"] + 1
            state["cells"], state["formulas"], state["col"] = {}, set(), -1
        elif tag in ("v", "f") or (tag == "t" and not state["rph"]):
            state["text"] = []
        elif tag == "rPh":
            state["rph"] += 1

    def data(text: str) -> None:
        if state["text"] is not None:
            state["text"].append(text)

    def end(name: str) -> None:
        tag = _TAGS.get(name)
        if tag in ("v", "f", "t") and state["text"] is not None:
            text = "".join(state["text"])
            state["text"] = None
            if tag == "t":
                state["inline"] = (state["inline"] or "") + text
            else:
                state[tag] = text
        elif tag == "rPh":
            state["rph"] -= 1
        elif tag == "c":
            state["cells"][state["col"]] = _cell_value(state, info)
            if state["f"] is not None:
                state["formulas"].add(state["col"])
        elif tag == "row":
            cells = state["cells"]
            values = [cells.get(i) for i in range(max(cells) + 1)] if cells else []
            done.append((state["row"], values, frozenset(state["formulas"])))

    parser = _expat()
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, data
    with package.open(info.sheet) as stream:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
            yield from done
            done.clear()
        parser.Parse(b"", True)
    yield from done


def _cell_value(state: dict[str, Any], info: _Package) -> Any:
    kind, value = state["type"], state["v"]
    if state["f"] is not None:
        return "=" + state["f"]
    if kind == "inlineStr":
        return state["inline"]
    if value is None or value == "":
        return None
    if kind == "s":
        return info.shared[int(value)]
    if kind == "n":
        number = _number(value)
        if state["style"] in info.date_styles:
            try:
                return from_excel(number, info.epoch)
            except (ValueError, OverflowError):
                return "#VALUE!"
        return number
    if kind == "b":
        return bool(int(value))
    if kind == "d":
        return dt.datetime.fromisoformat(value)
    return value  # "str" (a formula's text result), "e" (an error such as #N/A)


def _openpyxl_rows(file: IO[bytes] | str) -> Iterator[tuple[int, list[Any], frozenset[int]]]:
    """The same rows through openpyxl, for a package the streaming reader does not know how to lay out."""
    workbook = load_workbook(file, read_only=True, data_only=False)
    try:
        for number, sheet_row in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            cells = [cell.value for cell in sheet_row]
            formulas = frozenset(i for i, cell in enumerate(sheet_row) if getattr(cell, "data_type", "") == "f")
            yield number, cells, formulas
    finally:
        workbook.close()


def _workbook_rows(file: IO[bytes] | str) -> Generator[tuple[int, list[Any], frozenset[int]]]:
    with zipfile.ZipFile(file) as package:
        info = _read_package(package)
        if info is not None and info.sheet in package.namelist():
            yield from _sheet_rows(package, info)
            return
    if not isinstance(file, str):
        file.seek(0)
    yield from _openpyxl_rows(file)


def sheet_row_count(file: IO[bytes] | str) -> int:
    """How many rows (blank ones included) the first sheet holds besides the header, counted from its row elements
    without reading a cell: a page decides by it whether a file is checked while it waits (a file object is rewound).
    0 for a package that cannot be read (``read_workbook`` says why)."""
    position = file.tell() if not isinstance(file, str) else None
    try:
        if package_problem(file):
            return 0
        with zipfile.ZipFile(file) as package:
            info = _read_package(package)
            if info is None or info.sheet not in package.namelist():
                return 0
            count, tail = 0, b""
            with package.open(info.sheet) as stream:
                while chunk := stream.read(_CHUNK):
                    text = tail + chunk
                    count += text.count(b"<row ") + text.count(b"<row>") + text.count(b":row ")
                    tail = text[-5:]
                    count -= tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")
                count += tail.count(b"<row ") + tail.count(b"<row>") + tail.count(b":row ")
            return max(0, count - 1)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, ElementTree.ParseError):
        return 0
    finally:
        if position is not None and not isinstance(file, str):
            file.seek(position)


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
