"""Organisation pages: the org chart, departments, employees, roles, offboarding, and the language switch.

Reads go through the selectors (or the scoped list view), writes through the services; a service's
ValidationError is shown on the form and changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core.scoping import DataScope, get_visible_or_404
from apps.core.views import ScopedDetailView, ScopedListView, add_service_errors
from apps.org import selectors, services
from apps.org.choices import UserLanguage
from apps.org.forms import DepartmentForm, EmployeeFilterForm, EmployeeForm, OffboardForm
from apps.org.models import Department, Employee, User
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
        if not self.request.user.has_perm("org.view_department"):
            raise PermissionDenied
        context = super().get_context_data(**kwargs)
        roots = selectors.org_chart(user=self.request.user)
        context["roots"] = roots
        context["total_headcount"] = sum(node.total_headcount for node in roots)
        context["department_count"] = _count_nodes(roots)
        return context


def _count_nodes(nodes: list[selectors.OrgNode]) -> int:
    return sum(1 + _count_nodes(node.children) for node in nodes)


@login_required
def department_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A department: its facts, members in service, sub-departments with head-counts, and its history."""
    department = get_visible_or_404(Department, request.user, pk)
    children = (
        selectors.department_list(user=request.user).filter(parent=department)
        .annotate(headcount=Count("employees", filter=Q(employees__is_active=True))).order_by("order", "name")
    )
    members = selectors.employee_list(user=request.user, department=department, include_sub=False)
    return render(request, "org/department_detail.html", {
        "department": department, "children": children, "members": members,
    })


@login_required
def department_create_view(request: HttpRequest) -> HttpResponse:
    """New department (system administrators); the parent can be preset with ``?parent=<id>``."""
    _require_perm(request, "org.add_department")
    form = DepartmentForm(request.POST or None, initial={"parent": request.GET.get("parent"), "is_active": True},
                          departments=selectors.department_list(user=request.user), managers=_managers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Department “%(name)s” created.") % {"name": department})
            return redirect("org:department_detail", pk=department.pk)
    return render(request, "org/department_form.html", {"form": form, "department": None})


@login_required
def department_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a department; moving it under itself or its own sub-department shows the service's error."""
    _require_perm(request, "org.change_department")
    department = get_visible_or_404(Department, request.user, pk, action="change")
    initial = {name: getattr(department, name) for name in services.DEPARTMENT_FIELDS}
    form = DepartmentForm(request.POST or None, initial=initial,
                          departments=selectors.department_list(user=request.user), managers=_managers(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(actor=request.user, department=department, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            department.refresh_from_db()
        else:
            messages.success(request, _("Department “%(name)s” saved.") % {"name": department})
            return redirect("org:department_detail", pk=department.pk)
    return render(request, "org/department_form.html", {"form": form, "department": department})


@login_required
def department_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete an empty department after confirmation; one with members or sub-departments is refused."""
    _require_perm(request, "org.delete_department")
    department = get_visible_or_404(Department, request.user, pk, action="delete")
    error = ""
    if request.method == "POST":
        try:
            services.department_delete(actor=request.user, department=department)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Department “%(name)s” deleted.") % {"name": department})
            return redirect("org:department_list")
    return render(request, "org/department_confirm_delete.html", {"department": department, "error": error})


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
        self.filter_form = EmployeeFilterForm(request.GET or None,
                                              departments=selectors.department_list(user=request.user))
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


@login_required
def employee_create_view(request: HttpRequest) -> HttpResponse:
    """New employee and login (system administrators); without a department the service's error is shown."""
    _require_perm(request, "org.add_employee")
    form = EmployeeForm(request.POST or None, initial={"department": request.GET.get("department")},
                        departments=selectors.department_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            employee = services.employee_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Employee “%(name)s” created.") % {"name": employee})
            return redirect("org:employee_detail", pk=employee.pk)
    return render(request, "org/employee_form.html", {"form": form, "employee": None})


@login_required
def employee_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit an employee's record and roles."""
    _require_perm(request, "org.change_employee")
    employee = get_visible_or_404(Employee, request.user, pk, action="change")
    form = EmployeeForm(request.POST or None, initial=_employee_initial(employee), editing=True,
                        departments=selectors.department_list(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_update(actor=request.user, employee=employee, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            employee.refresh_from_db()
        else:
            messages.success(request, _("Employee “%(name)s” saved.") % {"name": employee})
            return redirect("org:employee_detail", pk=employee.pk)
    return render(request, "org/employee_form.html", {"form": form, "employee": employee})


def _handover_preview(employee: Employee) -> list[tuple[str, int]]:
    return list(selectors.employee_owned_records(employee=employee).items())


@login_required
def employee_offboard_view(request: HttpRequest, pk: int) -> HttpResponse:
    """离职交接: choose the successor, see what moves, hand everything over and mark the employee as left."""
    _require_perm(request, "org.handover_employee")
    employee = get_visible_or_404(Employee, request.user, pk, action="change")
    if not employee.is_active:
        messages.info(request, _("%(name)s has already left.") % {"name": employee})
        return redirect("org:employee_detail", pk=employee.pk)
    successors = selectors.employee_list(user=request.user, active=True).exclude(pk=employee.pk).order_by(
        "department__path", "employee_no")
    form = OffboardForm(request.POST or None, successors=successors)
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.employee_offboard(actor=request.user, employee=employee, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "org/employee_offboard_done.html", {
                "employee": employee, "successor": form.cleaned_data["successor"], "moved": sorted(moved.items()),
            })
    return render(request, "org/employee_offboard.html", {
        "employee": employee, "form": form, "preview": _handover_preview(employee),
    })


#
# Roles
#


@login_required
def role_list_view(request: HttpRequest) -> HttpResponse:
    """The roles with their data scope, per-app exceptions and member counts (read-only)."""
    _require_perm(request, "org.view_role")
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
