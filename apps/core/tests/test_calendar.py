"""The working-day calendar's three sources, the State Council's notice, the calendar page and API, and the
reminder while next year is provisional (issue 15)."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from typing import Any

import holidays
import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from apps.core.models import Notification, WorkdayOverride, WorkdayYear
from apps.core.services.calendar import DAY_OFF, DAY_WORKED, calendar_days_enter, calendar_remind_keepers
from apps.core.workdays import (
    SOURCE_ENTERED,
    SOURCE_OFFICIAL,
    SOURCE_PROVISIONAL,
    TZ,
    add_working_hours,
    bundled_year,
    calendar_days,
    calendar_preloaded,
    provisional_between,
)
from apps.core.workdays import notice as calendar_notice
from apps.core.workdays.notice import parse_notice
from apps.org.models import User

pytestmark = pytest.mark.django_db

NOTICE_2025 = """国务院办公厅关于2025年部分节假日安排的通知
经国务院批准，现将2025年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。
一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。
节假日期间，各地区、各部门要妥善安排好值班和安全、保卫等工作。
"""
NOTICE_2026 = """一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
三、清明节：4月4日（周六）至6日（周一）放假，共3天。
四、劳动节：5月1日（周五）至5日（周二）放假调休，共5天。5月9日（周六）上班。
五、端午节：6月19日（周五）至21日（周日）放假，共3天。
六、中秋节：9月25日（周五）至27日（周日）放假，共3天。
七、国庆节：10月1日（周四）至7日（周三）放假调休，共7天。9月20日（周日）、10月10日（周六）上班。
"""
SPRING_2027 = "二、春节：2月5日至12日放假调休，共8天。2月14日（周日）、2月20日（周六）上班。"


def _days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.fixture
def demo(db: None) -> None:
    call_command("load_demo", apps="org", stdout=io.StringIO())


#
# Sources
#


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_day_of_the_official_years_equals_the_holidays_package(year: int) -> None:
    reference = holidays.China(years=year)
    days = calendar_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
    differing = [d for d in _days_of(year) if days[d].is_workday != reference.is_working_day(d)]
    assert differing == []
    assert {day.source for day in days.values()} == {SOURCE_OFFICIAL}


def test_2027_runs_on_the_provisional_calendar_from_the_statutory_rules_never_weekdays_only() -> None:
    days = calendar_days(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    reference = holidays.China(years=2027)
    assert all(days[d].is_workday == reference.is_working_day(d) for d in _days_of(2027))
    assert {day.source for day in days.values()} == {SOURCE_PROVISIONAL}
    weekdays_off = [d for d in _days_of(2027) if d.weekday() < 5 and not days[d].is_workday]
    assert dt.date(2027, 1, 1) in weekdays_off  # 元旦
    assert dt.date(2027, 2, 5) in weekdays_off  # 除夕
    assert len(weekdays_off) >= 11  # at least the statutory days falling on weekdays
    assert not any(days[d].is_make_up for d in _days_of(2027))  # make-up days come only with the notice
    assert provisional_between(dt.datetime(2026, 12, 31, 16, tzinfo=TZ), dt.datetime(2027, 1, 5, tzinfo=TZ))
    assert not provisional_between(dt.datetime(2026, 12, 1, tzinfo=TZ), dt.datetime(2026, 12, 31, tzinfo=TZ))


def test_an_entered_day_wins_over_the_official_and_the_provisional_calendar() -> None:
    WorkdayOverride.objects.create(date=dt.date(2026, 11, 26), is_workday=False, note="公司年会")
    WorkdayOverride.objects.create(date=dt.date(2027, 2, 14), is_workday=True, note="春节调休上班")
    days = calendar_days(dt.date(2026, 11, 26), dt.date(2027, 2, 14))
    assert (days[dt.date(2026, 11, 26)].is_workday, days[dt.date(2026, 11, 26)].source) == (False, SOURCE_ENTERED)
    assert (days[dt.date(2027, 2, 14)].is_workday, days[dt.date(2027, 2, 14)].source) == (True, SOURCE_ENTERED)
    assert days[dt.date(2027, 2, 14)].is_make_up


def test_a_year_entered_in_full_is_official_and_its_unlisted_days_are_plain_weekdays() -> None:
    WorkdayYear.objects.create(year=2027)
    days = calendar_days(dt.date(2027, 1, 1), dt.date(2027, 12, 31))
    assert {day.source for day in days.values()} == {SOURCE_OFFICIAL}
    assert all(days[d].is_workday == (d.weekday() < 5) for d in _days_of(2027))


def test_the_bulk_preload_answers_thousands_of_deadlines_from_one_read() -> None:
    starts = [dt.datetime(2026, 12, 1, 9, tzinfo=TZ) + dt.timedelta(hours=7 * i) for i in range(2000)]
    with CaptureQueriesContext(connection) as queries, calendar_preloaded(dt.date(2026, 12, 1), dt.date(2028, 12, 31)):
        began = time.perf_counter()
        deadlines = [add_working_hours(s, 16) for s in starts]
        elapsed = time.perf_counter() - began
    assert len(queries) <= 2  # the entries, and the years entered in full (only because 2027/2028 are unknown)
    assert deadlines == [add_working_hours(s, 16) for s in starts]  # the same answers without the preload
    assert elapsed < 5, elapsed


#
# The State Council's notice
#


@pytest.mark.parametrize(("year", "text"), [(2025, NOTICE_2025), (2026, NOTICE_2026)])
def test_the_real_notices_read_into_exactly_the_bundled_official_calendar(year: int, text: str) -> None:
    listed = {d.date: d.is_workday for d in parse_notice(text, year)}
    official = bundled_year(year)
    assert official is not None
    assert {d: listed.get(d, d.weekday() < 5) for d in _days_of(year)} == {d: official[d][0] for d in _days_of(year)}


def test_a_festival_line_gives_its_days_off_and_make_up_days() -> None:
    days = parse_notice(SPRING_2027, 2027)
    off = [d.date for d in days if not d.is_workday]
    worked = [d.date for d in days if d.is_workday]
    assert off == [dt.date(2027, 2, 5) + dt.timedelta(days=i) for i in range(8)]
    assert worked == [dt.date(2027, 2, 14), dt.date(2027, 2, 20)]
    assert {d.festival for d in days} == {"春节"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("放假通知：过年放几天？", calendar_notice.NO_FESTIVAL),
        ("二、春节：2月5日至12日放假调休，共9天。", calendar_notice.WRONG_COUNT),
        ("二、春节：2月5日至12日放假调休，共8天。2月14日（周六）上班。", calendar_notice.WRONG_WEEKDAY),
        ("二、春节：2月30日放假，共1天。", calendar_notice.BAD_DATE),
        ("二、春节：2月5日至12日放假调休，共8天。2月6日（周六）上班。", calendar_notice.BOTH_OFF_AND_ON),
        ("二、春节：全体放假。", calendar_notice.NO_DAYS_OFF),
    ],
)
def test_bad_text_is_refused_with_a_message_in_chinese(text: str, message: Any) -> None:
    with pytest.raises(ValidationError) as caught, translation.override("zh-hans"):
        parse_notice(text, 2027)
    with translation.override("zh-hans"):
        template = str(message)
    pattern = ".+".join(re.escape(part) for part in re.split(r"%\(\w+\)s", template))
    assert re.fullmatch(pattern, caught.value.messages[0]), (template, caught.value.messages)
    with translation.override("en"):
        assert template != str(message)  # the message is in Chinese, not the English source


#
# The calendar page
#


def test_only_administrators_and_senior_management_may_see_and_enter_days(demo: None) -> None:
    enter = reverse("core:calendar_enter", args=[2027])
    data = {"mode": "range", "first": "2027-03-01", "kind": DAY_OFF, "note": "公司假日", "confirm": "1"}
    for username in ("sales1", "cs_mgr"):
        client = _login(username)
        assert client.get(reverse("core:calendar_year", args=[2027])).status_code == 403
        assert client.post(enter, data).status_code == 403
        assert (
            client.post(
                reverse("api-calendar-enter", args=[2027]),
                {"days": [{"date": "2027-03-01", "kind": DAY_OFF}]},
                content_type="application/json",
            ).status_code
            == 403
        )
        with pytest.raises(PermissionDenied):
            calendar_days_enter(
                actor=User.objects.get(username=username), year=2027, days=[(dt.date(2027, 3, 1), DAY_OFF, "")]
            )
    assert not WorkdayOverride.objects.exists()
    for username, day in (("ceo", "2027-03-01"), ("admin", "2027-03-02")):
        client = _login(username)
        assert client.get(reverse("core:calendar_year", args=[2027])).status_code == 200
        assert client.post(enter, {**data, "first": day}).status_code == 302
        entry = WorkdayOverride.objects.get(date=day)
        assert (entry.is_workday, entry.entered_by.username) == (False, username)


def test_the_pasted_notice_is_shown_for_confirmation_then_saved_with_who_entered_it(personas: dict) -> None:
    client = personas["auditor_dave"].client()
    enter = reverse("core:calendar_enter", args=[2027])
    preview = client.post(enter, {"mode": "notice", "text": SPRING_2027})
    assert preview.status_code == 200
    assert preview.content.decode().count('data-testid="confirm-day"') == 10
    assert not WorkdayOverride.objects.exists()  # nothing saved yet

    saved = client.post(enter, {"mode": "notice", "text": SPRING_2027, "confirm": "1"})
    assert saved.status_code == 302
    assert WorkdayOverride.objects.count() == 10
    assert not WorkdayYear.objects.exists()  # one line, not marked as the whole schedule: 2027 stays provisional
    days = calendar_days(dt.date(2027, 2, 14), dt.date(2027, 2, 14))
    assert days[dt.date(2027, 2, 14)].is_workday and days[dt.date(2027, 2, 14)].source == SOURCE_ENTERED
    page = client.get(reverse("core:calendar_year", args=[2027])).content.decode()
    assert 'data-testid="calendar-entries"' in page
    assert str(personas["auditor_dave"].user) in page


def test_bad_notice_text_changes_nothing_and_says_why(personas: dict) -> None:
    client = personas["admin"].client()
    response = client.post(
        reverse("core:calendar_enter", args=[2027]),
        {
            "mode": "notice",
            "text": "二、春节：2月5日至12日放假调休，共8天。2月14日（周六）上班。",
            "complete": "on",
            "confirm": "1",
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 400
    assert "是周日，而不是文中所写的周六" in response.content.decode()
    assert not WorkdayOverride.objects.exists() and not WorkdayYear.objects.exists()


def test_a_range_of_days_off_and_back(personas: dict) -> None:
    client = personas["admin"].client()
    enter = reverse("core:calendar_enter", args=[2027])
    data = {"mode": "range", "first": "2027-03-01", "last": "2027-03-03", "kind": DAY_OFF, "note": "公司假日"}
    assert client.post(enter, data).status_code == 200
    assert client.post(enter, {**data, "confirm": "1"}).status_code == 302
    assert not any(
        calendar_days(dt.date(2027, 3, 1), dt.date(2027, 3, 3))[d].is_workday
        for d in (dt.date(2027, 3, 1), dt.date(2027, 3, 2), dt.date(2027, 3, 3))
    )
    assert client.post(enter, {**data, "kind": "reset", "confirm": "1"}).status_code == 302
    assert not WorkdayOverride.objects.exists()
    refused = client.post(enter, {**data, "first": "2028-01-01", "last": "2028-01-02", "confirm": "1"})
    assert refused.status_code == 400


@pytest.mark.parametrize(("language", "title"), [("en", "Working-day calendar 2027"), ("zh-hans", "2027年工作日历")])
def test_the_page_in_both_languages_marks_the_provisional_days(personas: dict, language: str, title: str) -> None:
    user = personas["auditor_dave"].user
    user.language = language
    user.save(update_fields=["language"])
    page = personas["auditor_dave"].client().get(reverse("core:calendar_year", args=[2027])).content.decode()
    assert title in page
    assert page.count('data-testid="calendar-month"') == 12
    assert 'data-date="2027-02-05" data-workday="0" data-source="provisional"' in page
    assert 'data-date="2026-12-31"' not in page
    official = personas["auditor_dave"].client().get(reverse("core:calendar_year", args=[2026])).content.decode()
    assert 'data-date="2026-10-10" data-workday="1" data-source="official"' in official  # a make-up Saturday


#
# Reminders
#


def test_from_october_the_keepers_are_reminded_once_a_week_while_next_year_is_provisional(personas: dict) -> None:
    def told() -> int:
        return Notification.objects.filter(url=reverse("core:calendar_year", args=[2027])).count()

    with time_machine.travel(dt.datetime(2026, 9, 30, 10, tzinfo=TZ), tick=False):
        assert calendar_remind_keepers() == 0
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, 30, tzinfo=TZ), tick=False):
        call_command("run_due_jobs", stdout=io.StringIO())
    # (the daily jobs also ask everyone to confirm the policy in force: only the calendar message is counted here)
    calendar_url = reverse("core:calendar_year", args=[2027])
    assert Notification.objects.filter(recipient=personas["admin"].user, url=calendar_url).count() == told() == 1
    with time_machine.travel(dt.datetime(2026, 10, 5, 9, 30, tzinfo=TZ), tick=False):
        assert calendar_remind_keepers() == 0  # not again within the week
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, 30, tzinfo=TZ), tick=False):
        assert calendar_remind_keepers() == 1
    WorkdayYear.objects.create(year=2027)
    with time_machine.travel(dt.datetime(2026, 10, 20, 9, 30, tzinfo=TZ), tick=False):
        assert calendar_remind_keepers() == 0
    assert not Notification.objects.filter(recipient=personas["auditor_dave"].user).exists()


def test_the_banner_shows_to_administrators_from_october_while_next_year_is_provisional(personas: dict) -> None:
    def banner(persona: str, at: dt.datetime) -> bool:
        with time_machine.travel(at, tick=False):
            page = personas[persona].client().get(reverse("core:workbench"))
        return 'data-testid="calendar-banner"' in page.content.decode()

    october = dt.datetime(2026, 10, 2, 10, tzinfo=TZ)
    assert banner("admin", october)
    assert not banner("rep_alice", october)
    assert not banner("admin", dt.datetime(2026, 9, 2, 10, tzinfo=TZ))
    WorkdayYear.objects.create(year=2027)
    assert not banner("admin", october)


#
# API
#


def test_the_api_gives_each_day_with_its_source_and_takes_entries(personas: dict) -> None:
    client = personas["admin"].client()
    year = client.get(reverse("api-calendar-year", args=[2027])).json()
    assert year["provisional"] is True
    assert len(year["days"]) == 365
    new_year = next(d for d in year["days"] if d["date"] == "2027-01-01")
    assert (new_year["is_workday"], new_year["source"]) == (False, SOURCE_PROVISIONAL)

    bad = client.post(
        reverse("api-calendar-enter", args=[2027]), {"notice": "过年放几天？"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "notice" in bad.json()
    assert not WorkdayOverride.objects.exists()

    made = client.post(
        reverse("api-calendar-enter", args=[2027]),
        {"days": [{"date": "2027-02-14", "kind": DAY_WORKED, "note": "春节调休上班"}]},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert made.json()["changed"] == ["2027-02-14"]
    day = next(
        d for d in client.get(reverse("api-calendar-year", args=[2027])).json()["days"] if d["date"] == "2027-02-14"
    )
    assert (day["is_workday"], day["source"]) == (True, SOURCE_ENTERED)

    assert personas["rep_alice"].client().get(reverse("api-calendar-year", args=[2027])).status_code == 403
    official = personas["auditor_dave"].client().get(reverse("api-calendar-year", args=[2026])).json()
    assert official["provisional"] is False
