"""The improvement actions pages."""

from django.urls import path

from apps.improvements import views

app_name = "improvements"

urlpatterns = [
    path("", views.ImprovementActionListView.as_view(), name="improvementaction_list"),
    path("new/", views.ImprovementActionCreateView.as_view(), name="improvementaction_create"),
    path("<int:pk>/", views.ImprovementActionDetailView.as_view(), name="improvementaction_detail"),
    path("<int:pk>/edit/", views.ImprovementActionUpdateView.as_view(), name="improvementaction_update"),
    path("<int:pk>/start/", views.ImprovementActionStartView.as_view(), name="improvementaction_start"),
    path("<int:pk>/complete/", views.ImprovementActionCompleteView.as_view(), name="improvementaction_complete"),
    path("<int:pk>/verify/", views.ImprovementActionVerifyView.as_view(), name="improvementaction_verify"),
    path("<int:pk>/check/", views.ImprovementActionCheckEffectView.as_view(), name="improvementaction_check"),
    path("<int:pk>/cancel/", views.ImprovementActionCancelView.as_view(), name="improvementaction_cancel"),
]
