"""The API router: assembly only. Each app lists its viewsets in ``<app>/api/urls.py``."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("apps.org.api.urls")),
]
