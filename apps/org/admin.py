"""Django admin for the organisation: a read-only window on departments and employees (their writes go through the
services, which the UI pages call), and the place to tune roles' permissions and per-app data scopes."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from apps.org.models import Department, Employee, Role, RoleGrant, User


class ReadOnlyAdmin(SimpleHistoryAdmin):
    """Show records and their history; changes are made on the salesops pages, through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


#
# Users
#


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "name", "email", "language", "is_active", "is_superuser", "last_login")
    search_fields = ("username", "name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("name", "email", "language")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )


#
# Departments and employees
#


@admin.register(Department)
class DepartmentAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "kind", "parent", "manager", "order", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent", "manager")


@admin.register(Employee)
class EmployeeAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "employee_no", "department", "title", "mobile", "is_active")
    list_filter = ("is_active", "department__kind")
    search_fields = ("user__name", "user__username", "employee_no", "mobile")
    list_select_related = ("user", "department")


#
# Roles
#


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Role)
class RoleAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "data_scope", "is_builtin")
    search_fields = ("name", "code")
    filter_horizontal = ("permissions",)
    inlines = [RoleGrantInline]
