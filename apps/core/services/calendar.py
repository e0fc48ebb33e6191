"""Writes to the working-day calendar (``core.workdays``): administrators and senior management enter days (date
ranges off, make-up workdays on, or the State Council's notice read by ``workdays.notice``), and every app whose
deadlines are counted in working hours hears of the change through a registry, so that it recomputes its own unmet
deadlines (core knows no domain: the apps register in their ``ready``). The weekly reminder asks the calendar's
keepers to enter next year's schedule while it is still provisional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from apps.core.models import Notification, WorkdayOverride, WorkdayYear
from apps.core.services import notify
from apps.core.workdays import (
    TZ,
    add_working_hours,
    calendar_days,
    workday_calendar,
    working_hours_between,
    year_is_provisional,
)

ENTER_PERMISSION = "core.add_workdayoverride"
VIEW_PERMISSION = "core.view_workdayoverride"
KEEPER_PERMISSION = "core.keep_calendar"
WARN_FROM_MONTH = 10  # from 1 October, while next year is provisional
WARN_EVERY = dt.timedelta(days=7)

DAY_OFF, DAY_WORKED, DAY_RESET = "off", "on", "reset"

NO_DAYS = _("Enter at least one day.")
DAY_OUTSIDE_YEAR = _("%(date)s is not in or next to %(year)s.")
CHANGE_REASON = _("Working-day calendar changed by %(user)s: %(days)s")
REMINDER_TITLE = _("Enter the official %(year)s holiday schedule")
REMINDER_BODY = _(
    "Deadlines in %(year)s are counted on a provisional calendar computed from the statutory rules, "
    "without make-up workdays. Enter the State Council's schedule as soon as it is announced."
)


def may_view(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PERMISSION))


def may_enter(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(ENTER_PERMISSION))


@dataclass(frozen=True)
class CalendarChange:
    """Days whose working status changed: ``days`` maps each to (worked before, worked now)."""

    days: dict[dt.date, tuple[bool, bool]]
    actor: Any = None
    reason: str = ""

    @property
    def first_day(self) -> dt.date:
        return min(self.days)

    @property
    def last_day(self) -> dt.date:
        return max(self.days)

    def calendar_before(self, start: dt.date, end: dt.date) -> dict[dt.date, bool]:
        """The calendar from ``start`` to ``end`` as it was before the change."""
        calendar = workday_calendar(start, end)
        return {day: self.days[day][0] if day in self.days else worked for day, worked in calendar.items()}

    def moved_deadline(self, start: dt.datetime, due: dt.datetime) -> dt.datetime:
        """``due``, counted in working hours from ``start``, on the new calendar: the working hours it lay after
        the first changed day (or after ``start`` if later) are counted again from there. A deadline before the
        change stays where it is."""
        anchor = max(start, dt.datetime.combine(self.first_day, dt.time(0), TZ))
        if due <= anchor:
            return due
        hours = working_hours_between(
            anchor, due, calendar=self.calendar_before(anchor.astimezone(TZ).date(), due.astimezone(TZ).date())
        )
        if hours <= 0:
            return due
        return add_working_hours(anchor, hours)


CalendarListener = Callable[[CalendarChange], int]
_listeners: dict[str, CalendarListener] = {}


def register_calendar_listener(key: str, listener: CalendarListener) -> None:
    """An app whose deadlines are counted in working hours recomputes its unmet ones on a change (returns how many
    it moved). Registered once per key."""
    _listeners[key] = listener


def _describe(days: dict[dt.date, tuple[bool, bool]]) -> str:
    worked = [d.isoformat() for d, (_, now) in sorted(days.items()) if now]
    off = [d.isoformat() for d, (_, now) in sorted(days.items()) if not now]
    parts = []
    if off:
        parts.append(str(_("off %(days)s")) % {"days": _span_text(off)})
    if worked:
        parts.append(str(_("worked %(days)s")) % {"days": _span_text(worked)})
    return "; ".join(parts)


def _span_text(days: list[str]) -> str:
    return ", ".join(days) if len(days) <= 6 else f"{days[0]} … {days[-1]} ({len(days)})"


@transaction.atomic
def calendar_days_enter(
    *, actor: Any, year: int, days: Iterable[tuple[dt.date, str, str]], complete: bool = False, notice: str = ""
) -> dict[str, Any]:
    """Enter days of ``year``'s calendar: each (date, "off" / "on" / "reset", note). ``complete`` says the days
    are the year's whole official schedule (the year is then no longer provisional). Apps recompute their unmet
    deadlines in the same transaction. Returns the days changed and what each app moved."""
    if not may_enter(actor):
        raise PermissionDenied
    entries = {day: (kind, note) for day, kind, note in days}
    if not entries and not complete:
        raise ValidationError(NO_DAYS)
    for day in entries:
        if abs(day.year - year) > 1:
            raise ValidationError(str(DAY_OUTSIDE_YEAR) % {"date": day.isoformat(), "year": year})
    span = sorted({*entries, dt.date(year, 1, 1), dt.date(year, 12, 31)}) if complete else sorted(entries)
    before = calendar_days(span[0], span[-1])
    now = timezone.now()
    for day, (kind, note) in entries.items():
        if kind == DAY_RESET:
            WorkdayOverride.objects.filter(date=day).delete()
        else:
            WorkdayOverride.objects.update_or_create(
                date=day,
                defaults={
                    "is_workday": kind == DAY_WORKED,
                    "note": (note or "")[:100],
                    "entered_by": actor,
                    "entered_at": now,
                },
            )
    if complete:
        WorkdayYear.objects.update_or_create(
            year=year, defaults={"notice": notice, "entered_by": actor, "entered_at": now}
        )
    after = calendar_days(span[0], span[-1])
    changed = {
        day: (before[day].is_workday, after[day].is_workday)
        for day in after
        if before[day].is_workday != after[day].is_workday
    }
    moved: dict[str, int] = {}
    if changed:
        with translation.override(settings.LANGUAGE_CODE):
            reason = str(CHANGE_REASON) % {"user": str(actor), "days": _describe(changed)}
        change = CalendarChange(days=changed, actor=actor, reason=reason[:100])
        for key, listener in _listeners.items():
            moved[key] = listener(change)
    return {"changed": sorted(changed), "moved": moved}


def calendar_keepers() -> list[Any]:
    """The active users who keep the calendar (the system administrators, by their role's permission)."""
    return [u for u in get_user_model().objects.filter(is_active=True) if u.has_perm(KEEPER_PERMISSION)]


def calendar_warning_year(today: dt.date | None = None) -> int | None:
    """Next year, if it is time to warn about it (from 1 October) and it is still provisional; else None."""
    today = today or timezone.localdate()
    if today.month < WARN_FROM_MONTH or not year_is_provisional(today.year + 1):
        return None
    return today.year + 1


def calendar_remind_keepers(now: dt.datetime | None = None) -> int:
    """Tell each keeper of the calendar, at most once a week, that next year's schedule is still provisional.
    Returns how many were told."""
    now = now or timezone.now()
    year = calendar_warning_year(timezone.localdate(now))
    if year is None:
        return 0
    url = reverse("core:calendar_year", args=[year])
    recent = set(
        Notification.objects.filter(url=url, created_at__gt=now - WARN_EVERY).values_list("recipient_id", flat=True)
    )
    due = [u for u in calendar_keepers() if u.pk not in recent]
    if due:
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                recipients=due,
                title=str(REMINDER_TITLE) % {"year": year},
                body=str(REMINDER_BODY) % {"year": year},
                url=url,
            )
    return len(due)
