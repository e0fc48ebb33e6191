"""Market research pages (市场调研): list, detail with the leads it yielded, create/edit, and "create leads from
this research". Thin: selectors in, services out; a service's error is shown on the form and changes nothing."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.views import (
    ScopedCreateView,
    ScopedDetailView,
    ScopedFormView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.marketing.forms.plans import ResearchFilterForm, ResearchForm, ResearchLeadFormSet
from apps.marketing.models import MarketResearch
from apps.marketing.permissions import MarketingPerm
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
        return selectors.research_list(
            user=self.request.user, status=data.get("status", ""), method=data.get("method", "")
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


class ResearchDetailView(ScopedDetailView):
    model = MarketResearch
    permission = MarketingPerm.VIEW_RESEARCH
    template_name = "marketing/research_detail.html"
    context_object_name = "research"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        leads = selectors.research_leads(user=self.request.user, research=self.object)[:50]
        return super().get_context_data(leads=leads, **kwargs)


class _ResearchFormPage(ScopedFormView):
    """What creating and editing a study share: one form page."""

    model = MarketResearch
    form_class = ResearchForm
    template_name = "marketing/research_form.html"
    context_object_name = "research"
    success_message = gettext_lazy("Market research “%(name)s” saved.")
    success_url = "marketing:research_detail"


class ResearchCreateView(_ResearchFormPage, ScopedCreateView):
    permission = MarketingPerm.ADD_RESEARCH
    service = services.research_create

    def get_initial(self) -> dict[str, Any]:
        return {"status": "in_progress", "method": "desk"}


class ResearchUpdateView(_ResearchFormPage, ScopedUpdateView):
    permission = MarketingPerm.VIEW_RESEARCH  # without the change permission the change scope is empty: 404
    service = services.research_update
    record_kwarg = "research"


class ResearchLeadsView(ScopedFormView):
    """Add the potential customers the study found as leads (source: research), owned by the user: a formset of
    rows, one service call for all of them (one bad row adds nothing)."""

    model = MarketResearch
    permission = MarketingPerm.ADD_LEAD
    action = "view"
    service = services.research_create_leads
    template_name = "marketing/research_leads.html"
    context_object_name = "research"
    success_url = "marketing:research_detail"

    def get_object(self) -> MarketResearch:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form(self) -> Any:
        return ResearchLeadFormSet(self.request.POST or None, prefix="leads")

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        rows = [f.cleaned_data for f in form.forms if f.has_changed() and not f.is_blank()]
        return {"research": self.object, "rows": rows}

    def service_failed(self, form: Any, error: ValidationError) -> None:
        self.error = " ".join(error.messages)

    def form_valid(self, form: Any, result: Any) -> HttpResponse:
        messages.success(self.request, _("%(count)d leads added from this research.") % {"count": len(result)})
        return redirect(self.get_success_url(self.object))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form = kwargs.pop("form")
        return super().get_context_data(formset=form, error=getattr(self, "error", ""), **kwargs)
