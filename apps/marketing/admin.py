"""Read-mostly admin of market development; changes go through the pages (the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from apps.marketing.models import (
    Campaign,
    Lead,
    MarketEvaluation,
    MarketIntel,
    MarketPlan,
    MarketResearch,
    PlanGoal,
    Visit,
)


class _ReadOnly(SimpleHistoryAdmin):
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


class PlanGoalInline(admin.TabularInline):
    model = PlanGoal
    extra = 0
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(MarketResearch)
class MarketResearchAdmin(_ReadOnly):
    list_display = ["subject", "target_market", "method", "period_start", "owner", "status"]
    list_filter = ["status", "method"]
    search_fields = ["subject", "target_market"]


@admin.register(MarketPlan)
class MarketPlanAdmin(_ReadOnly):
    list_display = ["title", "period_start", "period_end", "owner", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    inlines = [PlanGoalInline]


@admin.register(MarketEvaluation)
class MarketEvaluationAdmin(_ReadOnly):
    list_display = ["plan", "period_start", "period_end", "owner", "status", "policy_version"]
    list_filter = ["status"]


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ["name", "kind", "start_date", "end_date", "actual_cost", "status"]
    list_filter = ["status", "kind"]
    search_fields = ["name"]


@admin.register(Lead)
class LeadAdmin(_ReadOnly):
    list_display = ["company_name", "contact_name", "source", "status", "owner", "created_at"]
    list_filter = ["status", "source"]
    search_fields = ["company_name", "contact_name"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visited_on", "purpose", "owner"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(MarketIntel)
class MarketIntelAdmin(_ReadOnly):
    list_display = ["title", "category", "importance", "status", "published_at"]
    list_filter = ["category", "status"]
