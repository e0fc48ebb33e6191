"""Django admin for the kernel: notifications, read-only (they are written by ``core.services.notify``)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from apps.core.models import Notification, NumberRule, WorkdayOverride


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
    """Corrections to the statutory working-day calendar (company holidays, late make-up workdays)."""

    list_display = ("date", "is_workday", "note")
    list_filter = ("is_workday",)
    date_hierarchy = "date"


@admin.register(NumberRule)
class NumberRuleAdmin(admin.ModelAdmin):
    """The numbering rules (自动编号), e.g. contracts HT + yyyyMMdd + -0001, restarting daily."""

    list_display = ("key", "prefix", "date_format", "separator", "width", "reset")
