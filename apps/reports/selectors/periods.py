"""The cockpit's periods: 本月 / 本季度 / 本年 / 上年 / custom, and the two periods every figure is compared with:
环比 (the period just before, of the same length) and 同比 (the same period a year earlier)."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

MONTH, QUARTER, YEAR, LAST_YEAR, CUSTOM = "month", "quarter", "year", "last_year", "custom"
PERIOD_CHOICES = [
    (MONTH, _("This month")),
    (QUARTER, _("This quarter")),
    (YEAR, _("This year")),
    (LAST_YEAR, _("Last year")),
    (CUSTOM, _("Custom")),
]
_MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12, LAST_YEAR: 12}


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clipped to the month's last day (29 Feb → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class ReportPeriod:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def whole_months(self) -> int | None:
        """The number of whole calendar months the period covers, or None when it is not whole months."""
        if self.start.day != 1 or self.end != _month_end(self.end.year, self.end.month):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> ReportPeriod:
        """环比: the period just before — the previous month / quarter / year, else as many days just before."""
        months = self.whole_months
        if months:
            return ReportPeriod(self.kind, add_months(self.start, -months), self.start - dt.timedelta(days=1))
        days = (self.end - self.start).days + 1
        return ReportPeriod(self.kind, self.start - dt.timedelta(days=days), self.start - dt.timedelta(days=1))

    def year_before(self) -> ReportPeriod:
        """同比: the same period a year earlier (a whole month keeps its last day: Feb 2024 → Feb 2023)."""
        end = add_months(self.end, -12)
        if self.whole_months:
            end = _month_end(end.year, end.month)
        return ReportPeriod(self.kind, add_months(self.start, -12), end)

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}~{self.end.isoformat()}"


def month_period(year: int, month: int) -> ReportPeriod:
    return ReportPeriod(MONTH, dt.date(year, month, 1), _month_end(year, month))


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    first = (quarter - 1) * 3 + 1
    return ReportPeriod(QUARTER, dt.date(year, first, 1), _month_end(year, first + 2))


def resolve_period(kind: str, start: dt.date | None, end: dt.date | None, today: dt.date) -> ReportPeriod:
    """The preset around today, or a custom range (reversed bounds swapped, a missing one defaulted)."""
    if kind == CUSTOM and (start or end):
        first, last = start or dt.date(today.year, 1, 1), end or today
        return ReportPeriod(CUSTOM, min(first, last), max(first, last))
    if kind == LAST_YEAR:
        return ReportPeriod(LAST_YEAR, dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    kind = kind if kind in _MONTHS else MONTH
    months = _MONTHS[kind]
    first_month = (today.month - 1) // months * months + 1
    return ReportPeriod(kind, dt.date(today.year, first_month, 1), _month_end(today.year, first_month + months - 1))


def parse_date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def period_from(params: Any, today: dt.date) -> ReportPeriod:
    """The period a page or the API asks for: ``period`` (preset), ``start`` and ``end`` (custom)."""
    return resolve_period(
        params.get("period", ""), parse_date(params.get("start")), parse_date(params.get("end")), today
    )
