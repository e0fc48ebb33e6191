from django.urls import path

from apps.org import views

app_name = "org"

urlpatterns = [
    path("", views.OrgChartView.as_view(), name="department_list"),
    path("departments/new/", views.department_create_view, name="department_create"),
    path("departments/<int:pk>/", views.department_detail_view, name="department_detail"),
    path("departments/<int:pk>/edit/", views.department_update_view, name="department_update"),
    path("departments/<int:pk>/delete/", views.department_delete_view, name="department_delete"),
    path("employees/", views.EmployeeListView.as_view(), name="employee_list"),
    path("employees/new/", views.employee_create_view, name="employee_create"),
    path("employees/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee_detail"),
    path("employees/<int:pk>/edit/", views.employee_update_view, name="employee_update"),
    path("employees/<int:pk>/offboard/", views.employee_offboard_view, name="employee_offboard"),
    path("roles/", views.role_list_view, name="role_list"),
]
