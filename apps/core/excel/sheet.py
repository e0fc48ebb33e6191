"""The low-level side of reading an .xlsx: the package checks made before anything is unpacked, and a streaming
reader of the first sheet (expat over the sheet XML, typed as openpyxl types cells), with openpyxl as the fallback
for a package laid out unusually. ``apps.core.excel`` reads rows by header name on top of it."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree import ElementTree
from xml.parsers import expat

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

NOT_AN_XLSX = _("This is not an Excel workbook (.xlsx) that can be read.")
TOO_LARGE = _(
    "The workbook unpacks to more than %(mb)s MB (blank formatted rows or pictures); copy the data into a new "
    "workbook or split it into several files."
)

# Limits checked before a workbook is read: an .xlsx is a zip, and a small file can unpack to gigabytes (a 0.2 MB
# file of shared strings took 1.45 GB in openpyxl; 9 MB of formatted blank rows held a worker 95 s). The sheet itself
# is streamed (``_sheet_rows``), so its size costs time, not memory: the limit admits 100,000 rows of 15 columns
# (about 90 MB as Excel writes them); the shared strings are held in memory and have their own limit.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024


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
