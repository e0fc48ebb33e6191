"""What every API view builds on: pagination with ``page``/``page_size`` and the scoped viewset (enforcement point 2)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from rest_framework import pagination, permissions

from apps.core.scoping import permission_name

# HTTP method → the action whose permission and scope apply.
METHOD_ACTIONS = {
    "GET": "view", "HEAD": "view", "OPTIONS": "view",
    "POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete",
}


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class ScopedModelPermission(permissions.BasePermission):
    """The user needs ``<app>.<action>_<model>`` for the request's method."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        model = view.get_queryset().model
        return request.user.has_perm(permission_name(model, METHOD_ACTIONS.get(request.method, "view")))


class ScopedViewSetMixin:
    """Restrict ``queryset`` to the requester's scope for the method's action; out of scope answers 404."""

    permission_classes = [permissions.IsAuthenticated, ScopedModelPermission]
    queryset: QuerySet

    def get_queryset(self) -> QuerySet:
        qs = super().get_queryset()  # type: ignore[misc]
        action = METHOD_ACTIONS.get(self.request.method, "view")  # type: ignore[attr-defined]
        return qs.visible_to(self.request.user, action)  # type: ignore[attr-defined]
