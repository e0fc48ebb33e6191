"""The cockpit's periods: 本月 / 本季度 / 本年 / 上年 / custom, and the two periods every figure is compared with:
环比 (the period just before, of the same length) and 同比 (the same period a year earlier)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core.periods import Period, add_months, custom_range, month_end, period_containing

MONTH, QUARTER, YEAR, LAST_YEAR, CUSTOM = "month", "quarter", "year", "last_year", "custom"
PERIOD_CHOICES = [
    (MONTH, _("This month")),
    (QUARTER, _("This quarter")),
    (YEAR, _("This year")),
    (LAST_YEAR, _("Last year")),
    (CUSTOM, _("Custom")),
]
_MONTHS = {MONTH: 1, QUARTER: 3, YEAR: 12, LAST_YEAR: 12}


@dataclass(frozen=True)
class ReportPeriod(Period):
    """A cockpit period: ``core.periods.Period`` with its 环比 and 同比 and a key."""

    def previous(self) -> ReportPeriod:
        """环比: the period just before — the previous month / quarter / year, else as many days just before."""
        months = self.whole_months
        if months:
            return ReportPeriod(self.kind, add_months(self.start, -months), self.start - dt.timedelta(days=1))
        return ReportPeriod(self.kind, self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_before(self) -> ReportPeriod:
        """同比: the same period a year earlier (a whole month keeps its last day: Feb 2024 → Feb 2023)."""
        end = add_months(self.end, -12)
        if self.whole_months:
            end = month_end(end.year, end.month)
        return ReportPeriod(self.kind, add_months(self.start, -12), end)

    @property
    def key(self) -> str:
        return f"{self.start.isoformat()}~{self.end.isoformat()}"


def month_period(year: int, month: int) -> ReportPeriod:
    return ReportPeriod(MONTH, dt.date(year, month, 1), month_end(year, month))


def quarter_period(year: int, quarter: int) -> ReportPeriod:
    first = (quarter - 1) * 3 + 1
    return ReportPeriod(QUARTER, dt.date(year, first, 1), month_end(year, first + 2))


def resolve_period(kind: str, start: dt.date | None, end: dt.date | None, today: dt.date) -> ReportPeriod:
    """The preset around today, or a custom range (reversed bounds swapped, a missing one defaulted)."""
    if kind == CUSTOM and (start or end):
        return ReportPeriod(CUSTOM, *custom_range(start, end, today))
    if kind == LAST_YEAR:
        return ReportPeriod(LAST_YEAR, dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31))
    kind = kind if kind in _MONTHS else MONTH
    return ReportPeriod(kind, *period_containing(today, _MONTHS[kind]))


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
