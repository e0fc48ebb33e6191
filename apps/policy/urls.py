from django.urls import path

from apps.policy import views

app_name = "policy"

urlpatterns = [
    path("", views.PolicyInForceView.as_view(), name="in_force"),
    path("rules/", views.RulesInForceView.as_view(), name="rules"),
    path("versions/", views.VersionListView.as_view(), name="version_list"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version_detail"),
    path("versions/<int:pk>/diff/", views.VersionDetailView.as_view(), name="version_diff"),
]
