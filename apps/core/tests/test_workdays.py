"""Working-day calendar: statutory holidays skipped, make-up workdays counted, the admin's overrides win."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.core.models import WorkdayOverride
from apps.core.workdays import TZ, add_working_hours, is_workday, workday_calendar

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_national_day_is_skipped_and_its_make_up_saturday_is_worked() -> None:
    assert not is_workday(dt.date(2026, 10, 1))
    assert is_workday(dt.date(2026, 10, 10))  # Saturday, a make-up workday (调休)
    assert not is_workday(dt.date(2026, 10, 11))  # an ordinary Sunday


def test_a_deadline_skips_the_holiday() -> None:
    # Four working hours from Wednesday 30 September 16:00: two that day, then the holiday (1–7 October)…
    deadline = add_working_hours(at("2026-09-30T16:00"), 4)
    first_workday_after = min(
        d for d, worked in workday_calendar(dt.date(2026, 10, 1), dt.date(2026, 10, 20)).items() if worked
    )
    assert deadline == at(f"{first_workday_after.isoformat()}T11:00")
    assert first_workday_after > dt.date(2026, 10, 7)


def test_lunch_and_nights_do_not_count() -> None:
    assert add_working_hours(at("2026-11-25T11:00"), 2) == at("2026-11-25T14:00")
    assert add_working_hours(at("2026-11-25T17:00"), 2) == at("2026-11-26T10:00")
    assert add_working_hours(at("2026-11-25T20:00"), 8) == at("2026-11-26T18:00")


def test_the_admins_override_wins() -> None:
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 26), is_workday=False, note="公司年会")
    assert not is_workday(dt.date(2026, 11, 26))
    assert add_working_hours(at("2026-11-25T17:00"), 2) == at("2026-11-27T10:00")


def test_a_year_the_bundled_calendar_lacks_runs_on_the_statutory_rules_not_on_weekdays_only() -> None:
    assert is_workday(dt.date(2099, 6, 1))  # a Monday
    assert not is_workday(dt.date(2099, 6, 6))  # a Saturday
    assert not is_workday(dt.date(2099, 1, 1))  # 元旦, a Thursday
    assert not is_workday(dt.date(2099, 10, 1))  # 国庆, a Thursday
