"""Market research pages (市场调研): list, detail with the leads it yielded, create/edit, and "create leads from
this research". Thin: selectors in, services out; a service's error is shown on the form and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.marketing.forms_plans import ResearchFilterForm, ResearchForm, ResearchLeadFormSet
from apps.marketing.models import MarketResearch
from apps.marketing.selectors import research as selectors
from apps.marketing.services import research as services


class ResearchListView(ScopedListView):
    model = MarketResearch
    template_name = "marketing/research_list.html"
    search_fields = ("subject", "target_market", "segment", "findings")
    sort_fields = ("subject", "target_market", "period_start", "status", "owner__name")
    default_sort = "-period_start"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = ResearchFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        """The scoped studies from the selector (with their lead counts), narrowed by status and method."""
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.research_list(user=self.request.user, status=data.get("status", ""),
                                       method=data.get("method", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


@login_required
def research_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    research = get_visible_or_404(MarketResearch, request.user, pk)
    return render(request, "marketing/research_detail.html", {
        "research": research, "leads": selectors.research_leads(user=request.user, research=research)[:50],
    })


@login_required
def research_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("marketing.add_marketresearch"):
        raise PermissionDenied
    form = ResearchForm(request.POST or None, initial={"status": "in_progress", "method": "desk"})
    if request.method == "POST" and form.is_valid():
        try:
            research = services.research_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Market research “%(name)s” saved.") % {"name": research})
            return redirect("marketing:research_detail", pk=research.pk)
    return render(request, "marketing/research_form.html", {"form": form, "research": None})


@login_required
def research_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    research = get_visible_or_404(MarketResearch, request.user, pk, action="change")
    initial = {name: getattr(research, name) for name in services.RESEARCH_FIELDS}
    form = ResearchForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.research_update(actor=request.user, research=research, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            research.refresh_from_db()
        else:
            messages.success(request, _("Market research “%(name)s” saved.") % {"name": research})
            return redirect("marketing:research_detail", pk=research.pk)
    return render(request, "marketing/research_form.html", {"form": form, "research": research})


@login_required
def research_leads_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the potential customers the study found as leads (source: research), owned by the user."""
    research = get_visible_or_404(MarketResearch, request.user, pk)
    if not request.user.has_perm("marketing.add_lead"):
        raise PermissionDenied
    formset = ResearchLeadFormSet(request.POST or None, prefix="leads")
    error = ""
    if request.method == "POST" and formset.is_valid():
        rows = [f.cleaned_data for f in formset.forms if f.has_changed() and not f.is_blank()]
        try:
            leads = services.research_create_leads(actor=request.user, research=research, rows=rows)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(count)d leads added from this research.") % {"count": len(leads)})
            return redirect("marketing:research_detail", pk=research.pk)
    return render(request, "marketing/research_leads.html", {"research": research, "formset": formset,
                                                             "error": error})
