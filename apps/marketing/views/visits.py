"""Visit pages (客户拜访): the list and the form, started from a customer or a lead."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.views import ScopedCreateView, ScopedDetailView, ScopedListView
from apps.customers.models import Customer
from apps.marketing.forms.leads import VisitForm
from apps.marketing.models import Visit
from apps.marketing.permissions import MarketingPerm
from apps.marketing.selectors import visits as selectors
from apps.marketing.selectors.leads import lead_visible
from apps.marketing.services import visits as services
from apps.marketing.views.common import InstanceFormUpdateView
from apps.org.models import User


class VisitListView(ScopedListView):
    """Visits in scope, newest first; searched (purpose, customer, lead, outcome) and limited by dates."""

    model = Visit
    template_name = "marketing/visit_list.html"
    sort_fields = ("visited_on", "next_step_on", "purpose")
    default_sort = "-visited_on"

    def get_queryset(self) -> QuerySet:
        get = self.request.GET
        qs = selectors.visit_list(
            user=self.request.user,
            date_from=parse_date(get.get("from", "") or ""),
            date_to=parse_date(get.get("to", "") or ""),
            q=get.get("q", ""),
        )
        return qs.order_by(self.current_sort(), "-pk")


def _colleagues() -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, employee__is_active=True)
        .select_related("employee__department")
        .order_by("employee__department__path", "name")
    )


class _VisitForm:
    """The visit form's drop-downs (customers and leads in the user's scope, active colleagues) and where a saved
    visit leads: its lead, or the visit."""

    request: HttpRequest
    success_url = "marketing:visit_detail"

    def choices(self) -> dict[str, Any]:
        user = self.request.user
        return {
            "customers": Customer.objects.visible_to(user).order_by("name"),
            "leads": lead_visible(user=user).order_by("company_name"),
            "colleagues": _colleagues(),
        }

    def get_success_url(self, obj: Any) -> str:
        if obj.lead_id:
            return reverse("marketing:lead_detail", kwargs={"pk": obj.lead_id})
        return reverse("marketing:visit_detail", kwargs={"pk": obj.pk})

    @staticmethod
    def split(form: Any) -> tuple[dict[str, Any], list[Any]]:
        data = dict(form.cleaned_data)
        return data, list(data.pop("visitors", []))


class VisitCreateView(_VisitForm, ScopedCreateView):
    model = Visit
    permission = MarketingPerm.ADD_VISIT
    form_class = VisitForm
    service = services.visit_create
    template_name = "marketing/visit_form.html"
    context_object_name = "visit"
    success_message = gettext_lazy("Visit recorded.")

    def get_initial(self) -> dict[str, Any]:
        initial: dict[str, Any] = {"visited_on": timezone.localdate()}
        for key in ("customer", "lead"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), **self.choices()}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data, visitors = self.split(form)
        return {"data": data, "visitors": visitors}


class VisitUpdateView(_VisitForm, InstanceFormUpdateView):
    model = Visit
    permission = MarketingPerm.VIEW_VISIT  # without the change permission the change scope is empty: 404
    form_class = VisitForm
    service = services.visit_update
    template_name = "marketing/visit_form.html"
    context_object_name = "visit"
    success_message = gettext_lazy("Visit saved.")

    def get_initial(self) -> dict[str, Any]:
        return {"visitors": list(self.object.visitors.all())}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), **self.choices()}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        data, visitors = self.split(form)
        return {"visit": self.object, "data": data, "visitors": visitors}


class VisitDetailView(ScopedDetailView):
    model = Visit
    permission = MarketingPerm.VIEW_VISIT
    template_name = "marketing/visit_detail.html"
    context_object_name = "visit"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(may_change=can(self.request.user, "change", self.object), **kwargs)
