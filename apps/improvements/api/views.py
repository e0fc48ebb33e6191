"""The improvement actions API: scoped list and detail, raising and editing through the services, and the PDCA
moves (start, complete, verify, cancel) as actions."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceWriteMixin, service_write_schema
from apps.improvements import selectors, services
from apps.improvements.api import serializers as s
from apps.improvements.models import ImprovementAction


class ImprovementActionFilterSet(django_filters.FilterSet):
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue only"))

    class Meta:
        model = ImprovementAction
        fields = ["status", "source_kind", "owner", "overdue"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        q = selectors.overdue_q()
        return queryset.filter(q) if value else queryset.exclude(q)


@service_write_schema(
    listing=_("List the improvement actions the user may see"),
    detail=_("One improvement action (404 when out of scope)"),
    create=_("Raise an improvement action"),
    update=_("Change an action still in work"),
)
class ImprovementActionViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """改进措施 within the user's data scope; filter by status, source kind, owner and overdue."""

    queryset = ImprovementAction.objects.select_related(
        "owner", "owner_unit", "source_type", "verified_by", "effect_checked_by"
    )
    serializer_class = s.ImprovementActionSerializer
    write_serializer_class = s.ImprovementRaiseSerializer
    update_serializer_class = s.ImprovementUpdateSerializer
    filterset_class = ImprovementActionFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["due_date", "created_at", "status"]
    ordering = ["due_date", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> ImprovementAction:
        return services.improvement_raise(actor=self.request.user, **data)

    def service_update(self, instance: ImprovementAction, data: dict[str, Any]) -> ImprovementAction:  # type: ignore[override]
        return services.improvement_update(actor=self.request.user, action=instance, data=data)

    def _move(self, request: Request, serializer_class: Any, call: Any) -> Response:
        instance = self.get_object()
        data: dict[str, Any] = {}
        if serializer_class is not None:
            serializer = serializer_class(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        return Response(self.get_serializer(call(actor=request.user, action=instance, **data)).data)

    def get_queryset(self) -> QuerySet:
        # Moves are POSTs on an existing action: the service decides who may make them, so reading scope applies.
        if getattr(self, "action", None) in ("start", "complete", "verify", "check_effect", "cancel"):
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    @extend_schema(summary=_("Start (or rework) the action"), request=None, responses=s.ImprovementActionSerializer)
    @drf_action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, None, services.improvement_start)

    @extend_schema(
        summary=_("Mark the action done"), request=s.CompleteSerializer, responses=s.ImprovementActionSerializer
    )
    @drf_action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.CompleteSerializer, services.improvement_complete)

    @extend_schema(
        summary=_("Verify whether the action worked"),
        request=s.VerifySerializer,
        responses=s.ImprovementActionSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.VerifySerializer, services.improvement_verify)

    @extend_schema(
        summary=_("Check at the next evaluation whether the figure moved"),
        request=s.EffectCheckSerializer,
        responses=s.ImprovementActionSerializer,
    )
    @drf_action(detail=True, methods=["post"], url_path="check-effect")
    def check_effect(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.EffectCheckSerializer, services.improvement_check_effect)

    @extend_schema(summary=_("Cancel the action"), request=s.CancelSerializer, responses=s.ImprovementActionSerializer)
    @drf_action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, s.CancelSerializer, services.improvement_cancel)
