"""Calendar periods, written once: month arithmetic (``month_end``, ``add_months``, ``period_containing``),
the days and moments of a period (``DaySpan``), and 本月 / 本季度 / 本年 around a day or a custom range (``Period``).

The marketing and service dashboards resolve their period here; the sales attainment periods (fiscal month, quarter,
year, year-to-date with their month numbers), the cockpit's periods (with 环比 and 同比) and the performance spans
add what they need on top: they extend ``DaySpan`` (or ``Period``) and use this month arithmetic."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clipped to the month's last day (29 Feb → 28 Feb)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def period_containing(day: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """The calendar period of ``months`` months (1, 3, 6, 12) that contains ``day``: its first and last day."""
    first_month = (day.month - 1) // months * months + 1
    start = dt.date(day.year, first_month, 1)
    return start, add_months(start, months) - dt.timedelta(days=1)


class DaySpan:
    """Whole days ``start`` … ``end`` (both included) in Asia/Shanghai: a mixin for the period dataclasses, which
    declare ``start`` and ``end`` as fields in their own order."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """How many days the period has."""
        return (self.end - self.start).days + 1

    @property
    def first_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=TZ)

    @property
    def after_last_moment(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)

    @property
    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) as aware datetimes in Asia/Shanghai."""
        return self.first_moment, self.after_last_moment

    def moments(self, lookup: str) -> Q:
        """The records whose ``lookup`` (a datetime) falls within the period."""
        return Q(**{f"{lookup}__gte": self.first_moment, f"{lookup}__lt": self.after_last_moment})


@dataclass(frozen=True)
class Period(DaySpan):
    """A period of a kind (month, quarter, year, custom, …) from ``start`` to ``end``."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def whole_months(self) -> int | None:
        """The number of whole calendar months the period covers, or None when it is not whole months."""
        if self.start.day != 1 or self.end != month_end(self.end.year, self.end.month):
            return None
        return self.months

    @property
    def months(self) -> int:
        """The calendar months the period touches."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1


def custom_range(start: dt.date | None, end: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """A custom range of days: reversed bounds are swapped, a missing start is 1 January, a missing end today."""
    first, last = start or dt.date(today.year, 1, 1), end or today
    return min(first, last), max(first, last)


def resolve_period(kind: str, start: dt.date | None, end: dt.date | None, today: dt.date) -> Period:
    """本月 / 本季度 / 本年 around today (anything else: this quarter), or a custom range (reversed bounds are
    swapped; a missing start is 1 January, a missing end today)."""
    if kind == PERIOD_CUSTOM and (start or end):
        return Period(PERIOD_CUSTOM, *custom_range(start, end, today))
    kind = kind if kind in PERIOD_MONTHS else PERIOD_QUARTER
    return Period(kind, *period_containing(today, PERIOD_MONTHS[kind]))
