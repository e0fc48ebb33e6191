from django.urls import path

from apps.core.routes import record_routes
from apps.org import views

app_name = "org"

urlpatterns = [
    path("", views.OrgChartView.as_view(), name="department_list"),
    *record_routes("departments/", views, "Department", "create detail update", actions="delete"),
    *record_routes("employees/", views, "Employee", actions="offboard"),
    path("roles/", views.role_list_view, name="role_list"),
]
