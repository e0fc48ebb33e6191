"""Exports of the cockpit and the department reports: Excel (a sheet per section; numbers as numbers with number
formats, text through ``core.excel``'s writer so formula-like text stays text) and PDF (WeasyPrint from the same
section templates as the page, Chinese set in Noto Sans CJK from Debian's fonts-noto-cjk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook

from apps.core import pdf as core_pdf
from apps.core.excel import DATE, INT, MONEY, TEXT, Column, workbook_bytes, write_cell, write_header

PDF_CSS = Path(__file__).resolve().parent / "pdf.css"
PCT_FORMAT = '0.0"%"'
SCORE_FORMAT = "0.00"


def _columns() -> list[Column]:
    return [
        Column("label", _("Figure"), TEXT, width=28),
        Column("value", _("This period"), width=16),
        Column("previous", _("Previous period"), width=16),
        Column("previous_change", _("Change on previous period"), width=14),
        Column("year_before", _("Same period last year"), width=16),
        Column("year_change", _("Change on last year"), width=14),
    ]


def _write_number(cell: Any, value: Any, unit: str, *, change: bool = False) -> None:
    if value is None or value == "":
        return
    if change or unit in ("pct",):
        cell.value = Decimal(str(value))
        cell.number_format = PCT_FORMAT if not change or unit not in ("pct", "score") else "+0.0;-0.0;0.0"
        return
    if unit == "date":
        write_cell(cell, Column("v", "", DATE), dt.date.fromisoformat(str(value)))
        return
    column = Column("v", "", MONEY if unit == "money" else INT)
    if unit == "money":
        write_cell(cell, column, Decimal(str(value)))
    elif unit == "count":
        write_cell(cell, column, int(value))
    else:
        cell.value = Decimal(str(value))
        cell.number_format = SCORE_FORMAT


def figures_workbook(
    sections: list[dict[str, Any]], extra_sheets: Sequence[tuple[str, list[Column], list[Any]]] = ()
) -> bytes:
    """One sheet per section (the figures as JSON: ``cockpit_json``'s sections), then any extra sheets."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    columns = _columns()
    for section in sections:
        sheet = workbook.create_sheet(str(section["label"])[:31])
        write_header(sheet, columns, mark_required=False)
        for row, figure in enumerate(section["figures"], start=2):
            write_cell(sheet.cell(row=row, column=1), columns[0], figure["label"])
            unit = figure["unit"]
            _write_number(sheet.cell(row=row, column=2), figure["value"], unit)
            _write_number(sheet.cell(row=row, column=3), figure["previous"], unit)
            _write_number(sheet.cell(row=row, column=4), figure["previous_change"], unit, change=True)
            _write_number(sheet.cell(row=row, column=5), figure["year_before"], unit)
            _write_number(sheet.cell(row=row, column=6), figure["year_change"], unit, change=True)
    for title, cols, rows in extra_sheets:
        sheet = workbook.create_sheet(str(title)[:31])
        write_header(sheet, cols, mark_required=False)
        for r, values in enumerate(rows, start=2):
            for c, (column, value) in enumerate(zip(cols, values, strict=False), start=1):
                write_cell(sheet.cell(row=r, column=c), column, value)
    return workbook_bytes(workbook)


def pdf_from_template(template: str, context: dict[str, Any], base_url: str = "") -> bytes:
    """Render the template to PDF with WeasyPrint (fonts embedded), in the reports' print stylesheet."""
    return core_pdf.pdf_from_template(template, context, stylesheets=[PDF_CSS], base_url=base_url)


def cockpit_pdf(user: Any, period: Any, unit: str = "yuan") -> tuple[bytes, list[Any]]:
    """The cockpit as ``user`` may see it, as PDF; with its sections (for a summary)."""
    from apps.reports.selectors.cockpit import cockpit, sections_for

    sections = cockpit(user, period, sections=sections_for(user))
    context = {
        "period": period,
        "previous": period.previous(),
        "year_before": period.year_before(),
        "sections": sections,
        "unit": unit,
        "static": True,
    }
    return pdf_from_template("reports/cockpit_pdf.html", context), sections


def pack_pdf(user: Any, key: str, unit: str = "yuan") -> tuple[bytes, list[Any]]:
    """The period's department reports as ``user`` may see them, as one PDF."""
    from apps.reports.selectors.reports import pack

    reports = pack(user=user, key=key)
    return pdf_from_template("reports/pack_pdf.html", {"key": key, "reports": reports, "unit": unit}), reports
