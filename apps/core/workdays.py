"""The Chinese working-day calendar (CONVENTIONS-CN §1 row 25): statutory holidays and make-up workdays (调休) from
the bundled calendar, weekends for years it does not know, and the admin's ``WorkdayOverride`` rows above both.

Deadlines counted "in working hours" (service response and resolution, escalation) use ``add_working_hours``:
the working day runs 09:00–12:00 and 13:00–18:00 Asia/Shanghai, eight hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

import chinese_calendar

from apps.core.models import WorkdayOverride

TZ = ZoneInfo("Asia/Shanghai")
WORKING_PERIODS = ((dt.time(9), dt.time(12)), (dt.time(13), dt.time(18)))
HOURS_PER_DAY = 8


def _statutory_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:  # a year the bundled calendar does not cover yet: weekends only
        return day.weekday() < 5


_preloaded: dict[dt.date, bool] = {}


@contextmanager
def calendar_preloaded(first: dt.date, last: dt.date) -> Iterator[None]:
    """Within the block, answer from one read of the calendar from ``first`` to ``last`` (bulk loaders that compute
    thousands of deadlines); spans outside it are read as usual."""
    global _preloaded
    _preloaded = workday_calendar(first, last)
    try:
        yield
    finally:
        _preloaded = {}


def workday_calendar(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    """Return, for every day from ``start`` to ``end``, whether it is worked (one query for the overrides)."""
    if start in _preloaded and end in _preloaded:
        return _preloaded
    overrides = dict(WorkdayOverride.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))
    days = {}
    day = start
    while day <= end:
        days[day] = overrides.get(day, _statutory_workday(day))
        day += dt.timedelta(days=1)
    return days


def is_workday(day: dt.date) -> bool:
    return workday_calendar(day, day)[day]


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


def working_hours_between(start: dt.datetime, end: dt.datetime, *,
                          calendar: dict[dt.date, bool] | None = None) -> float:
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
