"""Read-mostly admin for improvement actions; changes go through the pages (the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.improvements.models import ImprovementAction


@admin.register(ImprovementAction)
class ImprovementActionAdmin(SimpleHistoryAdmin):
    list_display = ["title", "owner", "owner_unit", "source_kind", "due_date", "status"]
    list_filter = ["status", "source_kind"]
    search_fields = ["title", "description"]
    readonly_fields = [f.name for f in ImprovementAction._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
