from django.urls import path

from apps.org import views

app_name = "org"

urlpatterns = [
    path("", views.OrgChartView.as_view(), name="department_list"),
    path("employees/", views.EmployeeListView.as_view(), name="employee_list"),
    path("employees/<int:pk>/", views.EmployeeDetailView.as_view(), name="employee_detail"),
]
