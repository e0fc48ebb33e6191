"""Calendar periods the dashboards share: 本月 / 本季度 / 本年 around a day, or a custom range of days.

The marketing and service dashboards resolve their period here; the sales attainment periods (fiscal month, quarter,
year, year-to-date with their month numbers), the cockpit's periods (with 环比 and 同比) and the performance spans
keep their own richer types, built on the same month arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from apps.core.workdays import TZ

PERIOD_MONTH, PERIOD_QUARTER, PERIOD_YEAR, PERIOD_CUSTOM = "month", "quarter", "year", "custom"
PERIOD_CHOICES = [
    (PERIOD_MONTH, _("This month")),
    (PERIOD_QUARTER, _("This quarter")),
    (PERIOD_YEAR, _("This year")),
    (PERIOD_CUSTOM, _("Custom")),
]
PERIOD_MONTHS = {PERIOD_MONTH: 1, PERIOD_QUARTER: 3, PERIOD_YEAR: 12}


def month_end(year: int, month: int) -> dt.date:
    """The last day of the month."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def period_containing(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The calendar period of ``months`` months (1, 3, 6, 12) that contains ``day``."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    end_month = first_month + months
    after = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, after - dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in Asia/Shanghai."""
        return (
            dt.datetime.combine(self.start, dt.time(0), TZ),
            dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(0), TZ),
        )

    @property
    def months(self) -> int:
        """The calendar months the period touches."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def resolve_period(kind: str, start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    """本月 / 本季度 / 本年 around today (anything else: this quarter), or a custom range (reversed bounds are
    swapped; a missing start is 1 January, a missing end today)."""
    if kind == PERIOD_CUSTOM and (start or end):
        first, last = start or dt.date(today.year, 1, 1), end or today
        return Period(PERIOD_CUSTOM, min(first, last), max(first, last))
    kind = kind if kind in PERIOD_MONTHS else PERIOD_QUARTER
    return Period(kind, *period_containing(today, PERIOD_MONTHS[kind]))
