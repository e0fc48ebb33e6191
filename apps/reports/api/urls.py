"""The reports API, assembled into /api/v1/ by ``config/api.py``."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.reports.api import views

router = SimpleRouter()
router.register("reports", views.DepartmentReportViewSet, basename="departmentreport")
router.register("report-subscriptions", views.ReportSubscriptionViewSet, basename="reportsubscription")

urlpatterns = [
    *router.urls,
    path("dashboards/<slug:name>/", views.DashboardView.as_view(), name="api-dashboard"),
]
