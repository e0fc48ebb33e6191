"""Working hours between two moments: the inverse of ``add_working_hours`` on the same calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from apps.core.models import WorkdayOverride
from apps.core.workdays import TZ, add_working_hours, working_hours_between

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def test_within_one_day_lunch_does_not_count() -> None:
    assert working_hours_between(at("2026-11-25T11:00"), at("2026-11-25T14:00")) == 2
    assert working_hours_between(at("2026-11-25T08:00"), at("2026-11-25T20:00")) == 8
    assert working_hours_between(at("2026-11-25T12:15"), at("2026-11-25T12:45")) == 0


def test_across_the_national_day_holiday_and_the_make_up_saturday() -> None:
    # Wed 30 Sep 16:00 → Sat 10 Oct 18:00: 2 h on the 30th, 1–7 Oct off (the bundled calendar works Thu 8 Oct),
    # 8 and 9 Oct 8 h each, the make-up Saturday 10 Oct 8 h.
    assert working_hours_between(at("2026-09-30T16:00"), at("2026-10-10T18:00")) == 26
    assert working_hours_between(at("2026-09-30T18:00"), at("2026-10-08T09:00")) == 0
    # Sunday 11 Oct is an ordinary day off.
    assert working_hours_between(at("2026-10-10T18:00"), at("2026-10-12T09:00")) == 0


def test_reversed_span_is_negative() -> None:
    assert working_hours_between(at("2026-11-26T10:00"), at("2026-11-25T17:00")) == -2


def test_the_admins_override_counts() -> None:
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 28), is_workday=True, note="补班")  # a Saturday
    assert working_hours_between(at("2026-11-27T17:00"), at("2026-11-30T10:00")) == 10


@pytest.mark.parametrize("start, hours", [("2026-09-30T16:00", 4), ("2026-11-25T11:30", 13.5), ("2026-10-09T17:00", 3)])
def test_inverse_of_add_working_hours(start: str, hours: float) -> None:
    begin = at(start)
    assert working_hours_between(begin, add_working_hours(begin, hours)) == pytest.approx(hours)
