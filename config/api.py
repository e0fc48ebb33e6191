"""The API router: assembly only. Each app lists its viewsets in ``<app>/api/urls.py``."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.core.api.urls")),
    path("", include("apps.org.api.urls")),
    path("", include("apps.policy.api.urls")),
    path("", include("apps.customers.api.urls")),
    path("", include("apps.improvements.api.urls")),
    path("", include("apps.marketing.api.urls")),
    path("", include("apps.sales.api.urls")),
    path("", include("apps.service.api.urls")),
    path("", include("apps.surveys.api.urls")),
    path("", include("apps.performance.api.urls")),
    path("", include("apps.reports.api.urls")),
    path("", include("apps.policy.api.ack_urls")),  # acknowledgements, interpretations, policy reviews
]
