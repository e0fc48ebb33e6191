"""Pages of products, opportunities (list, kanban, detail, form, stage move), win probabilities and sales plans."""

from django.urls import path

from apps.core.routes import move_routes, record_routes
from apps.sales.views import opportunities, plans, products

urlpatterns = [
    *record_routes("products/", products, "Product", "list create update", actions="delete"),
    *record_routes("opportunities/", opportunities, "Opportunity"),
    path("opportunities/export/", opportunities.opportunity_export, name="opportunity_export"),
    path("opportunities/board/", opportunities.opportunity_board_view, name="opportunity_board"),
    path("opportunities/<int:pk>/move/", opportunities.opportunity_move_view, name="opportunity_move"),
    path("opportunities/stage-settings/", opportunities.stage_settings_view, name="stage_settings"),
    *record_routes("plans/", plans, "Plan"),
    *move_routes("plans/", "Plan", plans.PlanMoveView),
    path("plan-actions/<int:pk>/progress/", plans.PlanActionProgressView.as_view(), name="plan_action_progress"),
]
