"""Organisation pages: the org chart, departments, employees, roles, offboarding, and the language switch.

Reads go through the selectors (or the scoped list view), writes through the services; a service's
ValidationError is shown on the form and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core.scoping import DataScope
from apps.core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.org import selectors, services
from apps.org.choices import UserLanguage
from apps.org.forms import DepartmentForm, EmployeeFilterForm, EmployeeForm, OffboardForm
from apps.org.models import Department, Employee, User
from apps.org.permissions import OrgPerm
from apps.org.scope import resolve_user_scope


def _require_perm(request: HttpRequest, perm: str) -> None:
    """Management pages answer 403 to anyone without the permission (the buttons are hidden for them too)."""
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _managers(user: Any) -> QuerySet[User]:
    """Who may be made a department's manager: the users of employees in service the actor may see."""
    visible = selectors.employee_list(user=user, active=True).values("user_id")
    return User.objects.filter(pk__in=visible).select_related("employee__department").order_by("name", "username")


#
# Departments
#


class OrgChartView(LoginRequiredMixin, TemplateView):
    """The org chart: the visible part of the department tree with head-counts, totals and managers."""

    template_name = "org/department_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if not self.request.user.has_perm(OrgPerm.VIEW_DEPARTMENT):
            raise PermissionDenied
        context = super().get_context_data(**kwargs)
        roots = selectors.org_chart(user=self.request.user)
        context["roots"] = roots
        context["total_headcount"] = sum(node.total_headcount for node in roots)
        context["department_count"] = _count_nodes(roots)
        return context


def _count_nodes(nodes: list[selectors.OrgNode]) -> int:
    return sum(1 + _count_nodes(node.children) for node in nodes)


class DepartmentDetailView(ScopedDetailView):
    """A department: its facts, members in service, sub-departments with head-counts, and its history."""

    model = Department
    permission = OrgPerm.VIEW_DEPARTMENT
    template_name = "org/department_detail.html"
    context_object_name = "department"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user, department = self.request.user, self.object
        children = (
            selectors.department_list(user=user)
            .filter(parent=department)
            .annotate(headcount=Count("employees", filter=Q(employees__is_active=True)))
            .order_by("order", "name")
        )
        members = selectors.employee_list(user=user, department=department, include_sub=False)
        return super().get_context_data(children=children, members=members, **kwargs)


class _DepartmentFormMixin(ScopedFormView):
    model = Department
    form_class: Any = DepartmentForm
    template_name: str | None = "org/department_form.html"
    context_object_name = "department"
    success_url = "org:department_detail"

    def get_form_kwargs(self) -> dict[str, Any]:
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "departments": selectors.department_list(user=user),
            "managers": _managers(user),
        }


class DepartmentCreateView(_DepartmentFormMixin, ScopedCreateView):
    """New department (system administrators); the parent can be preset with ``?parent=<id>``."""

    permission = OrgPerm.ADD_DEPARTMENT
    service = services.department_create
    success_message = gettext_lazy("Department “%(name)s” created.")

    def get_initial(self) -> dict[str, Any]:
        return {"parent": self.request.GET.get("parent"), "is_active": True}


class DepartmentUpdateView(_DepartmentFormMixin, ScopedUpdateView):
    """Edit a department; moving it under itself or its own sub-department shows the service's error."""

    permission = OrgPerm.CHANGE_DEPARTMENT
    service = services.department_update
    success_message = gettext_lazy("Department “%(name)s” saved.")

    def get_initial(self) -> dict[str, Any]:
        return {name: getattr(self.object, name) for name in services.DEPARTMENT_FIELDS}


class DepartmentDeleteView(ScopedUpdateView):
    """Delete an empty department after confirmation; one with members or sub-departments is refused."""

    model = Department
    action = "delete"
    permission = OrgPerm.DELETE_DEPARTMENT
    form_class = forms.Form  # a confirmation: nothing to fill in
    service = services.department_delete
    template_name = "org/department_confirm_delete.html"
    context_object_name = "department"
    success_message = gettext_lazy("Department “%(name)s” deleted.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"data": self.request.POST if self.request.method == "POST" else None}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"department": self.object}

    def get_success_url(self, obj: Any) -> str:
        return reverse("org:department_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(error=" ".join(kwargs["form"].non_field_errors()), **kwargs)


#
# Employees
#


class EmployeeListView(ScopedListView):
    """Employees the user may see: search, sort, department and status filters, page size; HTMX gets ``#rows``."""

    model = Employee
    template_name = "org/employee_list.html"
    search_fields = ("user__name", "user__username", "employee_no", "title", "mobile")
    sort_fields = ("employee_no", "user__name", "department__path", "title", "joined_on")
    default_sort = "department__path"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = EmployeeFilterForm(
            request.GET or None, departments=selectors.department_list(user=request.user)
        )
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        department = self.filter_form.chosen_department()
        if department is not None:
            qs = qs.filter(department__path__startswith=department.path)
        active = self.filter_form.active_filter()
        if active is not None:
            qs = qs.filter(is_active=active)
        return qs.select_related("user", "department").prefetch_related("roles")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


class EmployeeDetailView(ScopedDetailView):
    """An employee's profile, roles, effective data scope and history."""

    model = Employee
    template_name = "org/employee_detail.html"

    def get_queryset(self) -> QuerySet:
        return super().get_queryset().select_related("user", "department", "department__manager")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        employee = self.object
        context["roles"] = employee.roles.prefetch_related("grants")
        context["scope"] = _scope_summary(employee)
        return context


def _scope_summary(employee: Employee) -> dict[str, Any]:
    """The employee's effective data scope: the default across their roles and the per-app exceptions."""
    resolved = resolve_user_scope(employee.user)
    labels = dict(DataScope.choices)
    return {
        "default": labels.get(resolved.default_scope) if resolved.default_scope else None,
        "apps": sorted((app, labels[scope]) for app, scope in resolved.app_scopes.items()),
    }


def _employee_initial(employee: Employee) -> dict[str, Any]:
    initial = {name: getattr(employee, name) for name in services.EMPLOYEE_FIELDS}
    initial.update(name=employee.user.name, roles=list(employee.roles.all()))
    return initial


def _handover_preview(employee: Employee) -> list[tuple[str, int]]:
    return list(selectors.employee_owned_records(employee=employee).items())


class _EmployeeFormMixin:
    model = Employee
    form_class: Any = EmployeeForm
    template_name: str | None = "org/employee_form.html"
    context_object_name = "employee"
    success_url = "org:employee_detail"
    request: HttpRequest

    def get_form_kwargs(self) -> dict[str, Any]:
        departments = selectors.department_list(user=self.request.user)
        return {**super().get_form_kwargs(), "departments": departments}  # type: ignore[misc]


class EmployeeCreateView(_EmployeeFormMixin, ScopedCreateView):
    """New employee and login (system administrators); without a department the service's error is shown."""

    permission = OrgPerm.ADD_EMPLOYEE
    service = services.employee_create
    success_message = gettext_lazy("Employee “%(name)s” created.")

    def get_initial(self) -> dict[str, Any]:
        return {"department": self.request.GET.get("department")}


class EmployeeUpdateView(_EmployeeFormMixin, ScopedUpdateView):
    """Edit an employee's record and roles."""

    permission = OrgPerm.CHANGE_EMPLOYEE
    service = services.employee_update
    success_message = gettext_lazy("Employee “%(name)s” saved.")

    def get_initial(self) -> dict[str, Any]:
        return _employee_initial(self.object)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "editing": True}


class EmployeeOffboardView(ScopedUpdateView):
    """离职交接: choose the successor, see what moves, hand everything over and mark the employee as left."""

    model = Employee
    permission = OrgPerm.HANDOVER_EMPLOYEE
    form_class = OffboardForm
    service = services.employee_offboard
    template_name = "org/employee_offboard.html"
    context_object_name = "employee"

    def handle(self) -> HttpResponse:
        employee = self.get_object()
        if not employee.is_active:
            messages.info(self.request, _("%(name)s has already left.") % {"name": employee})
            return redirect("org:employee_detail", pk=employee.pk)
        return super().handle()

    def get_initial(self) -> dict[str, Any]:
        return {}

    def get_form_kwargs(self) -> dict[str, Any]:
        successors = (
            selectors.employee_list(user=self.request.user, active=True)
            .exclude(pk=self.object.pk)
            .order_by("department__path", "employee_no")
        )
        return {**super().get_form_kwargs(), "successors": successors}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"employee": self.object, **form.cleaned_data}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(preview=_handover_preview(self.object), **kwargs)

    def form_valid(self, form: Any, result: Any) -> HttpResponse:
        # Not a redirect: the page shows what moved to whom, once.
        return render(
            self.request,
            "org/employee_offboard_done.html",
            {
                "employee": self.object,
                "successor": form.cleaned_data["successor"],
                "moved": sorted(result.items()),
            },
        )


#
# Roles
#


@login_required
def role_list_view(request: HttpRequest) -> HttpResponse:
    """The roles with their data scope, per-app exceptions and member counts (read-only).

    A function view: roles have no data scope, so the permission is the whole rule (no generic scoped view)."""
    _require_perm(request, OrgPerm.VIEW_ROLE)
    return render(request, "org/role_list.html", {"roles": selectors.role_list(user=request.user)})


#
# Language
#


@require_POST
def set_language_view(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and remember it on the user (or in a cookie before login)."""
    language = request.POST.get("language", "")
    if language not in UserLanguage.values:
        language = UserLanguage.ZH_HANS
    if request.user.is_authenticated:
        services.user_set_language(actor=request.user, language=language)
    translation.activate(language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = redirect(target)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response
