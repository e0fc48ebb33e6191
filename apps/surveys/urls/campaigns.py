from django.urls import path

from apps.core.routes import record_routes
from apps.surveys.views import answers, results
from apps.surveys.views import campaigns as views

urlpatterns = [
    *record_routes("", views, "Campaign", actions="send schedule close analysis"),
    path("recipients/", views.campaign_preview_view, name="campaign_preview"),
    path("results/", results.results_view, name="results"),
    *record_routes("links/", answers, "Invitation", "list detail"),
    *record_routes("answers/", answers, "Response", "list detail"),
]
