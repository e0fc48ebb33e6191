"""Market intelligence pages (市场情报): the list (read/unread), the detail (which records the read receipt and,
for the author and managers, shows who read it and who in sales has not), create, edit and publish."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.marketing.choices import IntelStatus
from apps.marketing.forms_leads import IntelFilterForm, IntelForm
from apps.marketing.models import MarketIntel
from apps.marketing.selectors import intel as selectors
from apps.marketing.services import intel as services


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
        qs = selectors.intel_list(user=self.request.user, category=f.value("category") or "",
                                  status=f.value("status") or "", importance=f.value("importance") or "",
                                  q=f.value("q") or "")
        if self.request.GET.get("unread") == "1":
            qs = qs.filter(is_read=False, status=IntelStatus.PUBLISHED)
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["filter_form"] = self.filter_form
        return context


@login_required
def intel_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Reading the detail records the read receipt (once)."""
    intel = selectors.intel_get(user=request.user, pk=pk)
    services.intel_mark_read(actor=request.user, intel=intel)
    may_change = can(request.user, "change", intel)
    context: dict[str, Any] = {"intel": intel, "may_change": may_change,
                               "may_publish": may_change and request.user.has_perm("marketing.publish_marketintel")
                               and intel.status == IntelStatus.DRAFT}
    if may_change and intel.status == IntelStatus.PUBLISHED:
        context["readers"] = selectors.intel_readers(intel=intel)
        context["unread"] = selectors.intel_unread_in_sales(intel=intel)
    return render(request, "marketing/intel_detail.html", context)


@login_required
def intel_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("marketing.add_marketintel"):
        raise PermissionDenied
    form = IntelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intel = services.intel_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft “%(title)s” saved; a manager publishes it to sales.")
                             % {"title": intel})
            return redirect("marketing:intel_detail", pk=intel.pk)
    return render(request, "marketing/intel_form.html", {"form": form, "intel": None})


@login_required
def intel_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    intel = get_visible_or_404(MarketIntel, request.user, pk, action="change")
    form = IntelForm(request.POST or None, instance=intel)
    if request.method == "POST" and form.is_valid():
        try:
            services.intel_update(actor=request.user, intel=MarketIntel.objects.get(pk=pk), data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Intelligence saved."))
            return redirect("marketing:intel_detail", pk=pk)
    return render(request, "marketing/intel_form.html", {"form": form, "intel": intel})


@login_required
@require_POST
def intel_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    intel = get_visible_or_404(MarketIntel, request.user, pk, action="change")
    try:
        services.intel_publish(actor=request.user, intel=intel)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Published; the sales department has been notified."))
    return redirect("marketing:intel_detail", pk=pk)
