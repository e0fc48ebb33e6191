"""Import hardening (issue 10, "Import hardening"): a workbook is checked before it is loaded — a small file that
unpacks to gigabytes or a sheet of endless blank rows is refused with a message, and a formula cell is an error of
its row instead of a silently dropped row."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Font

from apps.core import excel
from apps.core.excel import Column

COLUMNS = [Column("name", "客户名称", required=True), Column("mobile", "手机")]


def _workbook(rows: list[list[object]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(["客户名称", "手机"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _with_huge_shared_strings(source: io.BytesIO, size: int) -> io.BytesIO:
    """Rewrite the package so that its shared strings unpack to ``size`` bytes (compressing to almost nothing)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != "xl/sharedStrings.xml":
                new.writestr(item, old.read(item.filename))
        text = b"a" * size
        new.writestr(
            "xl/sharedStrings.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
            b'openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>'
            + text
            + b"</t></si></sst>",
        )
    out.seek(0)
    return out


def test_a_small_file_that_unpacks_to_more_than_the_limit_is_refused_without_loading(monkeypatch) -> None:
    bomb = _with_huge_shared_strings(_workbook([["上海华信", "13800138000"]]), excel.MAX_SHARED_STRINGS_BYTES + 1)
    assert len(bomb.getvalue()) < 200_000  # small on disk

    def never(*args, **kwargs):
        raise AssertionError("the workbook was loaded")

    monkeypatch.setattr(excel.sheet, "load_workbook", never)  # where the fallback reader loads a workbook
    rows, errors = excel.read_workbook(bomb, COLUMNS, max_rows=10)
    assert rows == []
    assert errors == [str(excel.TOO_LARGE % {"mb": excel.MAX_UNPACKED_BYTES // (1024 * 1024)})]
    assert bomb.tell() == 0  # rewound for whoever reads it next


def test_a_normal_file_passes_the_package_check() -> None:
    assert excel.package_problem(_workbook([["上海华信", "13800138000"]])) is None
    assert excel.package_problem(io.BytesIO(b"not a zip")) == str(excel.NOT_AN_XLSX)


def test_endless_formatted_blank_rows_stop_the_read_with_a_message() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["客户名称", "手机"])
    sheet.append(["上海华信", "13800138000"])
    bold = Font(bold=True)
    for number in range(3, 3 + 10 + excel.BLANK_ROWS_ALLOWED + 5):
        sheet.cell(row=number, column=1).font = bold  # formatted, no value: Excel keeps such rows in the file
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    rows, errors = excel.read_workbook(buffer, COLUMNS, max_rows=10)
    assert rows == []
    assert errors == [str(excel.TOO_MANY_SHEET_ROWS % {"max": 10 + excel.BLANK_ROWS_ALLOWED})]


def test_a_few_blank_rows_at_the_end_are_fine() -> None:
    rows, errors = excel.read_workbook(
        _workbook([["上海华信", "13800138000"], [None, None], [None, None]]), COLUMNS, max_rows=10
    )
    assert errors == [] and [r.values["name"] for r in rows] == ["上海华信"]


def test_a_formula_cell_is_an_error_of_its_row_not_a_dropped_row() -> None:
    book = _workbook([["上海华信", "13800138000"], ['=CONCAT("北京","瑞丰")', "13900139000"]])
    rows, errors = excel.read_workbook(book, COLUMNS, max_rows=10)
    assert errors == []
    assert [r.number for r in rows] == [2, 3]
    assert rows[0].errors == []
    [error] = rows[1].errors
    assert error.column == "客户名称"
    assert error.message == str(excel.FORMULA_CELL % {"formula": '=CONCAT("北京","瑞丰")'})


def test_the_streaming_reader_reads_what_openpyxl_reads() -> None:
    """The sheet is streamed by its own reader (issue 14: 100,000 rows in seconds); every kind of cell a workbook
    saved by Excel or WPS holds reads as openpyxl reads it: shared strings, numbers, booleans, dates by their style,
    formulas, gaps between cells and rows."""
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["客户名称", "手机", "日期", "金额", "是否"])
    sheet.append(["上海华信", 13800138000, dt.datetime(2026, 3, 1), 12.5, True])
    sheet.append([None, '=A2&"x"', None, 3, False])
    sheet.cell(row=6, column=4, value="后面")
    buffer = io.BytesIO()
    book.save(buffer)
    streamed = list(excel._workbook_rows(io.BytesIO(buffer.getvalue())))
    by_openpyxl = [row for row in excel._openpyxl_rows(io.BytesIO(buffer.getvalue())) if any(row[1])]
    assert [(n, [v for v in cells if v is not None], f) for n, cells, f in streamed] == [
        (n, [v for v in cells if v is not None], f) for n, cells, f in by_openpyxl
    ]
    assert streamed[1][1] == ["上海华信", 13800138000, dt.datetime(2026, 3, 1), 12.5, True]
    assert streamed[2][2] == frozenset({1}) and streamed[-1][0] == 6


def test_the_row_count_reads_no_cell() -> None:
    rows = [[f"客户{i}", f"138{i:08d}"] for i in range(2500)]
    assert excel.sheet_row_count(_workbook(rows)) == 2500
    assert excel.sheet_row_count(io.BytesIO(excel.write_workbook(COLUMNS, [{"name": "甲"}] * 7))) == 7
    assert excel.sheet_row_count(io.BytesIO(b"not a zip")) == 0
