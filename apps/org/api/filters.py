"""Query filters of the organisation API (django-filter)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from apps.org.models import Department, Employee


def visible_departments(request: Any) -> QuerySet[Department]:
    """The departments a filter may name: those the requester sees (another id is "not a valid choice")."""
    if request is None:
        return Department.objects.none()
    return Department.objects.visible_to(request.user)


class DepartmentFilterSet(django_filters.FilterSet):
    parent = django_filters.ModelChoiceFilter(queryset=visible_departments, label=_("parent department"))

    class Meta:
        model = Department
        fields = ["kind", "parent", "is_active"]


class EmployeeFilterSet(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(
        queryset=visible_departments,
        method="filter_department",
        label=_("department (with its sub-departments unless include_sub is false)"),
    )
    include_sub = django_filters.BooleanFilter(method="filter_nothing", label=_("include sub-departments"))
    active = django_filters.BooleanFilter(field_name="is_active", label=_("in service"))

    class Meta:
        model = Employee
        fields = ["department", "include_sub", "active"]

    def filter_department(self, queryset: QuerySet, name: str, value: Department | None) -> QuerySet:
        if value is None:
            return queryset
        if self.form.cleaned_data.get("include_sub") is False:
            return queryset.filter(department=value)
        return queryset.filter(department__path__startswith=value.path)

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        """``include_sub`` only modifies ``department``."""
        return queryset
