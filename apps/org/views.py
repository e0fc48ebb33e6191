"""Organisation pages: the org chart, employees, and the language switch."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from apps.core.views import ScopedDetailView, ScopedListView
from apps.org import selectors, services
from apps.org.choices import UserLanguage
from apps.org.models import Employee


class OrgChartView(LoginRequiredMixin, TemplateView):
    template_name = "org/department_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        if not self.request.user.has_perm("org.view_department"):
            raise PermissionDenied
        context = super().get_context_data(**kwargs)
        context["roots"] = selectors.org_chart(user=self.request.user)
        return context


class EmployeeListView(ScopedListView):
    model = Employee
    template_name = "org/employee_list.html"
    search_fields = ("user__name", "user__username", "employee_no", "title", "mobile")
    sort_fields = ("employee_no", "user__name", "department__path", "joined_on")
    default_sort = "department__path"

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return super().get_queryset().select_related("user", "department").prefetch_related("roles")


class EmployeeDetailView(ScopedDetailView):
    model = Employee
    template_name = "org/employee_detail.html"


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
