"""The shared calendar arithmetic: month ends, month steps, the period around a day, and the days and moments of
a period in China Standard Time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from apps.core.periods import (
    PERIOD_CUSTOM,
    PERIOD_MONTH,
    PERIOD_QUARTER,
    PERIOD_YEAR,
    Period,
    add_months,
    custom_range,
    month_end,
    period_containing,
    resolve_period,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("year", "month", "last"),
    [(2024, 2, 29), (2025, 2, 28), (2100, 2, 28), (2026, 4, 30), (2026, 12, 31)],
)
def test_month_end_knows_leap_years_and_short_months(year: int, month: int, last: int) -> None:
    assert month_end(year, month) == dt.date(year, month, last)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 2, 29), -12, dt.date(2023, 2, 28)),  # clipped to the shorter month
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 3, 15), -3, dt.date(2025, 12, 15)),  # across a year end, backwards
        (dt.date(2025, 11, 30), 14, dt.date(2027, 1, 30)),
        (dt.date(2026, 5, 1), 0, dt.date(2026, 5, 1)),
    ],
)
def test_add_months_keeps_the_day_or_clips_it_to_the_month(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 2, 14), 1, (dt.date(2026, 2, 1), dt.date(2026, 2, 28))),
        (dt.date(2026, 12, 31), 3, (dt.date(2026, 10, 1), dt.date(2026, 12, 31))),
        (dt.date(2026, 5, 20), 3, (dt.date(2026, 4, 1), dt.date(2026, 6, 30))),
        (dt.date(2026, 7, 1), 6, (dt.date(2026, 7, 1), dt.date(2026, 12, 31))),
        (dt.date(2024, 2, 29), 12, (dt.date(2024, 1, 1), dt.date(2024, 12, 31))),
    ],
)
def test_the_calendar_period_around_a_day(day: dt.date, months: int, expected: tuple[dt.date, dt.date]) -> None:
    assert period_containing(day, months) == expected


def test_a_period_runs_from_midnight_to_the_midnight_after_its_last_day_in_china() -> None:
    period = Period(PERIOD_CUSTOM, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    start, end = period.bounds
    assert (start, end) == (period.first_moment, period.after_last_moment)
    assert start == dt.datetime(2026, 3, 1, tzinfo=SHANGHAI)
    assert end == dt.datetime(2026, 4, 1, tzinfo=SHANGHAI)
    # 23:30 on 31 March in Beijing is 15:30 UTC: still March; 16:00 UTC is already April.
    q = period.moments("at")
    assert dict(q.children) == {"at__gte": start, "at__lt": end}
    assert start <= dt.datetime(2026, 3, 31, 15, 30, tzinfo=dt.UTC) < end
    assert not dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC) < end
    assert period.days == 31


@pytest.mark.parametrize(
    ("start", "end", "whole", "touched"),
    [
        (dt.date(2026, 1, 1), dt.date(2026, 3, 31), 3, 3),
        (dt.date(2025, 12, 1), dt.date(2026, 1, 31), 2, 2),
        (dt.date(2026, 1, 2), dt.date(2026, 3, 31), None, 3),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 27), None, 1),
        (dt.date(2024, 2, 1), dt.date(2024, 2, 29), 1, 1),
    ],
)
def test_whole_months_only_when_the_period_starts_on_a_first_and_ends_on_a_last_day(
    start: dt.date, end: dt.date, whole: int | None, touched: int
) -> None:
    period = Period(PERIOD_CUSTOM, start, end)
    assert period.whole_months == whole
    assert period.months == touched


def test_a_custom_range_swaps_reversed_bounds_and_fills_a_missing_one() -> None:
    today = dt.date(2026, 6, 15)
    assert custom_range(dt.date(2026, 5, 31), dt.date(2026, 5, 1), today) == (dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert custom_range(None, dt.date(2026, 2, 1), today) == (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert custom_range(dt.date(2026, 3, 1), None, today) == (dt.date(2026, 3, 1), today)


def test_resolve_period_presets_around_today_and_a_quarter_for_anything_unknown() -> None:
    today = dt.date(2026, 8, 20)
    assert resolve_period(PERIOD_MONTH, None, None, today) == Period(
        PERIOD_MONTH, dt.date(2026, 8, 1), dt.date(2026, 8, 31)
    )
    assert resolve_period(PERIOD_YEAR, None, None, today) == Period(
        PERIOD_YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    quarter = Period(PERIOD_QUARTER, dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert resolve_period("fortnight", None, None, today) == quarter
    assert resolve_period(PERIOD_CUSTOM, None, None, today) == quarter  # custom without dates: the preset
