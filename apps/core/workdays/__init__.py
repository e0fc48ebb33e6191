"""The Chinese working-day calendar (CONVENTIONS-CN §1 row 25), from three sources in order:

1. **entered** — an administrator's entry for the day (``WorkdayOverride``: a holiday or make-up workday from the
   State Council's notice, or a company day off);
2. **official** — the State Council's schedule: the bundled ``chinesecalendar`` where it knows the year, or, for a
   later year, the schedule administrators entered as complete (``WorkdayYear``: the days they did not list are
   plain weekdays and weekends);
3. **provisional** — otherwise the statutory rules (the ``holidays`` package: 元旦, 除夕 and 初一–初三, 清明, 劳动节,
   端午, 中秋, 国庆 with their weekend shifts, lunar dates computed), without the make-up workdays, which only the
   notice announces. Never "weekdays only".

Deadlines counted "in working hours" (service response and resolution, escalation) use ``add_working_hours``:
the working day runs 09:00–12:00 and 13:00–18:00 Asia/Shanghai, eight hours. Pages that show a deadline whose count
crossed a provisional day say so (``provisional_between``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import chinese_calendar
import chinese_calendar.constants
import holidays

from apps.core.models import WorkdayOverride, WorkdayYear

TZ = ZoneInfo("Asia/Shanghai")
WORKING_PERIODS = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))
HOURS_PER_DAY = 8

SOURCE_ENTERED = "entered"
SOURCE_OFFICIAL = "official"
SOURCE_PROVISIONAL = "provisional"


@dataclass(frozen=True)
class Day:
    """One day of the calendar: worked or not, where that comes from, and the holiday's name if it has one."""

    date: dt.date
    is_workday: bool
    source: str
    name: str = ""

    @property
    def is_provisional(self) -> bool:
        return self.source == SOURCE_PROVISIONAL

    @property
    def is_holiday(self) -> bool:
        """Off on a weekday (a holiday), as opposed to an ordinary weekend."""
        return not self.is_workday and self.date.weekday() < 5

    @property
    def is_make_up(self) -> bool:
        """Worked on a weekend (调休上班)."""
        return self.is_workday and self.date.weekday() >= 5


def _days_of(year: int) -> Iterator[dt.date]:
    day = dt.date(year, 1, 1)
    while day.year == year:
        yield day
        day += dt.timedelta(days=1)


_BUNDLED_NAMES = {holiday.value: holiday.chinese for holiday in chinese_calendar.constants.Holiday}


@lru_cache(maxsize=128)
def bundled_year(year: int) -> dict[dt.date, tuple[bool, str]] | None:
    """The bundled official calendar of ``year`` (worked, the holiday's Chinese name), or None if it does not know
    the year."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
        chinese_calendar.is_workday(dt.date(year, 12, 31))
    except NotImplementedError:
        return None
    days = {}
    for day in _days_of(year):
        _, name = chinese_calendar.get_holiday_detail(day)
        days[day] = (bool(chinese_calendar.is_workday(day)), _BUNDLED_NAMES.get(name, name or ""))
    return days


@lru_cache(maxsize=128)
def provisional_year(year: int) -> dict[dt.date, tuple[bool, str]]:
    """The statutory days of ``year`` computed from the rules (holidays with weekend shifts, no make-up days)."""
    rules = holidays.China(years=year, language="zh_CN")
    return {day: (rules.is_working_day(day), str(rules.get(day) or "")) for day in _days_of(year)}


def bundled_knows(year: int) -> bool:
    return bundled_year(year) is not None


def _complete_years(start: dt.date, end: dt.date) -> set[int]:
    """The years in the span whose official schedule the bundled calendar lacks but administrators entered
    (one query, and only when the span reaches such a year)."""
    unknown = [y for y in range(start.year, end.year + 1) if not bundled_knows(y)]
    if not unknown:
        return set()
    return set(WorkdayYear.objects.filter(year__in=unknown).values_list("year", flat=True))


def _base_day(day: dt.date, complete: set[int]) -> Day:
    bundled = bundled_year(day.year)
    if bundled is not None:
        worked, name = bundled[day]
        return Day(day, worked, SOURCE_OFFICIAL, name)
    if day.year in complete:
        return Day(day, day.weekday() < 5, SOURCE_OFFICIAL)
    worked, name = provisional_year(day.year)[day]
    return Day(day, worked, SOURCE_PROVISIONAL, name)


def calendar_days(start: dt.date, end: dt.date) -> dict[dt.date, Day]:
    """Every day from ``start`` to ``end`` with its source (one query for the entries, one more only for a year
    the bundled calendar lacks)."""
    entries = {
        row[0]: row
        for row in WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday", "note")
    }
    complete = _complete_years(start, end)
    days = {}
    day = start
    while day <= end:
        if day in entries:
            days[day] = Day(day, entries[day][1], SOURCE_ENTERED, entries[day][2])
        else:
            days[day] = _base_day(day, complete)
        day += dt.timedelta(days=1)
    return days


_preloaded: dict[dt.date, bool] = {}
_preloaded_provisional: set[dt.date] = set()


@contextmanager
def calendar_preloaded(first: dt.date, last: dt.date) -> Iterator[None]:
    """Within the block, answer from one read of the calendar from ``first`` to ``last`` (bulk loaders that compute
    thousands of deadlines); spans outside it are read as usual."""
    global _preloaded, _preloaded_provisional
    days = calendar_days(first, last)
    _preloaded = {d: info.is_workday for d, info in days.items()}
    _preloaded_provisional = {d for d, info in days.items() if info.is_provisional}
    try:
        yield
    finally:
        _preloaded, _preloaded_provisional = {}, set()


def workday_calendar(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Return, for every day from ``start`` to ``end``, whether it is worked."""
    if start in _preloaded and end in _preloaded:
        return _preloaded
    return {day: info.is_workday for day, info in calendar_days(start, end).items()}


def is_workday(day: dt.date) -> bool:
    return workday_calendar(day, day)[day]


def provisional_days(start: dt.date, end: dt.date) -> set[dt.date]:
    """The days from ``start`` to ``end`` that come from the provisional calendar."""
    if start in _preloaded and end in _preloaded:
        return {d for d in _preloaded_provisional if start <= d <= end}
    if all(bundled_knows(y) for y in range(start.year, end.year + 1)):
        return set()
    return {day for day, info in calendar_days(start, end).items() if info.is_provisional}


def provisional_between(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a deadline counted from ``start`` to ``end`` crossed a day of the provisional calendar (the page
    then says "按暂定日历")."""
    first, last = sorted((start.astimezone(TZ).date(), end.astimezone(TZ).date()))
    return bool(provisional_days(first, last))


def year_is_provisional(year: int) -> bool:
    """Whether ``year`` still runs on the provisional calendar (neither bundled nor entered as complete)."""
    return not bundled_knows(year) and not WorkdayYear.objects.filter(year=year).exists()


def add_working_hours(start: dt.datetime, hours: float) -> dt.datetime:
    """Return the moment ``hours`` working hours after ``start``, skipping nights, weekends and holidays and
    counting make-up workdays. The calendar is read for 60 days at a time."""
    remaining = dt.timedelta(hours=hours)
    moment = start.astimezone(TZ)
    calendar: dict[dt.date, bool] = {}
    while True:
        if moment.date() not in calendar:
            calendar = workday_calendar(moment.date(), moment.date() + dt.timedelta(days=60))
        if calendar[moment.date()]:
            for opens, closes in WORKING_PERIODS:
                period_start = max(moment, dt.datetime.combine(moment.date(), opens, TZ))
                period_end = dt.datetime.combine(moment.date(), closes, TZ)
                if period_start >= period_end:
                    continue
                if period_start + remaining <= period_end:
                    return period_start + remaining
                remaining -= period_end - period_start
                moment = period_end
        moment = dt.datetime.combine(moment.date() + dt.timedelta(days=1), dt.time(0), TZ)


def working_hours_between(
    start: dt.datetime, end: dt.datetime, *, calendar: dict[dt.date, bool] | None = None
) -> float:
    """Return the working hours between ``start`` and ``end`` (negative when ``end`` is before ``start``), on the
    same calendar as ``add_working_hours``. The calendar is read in one query for the whole span, unless the caller
    passes one from ``workday_calendar`` that covers it (a list computing many spans reads it once)."""
    if end < start:
        return -working_hours_between(end, start, calendar=calendar)
    begin, finish = start.astimezone(TZ), end.astimezone(TZ)
    if calendar is None or begin.date() not in calendar or finish.date() not in calendar:
        calendar = workday_calendar(begin.date(), finish.date())
    total = dt.timedelta(0)
    day = begin.date()
    while day <= finish.date():
        if calendar[day]:
            for opens, closes in WORKING_PERIODS:
                period_start = max(begin, dt.datetime.combine(day, opens, TZ))
                period_end = min(finish, dt.datetime.combine(day, closes, TZ))
                if period_end > period_start:
                    total += period_end - period_start
        day += dt.timedelta(days=1)
    return total.total_seconds() / 3600
