"""Django admin for the customer archive: a read-only window (with history); every write goes through the
services that the pages and the API call, so duplicate checks, scope and ownership logs always apply."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp, OwnershipLog, Tag


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """For records without history."""


class ReadOnlyHistoryAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    """For records with history: the admin's history page shows who changed what."""


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ["name", "mobile", "title", "is_primary", "is_decision_maker"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(ReadOnlyHistoryAdmin):
    list_display = [
        "name",
        "level",
        "lifecycle",
        "owner",
        "owner_unit",
        "province",
        "is_locked",
        "last_follow_up_at",
        "next_contact_at",
    ]
    list_filter = ["level", "lifecycle", "source", "industry", "is_locked", "deal_status"]
    search_fields = ["name", "uscc"]
    list_select_related = ["owner", "owner_unit"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(ReadOnlyHistoryAdmin):
    list_display = ["name", "customer", "mobile", "title", "is_primary"]
    search_fields = ["name", "mobile", "customer__name"]
    list_select_related = ["customer"]


@admin.register(CustomerNeed)
class CustomerNeedAdmin(ReadOnlyAdmin):
    list_display = ["customer", "status", "recorded_by", "created_at"]
    list_filter = ["status"]
    list_select_related = ["customer", "recorded_by"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["customer", "channel", "occurred_at", "next_contact_at", "author"]
    list_filter = ["channel"]
    search_fields = ["customer__name", "content"]
    list_select_related = ["customer", "author"]


@admin.register(OwnershipLog)
class OwnershipLogAdmin(ReadOnlyAdmin):
    list_display = ["customer", "action", "from_owner", "to_owner", "actor", "at", "reason"]
    list_filter = ["action"]
    list_select_related = ["customer", "from_owner", "to_owner", "actor"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
