"""Performance assessment pages (arts. 11–13)."""

from django.urls import path

from apps.core.routes import record_routes
from apps.performance import views

app_name = "performance"

urlpatterns = [
    path("", views.index_view, name="index"),
    path("mine/", views.my_assessments_view, name="my_assessments"),
    *record_routes(
        "cycles/", views, "Cycle", "list create detail", actions="compute progress distribute finalise publish"
    ),
    path("cycles/<int:pk>/export/", views.cycle_export_view, name="cycle_export"),
    *record_routes("assessments/", views, "Assessment", "detail", actions="review confirm"),
    path("assessments/<int:pk>/appeal/", views.AppealSubmitView.as_view(), name="appeal_submit"),
    path("assessments/<int:pk>/items/<int:item>/", views.item_records_view, name="item_records"),
    *record_routes("appeals/", views, "Appeal", "list", actions="decide"),
    *record_routes("rewards-penalties/", views, "RewardPenalty", "list detail", actions="decide"),
    *record_routes("violations/", views, "Violation", "list create detail", actions="decide appeal"),
    path(
        "violations/<int:pk>/appeal/decide/", views.ViolationAppealDecideView.as_view(), name="violation_appeal_decide"
    ),
    path("kpis/", views.KpiListView.as_view(), name="kpi_list"),
]
