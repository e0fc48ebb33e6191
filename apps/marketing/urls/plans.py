"""Pages of market research, plans, evaluations and the market development dashboard."""

from django.urls import path

from apps.marketing.views import dashboard, evaluations, plans, research

urlpatterns = [
    path("", dashboard.dashboard_view, name="index"),
    path("research/", research.ResearchListView.as_view(), name="research_list"),
    path("research/new/", research.ResearchCreateView.as_view(), name="research_create"),
    path("research/<int:pk>/", research.ResearchDetailView.as_view(), name="research_detail"),
    path("research/<int:pk>/edit/", research.ResearchUpdateView.as_view(), name="research_update"),
    path("research/<int:pk>/leads/", research.ResearchLeadsView.as_view(), name="research_leads"),
    path("plans/", plans.PlanListView.as_view(), name="plan_list"),
    path("plans/new/", plans.PlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", plans.PlanDetailView.as_view(), name="plan_detail"),
    path("plans/<int:pk>/edit/", plans.PlanUpdateView.as_view(), name="plan_update"),
    path("plans/<int:pk>/submit/", plans.PlanSubmitView.as_view(), name="plan_submit"),
    path("plans/<int:pk>/approve/", plans.PlanApproveView.as_view(), name="plan_approve"),
    path("plans/<int:pk>/reject/", plans.PlanRejectView.as_view(), name="plan_reject"),
    path("plans/<int:pk>/start/", plans.PlanStartView.as_view(), name="plan_start"),
    path("plans/<int:pk>/close/", plans.PlanCloseView.as_view(), name="plan_close"),
    path("evaluations/", evaluations.EvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/new/", evaluations.EvaluationCreateView.as_view(), name="evaluation_create"),
    path("evaluations/<int:pk>/", evaluations.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("evaluations/<int:pk>/complete/", evaluations.EvaluationCompleteView.as_view(), name="evaluation_complete"),
]
