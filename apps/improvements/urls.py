"""The improvement actions pages."""

from django.urls import path

from apps.improvements import views

app_name = "improvements"

urlpatterns = [
    path("", views.ImprovementActionListView.as_view(), name="improvementaction_list"),
    path("new/", views.improvementaction_create_view, name="improvementaction_create"),
    path("<int:pk>/", views.improvementaction_detail_view, name="improvementaction_detail"),
    path("<int:pk>/edit/", views.improvementaction_update_view, name="improvementaction_update"),
    path("<int:pk>/start/", views.improvementaction_start_view, name="improvementaction_start"),
    path("<int:pk>/complete/", views.improvementaction_complete_view, name="improvementaction_complete"),
    path("<int:pk>/verify/", views.improvementaction_verify_view, name="improvementaction_verify"),
    path("<int:pk>/cancel/", views.improvementaction_cancel_view, name="improvementaction_cancel"),
]
