"""The organisation API: departments, employees and the logged-in user. Thin: scoped querysets in, services for
writes, serializers for validation and representation.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api import ScopedViewSetMixin, ServiceErrorsMixin, ServiceWriteMixin, service_write_schema
from apps.org import services
from apps.org.api import serializers as s
from apps.org.api.filters import DepartmentFilterSet, EmployeeFilterSet
from apps.org.models import Department, Employee

_METHODS = ["get", "post", "patch", "delete", "head", "options"]


@service_write_schema(
    listing=_("List the departments the user may see"),
    detail=_("One department (404 when out of scope)"),
    create=_("Create a department"),
    update=_("Change or move a department"),
    destroy=extend_schema(summary=_("Delete an empty department")),
)
class DepartmentViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Departments (the organisation tree) within the user's data scope."""

    queryset = Department.objects.select_related("manager")
    serializer_class = s.DepartmentSerializer
    write_serializer_class = s.DepartmentWriteSerializer
    filterset_class = DepartmentFilterSet
    search_fields = ["name", "code"]
    ordering_fields = ["path", "order", "name", "code"]
    ordering = ["path"]
    http_method_names = _METHODS

    def service_create(self, data: dict[str, Any]) -> Department:
        return services.department_create(actor=self.request.user, **data)

    def service_update(self, instance: Department, data: dict[str, Any]) -> Department:  # type: ignore[override]
        return services.department_update(actor=self.request.user, department=instance, data=data)

    def perform_destroy(self, instance: Department) -> None:
        services.department_delete(actor=self.request.user, department=instance)


@service_write_schema(
    listing=_("List the employees the user may see"),
    detail=_("One employee (404 when out of scope)"),
    create=_("Create a login and its employee record"),
    update=_("Change an employee"),
)
class EmployeeViewSet(ScopedViewSetMixin, ServiceWriteMixin, viewsets.ModelViewSet):
    """Employees within the user's data scope; filter by department (with sub-departments) and active."""

    queryset = Employee.objects.select_related("user", "department").prefetch_related("roles")
    serializer_class = s.EmployeeSerializer
    write_serializer_class = s.EmployeeCreateSerializer
    update_serializer_class = s.EmployeeUpdateSerializer
    filterset_class = EmployeeFilterSet
    search_fields = ["user__name", "user__username", "employee_no"]
    ordering_fields = ["employee_no", "user__name", "department__path", "joined_on"]
    ordering = ["department__path", "employee_no"]
    http_method_names = [m for m in _METHODS if m != "delete"]  # people leave by handover, never by deletion

    def service_create(self, data: dict[str, Any]) -> Employee:
        return services.employee_create(actor=self.request.user, **data)

    def service_update(self, instance: Employee, data: dict[str, Any]) -> Employee:  # type: ignore[override]
        return services.employee_update(actor=self.request.user, employee=instance, data=data)


class MeView(ServiceErrorsMixin, generics.GenericAPIView):
    """The logged-in user: who they are, their employee record, data scope per app and permissions."""

    serializer_class = s.MeSerializer
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []

    @extend_schema(summary=_("The logged-in user"))
    def get(self, request: Request) -> Response:
        return Response(self.get_serializer(request.user).data)

    @extend_schema(summary=_("Choose the interface language"), request=s.MeUpdateSerializer, responses=s.MeSerializer)
    def patch(self, request: Request) -> Response:
        serializer = s.MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.user_set_language(actor=request.user, language=serializer.validated_data["language"])
        return Response(self.get_serializer(request.user).data)
