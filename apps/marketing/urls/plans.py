"""Pages of market research, plans, evaluations and the market development dashboard."""

from django.urls import path

from apps.core.routes import move_routes, record_routes
from apps.marketing.views import dashboard, evaluations, plans, research

urlpatterns = [
    path("", dashboard.dashboard_view, name="index"),
    *record_routes("research/", research, "Research", actions="leads"),
    *record_routes("plans/", plans, "Plan"),
    *move_routes("plans/", "Plan", plans.PlanMoveView),
    *move_routes("plans/", "Plan", plans.PlanDecisionView),
    *record_routes("evaluations/", evaluations, "Evaluation", "list create detail", actions="complete"),
]
