"""Django admin for the kernel: notifications, read-only (they are written by ``core.services.notify``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.models import Notification, NumberRule, WorkdayOverride, WorkdayYear


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("title", "recipient", "created_at", "read_at")
    list_filter = ("read_at",)
    search_fields = ("title", "recipient__username", "recipient__name")
    list_select_related = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkdayOverride)
class WorkdayOverrideAdmin(admin.ModelAdmin):
    """The administrators' entries of the working-day calendar, read-only: they are entered on the calendar page
    (``/calendar/<year>/``), whose service recomputes the open deadlines a change moves."""

    list_display = ("date", "is_workday", "note", "entered_by", "entered_at")
    list_filter = ("is_workday",)
    list_select_related = ("entered_by",)
    date_hierarchy = "date"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WorkdayYear)
class WorkdayYearAdmin(WorkdayOverrideAdmin):
    """The years whose official schedule was entered in full (read-only, like the entries)."""

    list_display = ("year", "entered_by", "entered_at")  # type: ignore[assignment]  # a narrower tuple than the base's
    list_filter = ()  # type: ignore[assignment]
    date_hierarchy = None  # type: ignore[assignment]


@admin.register(NumberRule)
class NumberRuleAdmin(admin.ModelAdmin):
    """The numbering rules (自动编号), e.g. contracts HT + yyyyMMdd + -0001, restarting daily."""

    list_display = ("key", "prefix", "date_format", "separator", "width", "reset")
