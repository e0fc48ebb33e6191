"""Market intelligence pages (市场情报): the list (read/unread), the detail (which records the read receipt and,
for the author and managers, shows who read it and who in sales has not), create, edit and publish."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedFormView, ScopedListView
from apps.marketing.choices import IntelStatus
from apps.marketing.forms.leads import IntelFilterForm, IntelForm
from apps.marketing.models import MarketIntel
from apps.marketing.permissions import MarketingPerm
from apps.marketing.selectors import intel as selectors
from apps.marketing.services import intel as services
from apps.marketing.views.common import InstanceFormUpdateView
from apps.org.models import User


class IntelListView(ScopedListView):
    """Intelligence the user may see (published intelligence reaches sales and market development)."""

    model = MarketIntel
    template_name = "marketing/intel_list.html"
    sort_fields = ("published_at", "title", "importance", "category", "created_at")
    default_sort = "-published_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = IntelFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        f = self.filter_form
        qs = selectors.intel_list(
            user=self.request.user,
            category=f.value("category") or "",
            status=f.value("status") or "",
            importance=f.value("importance") or "",
            q=f.value("q") or "",
        )
        if self.request.GET.get("unread") == "1":
            qs = qs.filter(is_read=False, status=IntelStatus.PUBLISHED)
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


class IntelDetailView(ScopedDetailView):
    """Reading the detail records the read receipt (once); the author and managers see who read it and who in
    sales has not."""

    model = MarketIntel
    permission = MarketingPerm.VIEW_INTEL
    template_name = "marketing/intel_detail.html"
    context_object_name = "intel"

    def get_object(self, queryset: QuerySet | None = None) -> MarketIntel:
        intel = selectors.intel_get(user=self.request.user, pk=self.kwargs["pk"])
        services.intel_mark_read(actor=cast(User, self.request.user), intel=intel)  # signed in (the mixin)
        return intel

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        intel, user = self.object, self.request.user
        may_change = can(user, "change", intel)
        context = super().get_context_data(
            may_change=may_change,
            may_publish=may_change and user.has_perm(MarketingPerm.PUBLISH_INTEL) and intel.status == IntelStatus.DRAFT,
            **kwargs,
        )
        if may_change and intel.status == IntelStatus.PUBLISHED:
            context["readers"] = selectors.intel_readers(intel=intel)
            context["unread"] = selectors.intel_unread_in_sales(intel=intel)
        return context


class _IntelFormPage(ScopedFormView):
    """What creating and editing intelligence share: one form page."""

    model = MarketIntel
    form_class = IntelForm
    template_name = "marketing/intel_form.html"
    context_object_name = "intel"
    success_url = "marketing:intel_detail"


class IntelCreateView(_IntelFormPage, ScopedCreateView):
    permission = MarketingPerm.ADD_INTEL
    service = services.intel_create
    success_message = gettext_lazy("Draft “%(title)s” saved; a manager publishes it to sales.")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": form.cleaned_data}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"title": obj}


class IntelUpdateView(_IntelFormPage, InstanceFormUpdateView):
    permission = MarketingPerm.VIEW_INTEL  # without the change permission the change scope is empty: 404
    service = services.intel_update
    record_kwarg = "intel"
    success_message = gettext_lazy("Intelligence saved.")


class IntelPublishView(ScopedActionView):
    model = MarketIntel
    permission = MarketingPerm.VIEW_INTEL  # without the change permission the change scope is empty: 404
    action = "change"
    service = services.intel_publish
    success_message = gettext_lazy("Published; the sales department has been notified.")
    success_url = "marketing:intel_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"intel": self.object}
