"""Visit pages (客户拜访): the list and the form, started from a customer or a lead."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.models import Customer
from apps.marketing.forms_leads import VisitForm
from apps.marketing.models import Visit
from apps.marketing.selectors import visits as selectors
from apps.marketing.selectors.leads import lead_visible
from apps.marketing.services import visits as services
from apps.org.models import User


class VisitListView(ScopedListView):
    """Visits in scope, newest first; searched (purpose, customer, lead, outcome) and limited by dates."""

    model = Visit
    template_name = "marketing/visit_list.html"
    sort_fields = ("visited_on", "next_step_on", "purpose")
    default_sort = "-visited_on"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        qs = selectors.visit_list(user=self.request.user, date_from=parse_date(get.get("from", "") or ""),
                                  date_to=parse_date(get.get("to", "") or ""), q=get.get("q", ""))
        return qs.order_by(self.current_sort(), "-pk")


def _colleagues() -> QuerySet[User]:
    return User.objects.filter(is_active=True, employee__is_active=True).select_related(
        "employee__department").order_by("employee__department__path", "name")


def _form(request: HttpRequest, instance: Visit | None = None) -> VisitForm:
    user = request.user
    initial: dict[str, Any] = {"visited_on": timezone.localdate()}
    for key in ("customer", "lead"):
        if request.GET.get(key):
            initial[key] = request.GET[key]
    if instance is not None:
        initial = {"visitors": list(instance.visitors.all())}
    return VisitForm(request.POST or None, instance=instance, initial=initial,
                     customers=Customer.objects.visible_to(user).order_by("name"),
                     leads=lead_visible(user=user).order_by("company_name"), colleagues=_colleagues())


def _back(visit: Visit) -> Any:
    if visit.lead_id:
        return redirect("marketing:lead_detail", pk=visit.lead_id)
    return redirect("marketing:visit_detail", pk=visit.pk)


@login_required
def visit_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("marketing.add_visit"):
        raise PermissionDenied
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        visitors = list(data.pop("visitors", []))
        try:
            visit = services.visit_create(actor=request.user, data=data, visitors=visitors)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit recorded."))
            return _back(visit)
    return render(request, "marketing/visit_form.html", {"form": form, "visit": None})


@login_required
def visit_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visible_or_404(Visit, request.user, pk, action="change")
    form = _form(request, instance=visit)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        visitors = list(data.pop("visitors", []))
        try:
            services.visit_update(actor=request.user, visit=Visit.objects.get(pk=pk), data=data, visitors=visitors)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Visit saved."))
            return _back(visit)
    return render(request, "marketing/visit_form.html", {"form": form, "visit": visit})


@login_required
def visit_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_visible_or_404(Visit, request.user, pk)
    return render(request, "marketing/visit_detail.html", {
        "visit": visit, "may_change": can(request.user, "change", visit),
    })
