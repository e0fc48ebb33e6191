"""Representation and input validation for the organisation API. Serializers never save: views pass
``validated_data`` to ``apps.org.services``.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api import ScopedPrimaryKeyRelatedField
from apps.core.scoping import DataScope, user_scope
from apps.org.choices import DepartmentKind, UserLanguage
from apps.org.models import Department, Employee, Role, User
from apps.org.services import EMPLOYEE_NEEDS_DEPARTMENT

_DEPARTMENT_REQUIRED = {"required": EMPLOYEE_NEEDS_DEPARTMENT, "null": EMPLOYEE_NEEDS_DEPARTMENT}

#
# Small references used inside other records
#


class DepartmentRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "code", "path"]


class UserRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "name"]


class RoleRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Role
        fields = ["id", "code", "name", "data_scope"]


#
# Departments
#


class DepartmentSerializer(serializers.ModelSerializer):
    manager = UserRefSerializer(read_only=True, allow_null=True)
    depth = serializers.IntegerField(read_only=True)

    class Meta:
        model = Department
        fields = [
            "id",
            "name",
            "code",
            "kind",
            "parent",
            "manager",
            "order",
            "path",
            "depth",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DepartmentWriteSerializer(serializers.Serializer):
    """Input of ``department_create`` / ``department_update``; the parent must be a department the user sees."""

    name = serializers.CharField(max_length=100)
    code = serializers.SlugField(max_length=50)
    kind = serializers.ChoiceField(choices=DepartmentKind.choices, default=DepartmentKind.OTHER)
    parent = ScopedPrimaryKeyRelatedField(queryset=Department.objects.all(), allow_null=True, required=False)
    manager = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True, required=False
    )
    order = serializers.IntegerField(min_value=0, required=False)
    is_active = serializers.BooleanField(required=False)


#
# Employees
#


class EmployeeSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    department = DepartmentRefSerializer(read_only=True)
    roles = RoleRefSerializer(many=True, read_only=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "username",
            "name",
            "employee_no",
            "department",
            "title",
            "mobile",
            "email",
            "roles",
            "is_active",
            "joined_on",
            "left_on",
        ]
        read_only_fields = fields


class _EmployeeFieldsSerializer(serializers.Serializer):
    """The employee fields shared by create and update (the service validates them again with the model)."""

    name = serializers.CharField(max_length=50)
    department = ScopedPrimaryKeyRelatedField(queryset=Department.objects.all(), error_messages=_DEPARTMENT_REQUIRED)
    employee_no = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=50, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=20, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    joined_on = serializers.DateField(required=False, allow_null=True)
    roles = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all(), many=True, required=False)


class EmployeeCreateSerializer(_EmployeeFieldsSerializer):
    """Input of ``employee_create``: a login and its employee record together."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=UserLanguage.choices, default=UserLanguage.ZH_HANS)

    def validate_password(self, value: str) -> str:
        try:
            password_validation.validate_password(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(list(exc.messages)) from exc
        return value


class EmployeeUpdateSerializer(_EmployeeFieldsSerializer):
    """Input of ``employee_update`` (PATCH: every field optional, a department can't be removed)."""


#
# The logged-in user
#


class MeEmployeeSerializer(serializers.ModelSerializer):
    department = DepartmentRefSerializer(read_only=True)
    roles = RoleRefSerializer(many=True, read_only=True)

    class Meta:
        model = Employee
        fields = ["id", "employee_no", "title", "department", "roles", "is_active"]


def effective_data_scopes(user: Any) -> dict[str, str | None]:
    """Per app of this project: the widest data scope the user's roles give there (None: sees nothing)."""
    labels = [c.label for c in django_apps.get_app_configs() if c.name.startswith("apps.")]
    if user.is_superuser:
        return {label: DataScope.ALL.value for label in labels}
    resolved = user_scope(user)
    return {label: (s.value if (s := resolved.for_app(label)) else None) for label in labels}


class MeSerializer(serializers.ModelSerializer):
    employee = serializers.SerializerMethodField()
    data_scope = serializers.SerializerMethodField()
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "name", "language", "employee", "data_scope", "permissions"]
        read_only_fields = fields

    @extend_schema_field(MeEmployeeSerializer(allow_null=True))
    def get_employee(self, user: User) -> dict[str, Any] | None:
        employee = Employee.objects.select_related("department").prefetch_related("roles").filter(user=user).first()
        return MeEmployeeSerializer(employee).data if employee else None

    @extend_schema_field(
        serializers.DictField(child=serializers.ChoiceField(choices=DataScope.choices, allow_null=True))
    )
    def get_data_scope(self, user: User) -> dict[str, str | None]:
        return effective_data_scopes(user)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.get_all_permissions())


class MeUpdateSerializer(serializers.Serializer):
    language = serializers.ChoiceField(choices=UserLanguage.choices)
