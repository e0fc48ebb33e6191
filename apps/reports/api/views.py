"""The reports API: department reports and their workflow (generate, comment, submit, review, return), report
subscriptions, and the figures behind the cockpit (``/dashboards/<name>/``) with the page's period parameters."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api import (
    ScopedModelPermission,
    ScopedViewSetMixin,
    ServiceErrorsMixin,
    ServiceWriteMixin,
    service_write_schema,
)
from apps.reports import services
from apps.reports.api import serializers as s
from apps.reports.models import DepartmentReport, ReportSubscription
from apps.reports.permissions import ReportPerm
from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors.periods import period_from

MOVES = ("submit", "review", "return_report", "refresh")


class ReportPermission(ScopedModelPermission):
    """A move is a POST on an existing report: reading it is enough to ask, the service decides who may move it
    (senior management review without the permission to write reports)."""

    def has_permission(self, request: Any, view: Any) -> bool:
        if getattr(view, "action", None) in MOVES:
            return bool(
                request.user and request.user.is_authenticated and request.user.has_perm(str(ReportPerm.VIEW_REPORT))
            )
        return super().has_permission(request, view)


@service_write_schema(
    listing=_("List the department reports the user may see"),
    detail=_("One department report (404 when out of scope)"),
    create=_("Generate a department report from the records"),
    update=_("Change the commentary of a draft or returned report"),
)
class DepartmentReportViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    permission_classes = [permissions.IsAuthenticated, ReportPermission]
    queryset = DepartmentReport.objects.select_related("department", "owner")
    serializer_class = s.DepartmentReportSerializer
    write_serializer_class = s.ReportGenerateSerializer
    update_serializer_class = s.ReportUpdateSerializer
    filterset_fields = ["status", "kind", "department", "period_key"]
    ordering = ["-period_start", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> DepartmentReport:
        return services.report_generate(actor=self.request.user, **data)

    def service_update(self, instance: DepartmentReport, data: dict[str, Any]) -> DepartmentReport:  # type: ignore[override]
        return services.report_update(actor=self.request.user, departmentreport=instance, data=data)

    def get_queryset(self) -> QuerySet:
        # Moves are POSTs on an existing report: the service decides who may make them, so reading scope applies.
        if getattr(self, "action", None) in MOVES:
            return self.queryset.visible_to(self.request.user, "view")
        return super().get_queryset()

    def _move(self, request: Request, call: Any, with_comment: bool = False) -> Response:
        instance = self.get_object()
        data: dict[str, Any] = {}
        if with_comment:
            serializer = s.ReportReviewSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = dict(serializer.validated_data)
        return Response(self.get_serializer(call(actor=request.user, departmentreport=instance, **data)).data)

    @extend_schema(
        summary=_("Submit the report (its figures are frozen)"), request=None, responses=s.DepartmentReportSerializer
    )
    @drf_action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_submit)

    @extend_schema(
        summary=_("Rebuild a draft's figures from the records"), request=None, responses=s.DepartmentReportSerializer
    )
    @drf_action(detail=True, methods=["post"])
    def refresh(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_refresh)

    @extend_schema(
        summary=_("Mark the report reviewed, with a comment"),
        request=s.ReportReviewSerializer,
        responses=s.DepartmentReportSerializer,
    )
    @drf_action(detail=True, methods=["post"])
    def review(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_review, with_comment=True)

    @extend_schema(
        summary=_("Return the report to the department, with the reason"),
        request=s.ReportReviewSerializer,
        responses=s.DepartmentReportSerializer,
    )
    @drf_action(detail=True, methods=["post"], url_path="return")
    def return_report(self, request: Request, pk: Any = None) -> Response:
        return self._move(request, services.report_return, with_comment=True)


@service_write_schema(
    listing=_("List the report subscriptions the user may see"),
    detail=_("One report subscription"),
    create=_("Subscribe people to a report"),
    update=_("Change a subscription"),
)
class ReportSubscriptionViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    queryset = ReportSubscription.objects.select_related("owner").prefetch_related("recipients")
    serializer_class = s.SubscriptionSerializer
    write_serializer_class = s.SubscriptionWriteSerializer
    update_serializer_class = s.SubscriptionUpdateSerializer
    ordering = ["name", "id"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def service_create(self, data: dict[str, Any]) -> ReportSubscription:
        return services.subscription_create(actor=self.request.user, **data)

    def service_update(self, instance: ReportSubscription, data: dict[str, Any]) -> ReportSubscription:  # type: ignore[override]
        return services.subscription_update(actor=self.request.user, reportsubscription=instance, data=data)


DASHBOARDS = {"cockpit"}


class DashboardView(ServiceErrorsMixin, APIView):
    """The figures behind a dashboard, for the requester's scope, with the page's period parameters (``period`` =
    month / quarter / year / last_year / custom, ``start``, ``end``)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary=_("The figures behind a dashboard"),
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter("period", str),
            OpenApiParameter("start", OpenApiTypes.DATE),
            OpenApiParameter("end", OpenApiTypes.DATE),
        ],
    )
    def get(self, request: Request, name: str) -> Response:
        if name not in DASHBOARDS:
            raise Http404
        sections = cockpit_selectors.sections_for(request.user)
        if not sections:
            raise PermissionDenied
        period = period_from(request.query_params, timezone.localdate())
        return Response(
            {
                "name": name,
                **cockpit_selectors.cockpit_json(
                    cockpit_selectors.cockpit(request.user, period, sections=sections), period
                ),
            }
        )
