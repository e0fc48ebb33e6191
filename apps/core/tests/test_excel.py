"""The Excel helpers: round trip, columns by header name in any order, text columns, formula neutralisation."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook

from apps.core import excel
from apps.core.excel import DATE, INT, MONEY, Column

LEVELS = [("A", _("Key customer")), ("B", _("Regular customer"))]
COLUMNS = [
    Column("name", _("Name"), required=True),
    Column("mobile", _("Mobile")),
    Column("signed_on", _("Date"), kind=DATE),
    Column("amount", _("Amount"), kind=MONEY),
    Column("count", _("Count"), kind=INT),
    Column("level", _("Level"), choices=LEVELS),
]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _sheet(data: bytes) -> object:
    return load_workbook(io.BytesIO(data)).active


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


class WriteTests:
    def test_phones_are_text_dates_are_dates_money_has_two_decimals(self) -> None:
        data = excel.write_workbook(
            COLUMNS,
            [
                {
                    "name": "华信",
                    "mobile": "13800138000",
                    "signed_on": dt.date(2026, 3, 1),
                    "amount": Decimal("12.5"),
                    "count": 3,
                    "level": "A",
                }
            ],
        )
        sheet = _sheet(data)
        assert [c.value for c in sheet[1]] == ["Name", "Mobile", "Date", "Amount", "Count", "Level"]
        mobile, date, amount = sheet["B2"], sheet["C2"], sheet["D2"]
        assert (mobile.value, mobile.data_type, mobile.number_format) == ("13800138000", "s", "@")
        assert date.value == dt.datetime(2026, 3, 1) and date.number_format == "yyyy-mm-dd"
        assert amount.value == 12.5 and amount.number_format == "#,##0.00"
        assert sheet["F2"].value == "Key customer"  # choices are written as their labels

    @pytest.mark.parametrize("text", ["=1+1", "+1+1", "-2+3", "@SUM(A1)", '=HYPERLINK("http://x","y")', "\t=1"])
    def test_a_formula_like_text_is_written_as_text(self, text: str) -> None:
        cell = _sheet(excel.write_workbook(COLUMNS, [{"name": text}]))["A2"]
        assert cell.data_type != "f"
        assert cell.value == text
        assert cell.quotePrefix

    def test_a_template_marks_required_columns_and_has_dropdowns(self) -> None:
        workbook = load_workbook(io.BytesIO(excel.write_template(COLUMNS, notes=["fill in"])))
        sheet = workbook.worksheets[0]
        assert sheet["A1"].value == "Name*" and sheet["B1"].value == "Mobile"
        validations = sheet.data_validations.dataValidation
        assert len(validations) == 1 and "F2" in str(validations[0].sqref)
        assert workbook["lists"].sheet_state == "hidden"
        assert [c.value for c in workbook["lists"]["A"]] == ["Key customer", "Regular customer"]
        assert sheet["B2"].number_format == "@"

    def test_the_file_name_carries_the_module_and_the_shanghai_time(self) -> None:
        moment = dt.datetime(2026, 1, 31, 17, 5, 9, tzinfo=dt.UTC)
        assert excel.export_filename("客户", moment) == "客户_20260201010509.xlsx"


class ReadTests:
    def test_round_trip(self) -> None:
        row = {
            "name": "华信",
            "mobile": "13800138000",
            "signed_on": dt.date(2026, 3, 1),
            "amount": Decimal("12.50"),
            "count": 3,
            "level": "B",
        }
        rows, errors = excel.read_workbook(io.BytesIO(excel.write_workbook(COLUMNS, [row])), COLUMNS)
        assert errors == []
        assert [(r.number, r.values, r.errors) for r in rows] == [(2, row, [])]

    def test_columns_are_mapped_by_header_in_any_order_with_extra_columns(self) -> None:
        file = _xlsx(
            [
                ["备注", " Level ", "Mobile", "Name *"],
                ["x", "Key customer", 13800138000, "甲"],
                [None, None, None, None],
                ["y", "B", "139 0000 0000", "乙"],
            ]
        )
        rows, errors = excel.read_workbook(file, COLUMNS)
        assert errors == []
        assert [(r.number, r.values["name"], r.values["mobile"], r.values["level"]) for r in rows] == [
            (2, "甲", "13800138000", "A"),
            (4, "乙", "139 0000 0000", "B"),
        ]

    def test_headers_read_in_either_language(self) -> None:
        data = excel.write_workbook(COLUMNS[:2], [{"name": "甲"}])
        with translation.override("zh-hans"):
            rows, errors = excel.read_workbook(io.BytesIO(data), COLUMNS[:2])
        assert errors == [] and rows[0].values["name"] == "甲"

    def test_a_missing_required_column_is_a_header_error(self) -> None:
        rows, errors = excel.read_workbook(_xlsx([["Mobile"], ["13800138000"]]), COLUMNS)
        assert rows == [] and len(errors) == 1 and "Name" in errors[0]

    def test_bad_cells_are_reported_with_their_row_and_column(self) -> None:
        file = _xlsx([["Name", "Date", "Level", "Amount"], ["", "2026-13-01", "Z", "1.005"]])
        rows, errors = excel.read_workbook(file, COLUMNS)
        assert errors == []
        assert rows[0].number == 2
        assert sorted(e.column for e in rows[0].errors) == ["Amount", "Date", "Level", "Name"]

    def test_not_an_xlsx(self) -> None:
        rows, errors = excel.read_workbook(io.BytesIO(b"hello"), COLUMNS)
        assert rows == [] and errors

    def test_too_many_rows(self) -> None:
        file = _xlsx([["Name"], ["a"], ["b"], ["c"]])
        rows, errors = excel.read_workbook(file, COLUMNS, max_rows=2)
        assert rows == [] and "2" in errors[0]
