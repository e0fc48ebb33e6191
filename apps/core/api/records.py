"""Viewsets of records that are kept as recorded: listed, read and recorded through a service, never changed."""

from __future__ import annotations

from django.db.models import QuerySet
from rest_framework import mixins, viewsets

from apps.core.api import ScopedViewSetMixin, ServiceWriteMixin


class ScopedRecordViewSet(
    ScopedViewSetMixin, ServiceWriteMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    # Records listed, read and recorded (``service_create``), never changed or deleted over the API. The answer to a
    # POST is read within the requester's view scope (the record may be in no scope the "add" permission covers).
    # No docstring: the API schema describes a viewset by the first docstring of its classes (ScopedViewSetMixin's).

    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if self.request.method == "POST":
            return self.queryset.visible_to(self.request.user, "view")  # type: ignore[attr-defined]
        return super().get_queryset()
