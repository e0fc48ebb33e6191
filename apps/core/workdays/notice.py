"""Read the State Council's holiday notice (国务院办公厅关于某年部分节假日安排的通知) into days.

Its usual form is one line per festival::

    二、春节：2月5日至12日放假调休，共8天。2月14日（周日）、2月20日（周六）上班。

A line starting with a Chinese numeral and "、" is a festival: the dates of its "放假" sentence (a range "至", or one
day) are off, the dates of its "上班" sentence are make-up workdays. A date may carry its year ("2026年12月31日"),
otherwise it is in the year being entered; a range's end may leave out its month. Every stated weekday ("（周日）")
and day count ("共8天") is checked against the dates, so a notice of another year or a typing slip is refused.
Other lines (the title, the preamble, the closing words) are ignored. Any error refuses the whole text.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FESTIVAL_LINE = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^：:]+?)\s*[：:]\s*(?P<body>.+)$")
DATE = (
    r"(?:(?P<{p}y>\d{{4}})\s*年)?\s*(?:(?P<{p}m>\d{{1,2}})\s*月)?\s*(?P<{p}d>\d{{1,2}})\s*日\s*"
    r"(?:[（(](?P<{p}w>[^）)]*)[)）])?"
)
STATED_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")
ONE_DATE = re.compile(DATE.format(p="a"))
RANGE = re.compile(DATE.format(p="a") + r"\s*(?:至|—|-|～|~|到)\s*" + DATE.format(p="b"))
COUNT = re.compile(r"共\s*(\d+)\s*天")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}

NO_FESTIVAL = _(
    "No festival line was found. Paste the notice's lines such as "
    "“二、春节：2月5日至12日放假调休，共8天。2月14日（周日）上班。”"
)
NO_DAYS_OFF = _("Line “%(line)s”: no days off (“…放假”) were found.")
BAD_DATE = _("Line “%(line)s”: %(text)s is not a date.")
NO_MONTH = _("Line “%(line)s”: %(text)s has no month.")
WRONG_WEEKDAY = _(
    "Line “%(line)s”: %(date)s is a %(actual)s, not a %(stated)s as the text says. Is it the notice of another year?"
)
WRONG_COUNT = _("Line “%(line)s”: the text says %(stated)s days off, the dates give %(actual)s.")
RANGE_BACKWARDS = _("Line “%(line)s”: the range ends before it starts.")
BOTH_OFF_AND_ON = _("%(date)s is given both as a day off and as a working day.")
OUTSIDE_YEAR = _("Line “%(line)s”: %(date)s is too far from %(year)s.")

WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


@dataclass(frozen=True)
class NoticeDay:
    date: dt.date
    is_workday: bool
    festival: str

    @property
    def note(self) -> str:
        return f"{self.festival}（调休上班）" if self.is_workday else self.festival


def _short(line: str) -> str:
    return line.strip()[:30] + ("…" if len(line.strip()) > 30 else "")


def _date(
    match: re.Match, prefix: str, year: int, line: str, month: int | None = None, default_year: int | None = None
) -> dt.date:
    groups = match.groupdict()
    y = int(groups[f"{prefix}y"]) if groups[f"{prefix}y"] else (default_year or year)
    m = int(groups[f"{prefix}m"]) if groups[f"{prefix}m"] else month
    text = match.group(0).strip()
    if m is None:
        raise ValidationError(str(NO_MONTH) % {"line": _short(line), "text": text})
    try:
        day = dt.date(y, m, int(groups[f"{prefix}d"]))
    except ValueError:
        raise ValidationError(str(BAD_DATE) % {"line": _short(line), "text": text}) from None
    if abs(day.year - year) > 1:
        raise ValidationError(str(OUTSIDE_YEAR) % {"line": _short(line), "date": day.isoformat(), "year": year})
    stated = STATED_WEEKDAY.search(groups[f"{prefix}w"] or "")
    if stated and day.weekday() != WEEKDAYS[stated.group(1)]:
        raise ValidationError(
            str(WRONG_WEEKDAY)
            % {
                "line": _short(line),
                "date": day.isoformat(),
                "actual": WEEKDAY_NAMES[day.weekday()],
                "stated": stated.group(0),
            }
        )
    return day


def _off_days(sentence: str, year: int, line: str) -> list[dt.date]:
    days: list[dt.date] = []
    rest = sentence
    for match in RANGE.finditer(sentence):
        first = _date(match, "a", year, line)
        last = _date(match, "b", year, line, month=first.month, default_year=first.year)
        if last < first and not match.group("bm") and last.month == 12:
            last = last.replace(year=last.year + 1)
        if last < first:
            raise ValidationError(str(RANGE_BACKWARDS) % {"line": _short(line)})
        day = first
        while day <= last:
            days.append(day)
            day += dt.timedelta(days=1)
        rest = rest.replace(match.group(0), " ")
    for match in ONE_DATE.finditer(rest):
        days.append(_date(match, "a", year, line))
    return days


def parse_notice(text: str, year: int) -> list[NoticeDay]:
    """The days of the notice for ``year``, in date order; a ``ValidationError`` saying which line is wrong
    otherwise."""
    found: dict[dt.date, NoticeDay] = {}
    festivals = 0
    for line in (text or "").splitlines():
        head = FESTIVAL_LINE.match(line)
        if not head:
            continue
        festivals += 1
        name = head.group("name").strip()
        off: list[dt.date] = []
        on: list[dt.date] = []
        for sentence in re.split(r"[。；;]", head.group("body")):
            if "放假" in sentence:
                off += _off_days(sentence.split("放假")[0], year, line)
                count = COUNT.search(sentence)
                if count and int(count.group(1)) != len(set(off)):
                    raise ValidationError(
                        str(WRONG_COUNT) % {"line": _short(line), "stated": count.group(1), "actual": len(set(off))}
                    )
            elif "上班" in sentence:
                on += [_date(m, "a", year, line) for m in ONE_DATE.finditer(sentence)]
        if not off:
            raise ValidationError(str(NO_DAYS_OFF) % {"line": _short(line)})
        for day, worked in [(d, False) for d in off] + [(d, True) for d in on]:
            if day in found and found[day].is_workday != worked:
                raise ValidationError(str(BOTH_OFF_AND_ON) % {"date": day.isoformat()})
            found[day] = NoticeDay(day, worked, name)
    if not festivals:
        raise ValidationError(str(NO_FESTIVAL))
    return sorted(found.values(), key=lambda d: d.date)
