"""The working-day calendar page (工作日历): a year at a glance for administrators and senior management, with who
entered what, and the entry of days (a range, or the State Council's notice) confirmed before it is saved."""

from __future__ import annotations

import calendar as pycalendar
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from apps.core import selectors
from apps.core.forms.calendar import NoticeForm, RangeForm
from apps.core.services.calendar import DAY_RESET, DAY_WORKED, calendar_days_enter, may_enter, may_view
from apps.core.views import add_service_errors
from apps.core.workdays import Day, bundled_knows, calendar_days, provisional_year, year_is_provisional

FIRST_YEAR, LAST_YEAR = 2004, 2100
WEEKDAY_HEADERS = (
    gettext_lazy("Mo"),
    gettext_lazy("Tu"),
    gettext_lazy("We"),
    gettext_lazy("Th"),
    gettext_lazy("Fr"),
    gettext_lazy("Sa"),
    gettext_lazy("Su"),
)


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise Http404


def year_months(year: int) -> list[dict[str, Any]]:
    """The twelve month grids of ``year``: weeks from Monday, each cell a ``Day`` (None outside the month)."""
    days = calendar_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
    months = []
    for month in range(1, 13):
        weeks = [
            [days[d] if d.month == month else None for d in week]
            for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        months.append({"name": date_format(dt.date(year, month, 1), "F"), "weeks": weeks})
    return months


def _year_context(request: HttpRequest, year: int, **forms: Any) -> dict[str, Any]:
    months = year_months(year)
    days = [d for month in months for week in month["weeks"] for d in week if d is not None]
    return {
        "year": year,
        "months": months,
        "weekday_headers": WEEKDAY_HEADERS,
        "provisional": year_is_provisional(year),
        "bundled": bundled_knows(year),
        "holidays": sum(1 for d in days if d.is_holiday),
        "make_up": sum(1 for d in days if d.is_make_up),
        "workdays": sum(1 for d in days if d.is_workday),
        "entries": selectors.calendar_entries(year=year),
        "record": selectors.calendar_year_record(year=year),
        "may_enter": may_enter(request.user),
        "range_form": forms.get("range_form") or RangeForm(year=year),
        "notice_form": forms.get("notice_form") or NoticeForm(year=year),
        "years": [year - 1, year + 1],
    }


@login_required
def calendar_view(request: HttpRequest, year: int | None = None) -> HttpResponse:
    """A year at a glance: holidays and make-up workdays coloured, provisional days marked, the entries."""
    if not may_view(request.user):
        raise PermissionDenied
    if year is None:
        return redirect("core:calendar_year", year=timezone.localdate().year)
    _check_year(year)
    return render(request, "core/calendar.html", _year_context(request, year))


def _confirm_rows(days: list[tuple[dt.date, str, str]], year: int) -> list[dict[str, Any]]:
    """Each entered day with what it is now and what it becomes."""
    if not days:
        return []
    now = calendar_days(min(d for d, _k, _n in days), max(d for d, _k, _n in days))
    rows = []
    for day, kind, note in days:
        before: Day = now[day]
        after = None if kind == DAY_RESET else kind == DAY_WORKED
        rows.append(
            {
                "date": day,
                "before": before,
                "after": after,
                "note": note,
                "changes": after is not None and after != before.is_workday,
            }
        )
    return rows


def _unlisted_provisional_changes(days: list[tuple[dt.date, str, str]], year: int) -> int:
    """How many days not in the notice leave the provisional calendar's holidays for ordinary days when the notice
    is saved as the whole schedule."""
    if bundled_knows(year):
        return 0
    listed = {d for d, _k, _n in days}
    entered = set(selectors.calendar_entries(year=year).values_list("date", flat=True))
    return sum(
        1
        for day, (worked, _name) in provisional_year(year).items()
        if day not in listed and day not in entered and worked != (day.weekday() < 5)
    )


@login_required
@require_POST
def calendar_enter_view(request: HttpRequest, year: int) -> HttpResponse:
    """Read a range or the notice; show the days for confirmation; save them once confirmed. Bad input changes
    nothing and says why."""
    if not may_enter(request.user):
        raise PermissionDenied
    _check_year(year)
    mode = request.POST.get("mode")
    if mode == "notice":
        form: Any = NoticeForm(request.POST, year=year)
        forms = {"notice_form": form}
    elif mode == "range":
        form = RangeForm(request.POST, year=year)
        forms = {"range_form": form}
    else:
        raise Http404
    if not form.is_valid():
        return render(request, "core/calendar.html", _year_context(request, year, **forms), status=400)
    days = form.days()
    complete = mode == "notice" and form.cleaned_data["complete"]
    if request.POST.get("confirm") != "1":
        return render(
            request,
            "core/calendar_confirm.html",
            {
                "year": year,
                "form": form,
                "mode": mode,
                "rows": _confirm_rows(days, year),
                "complete": complete,
                "unlisted": _unlisted_provisional_changes(days, year) if complete else 0,
            },
        )
    try:
        result = calendar_days_enter(
            actor=request.user, year=year, days=days, complete=complete, notice=form.cleaned_data.get("text", "")
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return render(request, "core/calendar.html", _year_context(request, year, **forms), status=400)
    moved = sum(result["moved"].values())
    messages.success(
        request,
        _("Calendar saved: %(days)d days changed, %(moved)d open deadlines recomputed.")
        % {"days": len(result["changed"]), "moved": moved},
    )
    return redirect("core:calendar_year", year=year)
