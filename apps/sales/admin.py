"""Read-mostly admin of sales; changes go through the pages (the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.sales.models import Opportunity, OpportunityLine, Product, SalesPlan, SalesPlanAction, StageSetting


class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Product)
class ProductAdmin(_ReadOnly):
    list_display = ("code", "name", "category", "unit", "list_price", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name")


@admin.register(StageSetting)
class StageSettingAdmin(admin.ModelAdmin):
    list_display = ("stage", "probability")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class OpportunityLineInline(admin.TabularInline):
    model = OpportunityLine
    extra = 0
    can_delete = False


@admin.register(Opportunity)
class OpportunityAdmin(_ReadOnly):
    list_display = ("name", "customer", "stage", "amount", "expected_close_date", "owner")
    list_filter = ("stage",)
    search_fields = ("name", "customer__name")
    list_select_related = ("customer", "owner")
    inlines = [OpportunityLineInline]


class SalesPlanActionInline(admin.TabularInline):
    model = SalesPlanAction
    extra = 0
    can_delete = False


@admin.register(SalesPlan)
class SalesPlanAdmin(_ReadOnly):
    list_display = ("title", "period_start", "period_end", "status", "owner")
    list_filter = ("status",)
    search_fields = ("title",)
    inlines = [SalesPlanActionInline]
