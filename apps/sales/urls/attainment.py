"""Pages of attainment, sales target evaluations and the sales dashboard (``sales:index``)."""

from django.urls import path

from apps.sales.views import attainment, dashboard, evaluations

urlpatterns = [
    path("", dashboard.dashboard_view, name="index"),
    path("attainment/<int:pk>/", attainment.AttainmentView.as_view(), name="attainment"),
    path("attainment/node/<int:pk>/", attainment.AttainmentDrilldownView.as_view(), name="attainment_drilldown"),
    path("evaluations/", evaluations.SalesEvaluationListView.as_view(), name="evaluation_list"),
    path("evaluations/new/", evaluations.EvaluationCreateView.as_view(), name="evaluation_create"),
    path("evaluations/<int:pk>/", evaluations.EvaluationDetailView.as_view(), name="evaluation_detail"),
    path("evaluations/<int:pk>/complete/", evaluations.EvaluationCompleteView.as_view(), name="evaluation_complete"),
]
