"""The organisation's API resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.org.api import views

router = SimpleRouter()
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("employees", views.EmployeeViewSet, basename="employee")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    *router.urls,
]
