"""The area's entry page and the service dashboard."""

from django.urls import path

from apps.service.views import dashboard

urlpatterns = [
    path("", dashboard.index_view, name="index"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
]
