"""Forms of the calendar page: a range of days off / make-up workdays, and the State Council's notice pasted in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.services.calendar import DAY_OFF, DAY_RESET, DAY_WORKED
from apps.core.workdays.notice import parse_notice

MAX_RANGE_DAYS = 31
RANGE_BACKWARDS = _("The last day is before the first.")
RANGE_TOO_LONG = _("Enter at most 31 days at a time.")
RANGE_OTHER_YEAR = _("Enter days of %(year)s on this page.")


class DateInput(forms.DateInput):
    input_type = "date"


class RangeForm(forms.Form):
    """From ``first`` to ``last`` (or one day): off, worked (make-up workday), or back to the calendar's rule."""

    KINDS = [
        (DAY_OFF, _("Day off (holiday)")),
        (DAY_WORKED, _("Working day (make-up workday)")),
        (DAY_RESET, _("Remove the entry (back to the calendar)")),
    ]

    first = forms.DateField(label=_("First day"), widget=DateInput)
    last = forms.DateField(
        label=_("Last day"), required=False, widget=DateInput, help_text=_("Leave empty for one day.")
    )
    kind = forms.ChoiceField(label=_("The days are"), choices=KINDS)
    note = forms.CharField(
        label=_("Note"), max_length=100, required=False, help_text=_("E.g. 春节, 国庆节调休上班, company holiday.")
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("first"), data.get("last") or data.get("first")
        if first and last:
            if last < first:
                raise forms.ValidationError(RANGE_BACKWARDS)
            if (last - first).days >= MAX_RANGE_DAYS:
                raise forms.ValidationError(RANGE_TOO_LONG)
            if first.year != self.year or last.year != self.year:
                raise forms.ValidationError(str(RANGE_OTHER_YEAR) % {"year": self.year})
            data["last"] = last
        return data

    def days(self) -> list[tuple[dt.date, str, str]]:
        first, last, kind, note = (self.cleaned_data[k] for k in ("first", "last", "kind", "note"))
        return [(first + dt.timedelta(days=i), kind, note) for i in range((last - first).days + 1)]


class NoticeForm(forms.Form):
    """The notice's text, one line per festival, read into days for confirmation."""

    text = forms.CharField(
        label=_("Text of the State Council's notice"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Paste the lines such as “二、春节：2月5日至12日放假调休，共8天。"
            "2月14日（周日）、2月20日（周六）上班。”; other lines are ignored."
        ),
    )
    complete = forms.BooleanField(
        label=_("This is the year's whole official schedule (the year is then no longer provisional)"),
        required=False,
        initial=True,
    )

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean_text(self) -> str:
        text = self.cleaned_data["text"]
        self.notice_days = parse_notice(text, self.year)
        return text

    def days(self) -> list[tuple[dt.date, str, str]]:
        return [(d.date, DAY_WORKED if d.is_workday else DAY_OFF, d.note) for d in self.notice_days]
