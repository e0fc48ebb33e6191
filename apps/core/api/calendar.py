"""The working-day calendar over the API: ``GET /api/v1/calendar/<year>/`` (every day with where it comes from) and
``POST /api/v1/calendar/<year>/days/`` (administrators and senior management enter days or the notice's text)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import ServiceErrorsMixin, drf_validation_error
from apps.core.services.calendar import (
    DAY_OFF,
    DAY_RESET,
    DAY_WORKED,
    calendar_days_enter,
    may_enter,
    may_view,
)
from apps.core.workdays import calendar_days, year_is_provisional
from apps.core.workdays.notice import parse_notice

FIRST_YEAR, LAST_YEAR = 2004, 2100
NOTICE_OR_DAYS = _("Send either the notice's text or the days, not both.")


class DaySerializer(serializers.Serializer):
    date = serializers.DateField()
    is_workday = serializers.BooleanField()
    source = serializers.ChoiceField(choices=["entered", "official", "provisional"])
    name = serializers.CharField()


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    provisional = serializers.BooleanField()
    days = DaySerializer(many=True)


class EntryDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=[DAY_OFF, DAY_WORKED, DAY_RESET])
    note = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class EntrySerializer(serializers.Serializer):
    notice = serializers.CharField(required=False, allow_blank=False)
    days = EntryDaySerializer(many=True, required=False)
    complete = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("notice" in attrs) == ("days" in attrs):
            raise serializers.ValidationError(str(NOTICE_OR_DAYS))
        return attrs


class EntryResultSerializer(serializers.Serializer):
    changed = serializers.ListField(child=serializers.DateField())
    moved = serializers.DictField(child=serializers.IntegerField())


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound
    return year


def _year_payload(year: int) -> dict[str, Any]:
    days = calendar_days(dt.date(year, 1, 1), dt.date(year, 12, 31))
    return {
        "year": year,
        "provisional": year_is_provisional(year),
        "days": [
            {"date": d.date, "is_workday": d.is_workday, "source": d.source, "name": d.name} for d in days.values()
        ],
    }


class CalendarYearView(APIView):
    """One year of the working-day calendar; each day says whether it is worked and its source: ``entered`` (an
    administrator's entry), ``official`` (the State Council's schedule) or ``provisional`` (the statutory rules)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary=_("A year of the working-day calendar, each day with its source"), responses=YearSerializer)
    def get(self, request: Request, year: int) -> Response:
        if not may_view(request.user):
            raise PermissionDenied
        return Response(YearSerializer(_year_payload(_year(year))).data)


class CalendarEntryView(ServiceErrorsMixin, APIView):
    """Enter days of a year (administrators and senior management): a list of days, or the notice's text; with
    ``complete`` they are the year's whole official schedule. Unmet deadlines are recomputed."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("Enter days of the working-day calendar, or the State Council's notice"),
        request=EntrySerializer,
        responses={201: EntryResultSerializer},
    )
    def post(self, request: Request, year: int) -> Response:
        if not may_enter(request.user):
            raise PermissionDenied
        year = _year(year)
        serializer = EntrySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "notice" in data:
            try:
                notice_days = parse_notice(data["notice"], year)
            except DjangoValidationError as error:
                raise drf_validation_error(DjangoValidationError({"notice": error.messages})) from error
            days = [(d.date, DAY_WORKED if d.is_workday else DAY_OFF, d.note) for d in notice_days]
        else:
            days = [(d["date"], d["kind"], d.get("note", "")) for d in data["days"]]
        result = calendar_days_enter(
            actor=request.user, year=year, days=days, complete=data["complete"], notice=data.get("notice", "")
        )
        return Response(EntryResultSerializer(result).data, status=status.HTTP_201_CREATED)
