"""The live duplicate check of the customer form (HTMX)."""

from django.urls import path

from apps.customers.views import dedupe

urlpatterns = [
    path("duplicates/", dedupe.duplicate_check_view, name="duplicate_check"),
]
