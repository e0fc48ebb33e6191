"""Pages of market research, plans, evaluations and the market development dashboard."""

from django.urls import path

from apps.marketing.views import dashboard, evaluations, plans, research

urlpatterns = [
    path("", dashboard.dashboard_view, name="index"),
    path("research/", research.ResearchListView.as_view(), name="research_list"),
    path("research/new/", research.research_create_view, name="research_create"),
    path("research/<int:pk>/", research.research_detail_view, name="research_detail"),
    path("research/<int:pk>/edit/", research.research_update_view, name="research_update"),
    path("research/<int:pk>/leads/", research.research_leads_view, name="research_leads"),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.plan_update_view, name="plan_update"),
    path("plans/<int:pk>/<slug:move>/", plans.plan_transition_view, name="plan_transition"),
    path("evaluations/", evaluations.EvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/new/", evaluations.evaluation_create_view, name="evaluation_create"),
    path("evaluations/<int:pk>/", evaluations.evaluation_detail_view, name="evaluation_detail"),
    path("evaluations/<int:pk>/complete/", evaluations.evaluation_complete_view, name="evaluation_complete"),
]
