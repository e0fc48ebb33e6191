"""Campaign pages (推广活动): the list with computed results, the detail (results, budget vs actual cost, its
leads), create, edit and status changes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy

from apps.core.scoping import can
from apps.core.views import ScopedActionView, ScopedCreateView, ScopedDetailView, ScopedListView
from apps.marketing.choices import CampaignStatus
from apps.marketing.forms.leads import CampaignFilterForm, CampaignForm
from apps.marketing.models import Campaign
from apps.marketing.permissions import MarketingPerm
from apps.marketing.selectors import campaigns as selectors
from apps.marketing.selectors.leads import lead_list, plan_choices
from apps.marketing.services import campaigns as services
from apps.marketing.views.common import InstanceFormUpdateView

CAMPAIGN_LEADS_SHOWN = 20


class CampaignListView(ScopedListView):
    """Campaigns in scope with leads, qualified leads, conversions, cost per lead and ROI computed per row."""

    model = Campaign
    template_name = "marketing/campaign_list.html"
    sort_fields = ("start_date", "name", "budget", "actual_cost", "m_leads", "m_conversions")
    default_sort = "-start_date"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = CampaignFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet:
        f = self.filter_form
        qs = selectors.campaign_list(
            user=self.request.user, status=f.value("status") or "", kind=f.value("kind") or "", q=f.value("q") or ""
        )
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.attach_metrics(context["object_list"])
        context.update(
            filter_form=self.filter_form,
            revenue_measurable=selectors.revenue_measurable(),
            revenue_rule=selectors.REVENUE_RULE,
        )
        return context


class CampaignDetailView(ScopedDetailView):
    model = Campaign
    permission = MarketingPerm.VIEW_CAMPAIGN
    template_name = "marketing/campaign_detail.html"
    context_object_name = "campaign"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign, user = self.object, self.request.user
        leads = lead_list(user=user, campaign=campaign).order_by("-created_at")
        may_change = can(user, "change", campaign)
        transitions = services.CAMPAIGN_TRANSITIONS.get(campaign.status, ()) if may_change else ()
        return super().get_context_data(
            metrics=selectors.campaign_metrics(campaign),
            leads=leads[:CAMPAIGN_LEADS_SHOWN],
            leads_visible=leads.count(),
            may_change=may_change,
            transitions=[(v, label) for v, label in CampaignStatus.choices if v in transitions],
            revenue_measurable=selectors.revenue_measurable(),
            revenue_rule=selectors.REVENUE_RULE,
            **kwargs,
        )


class CampaignCreateView(ScopedCreateView):
    model = Campaign
    permission = MarketingPerm.ADD_CAMPAIGN
    form_class = CampaignForm
    service = services.campaign_create
    template_name = "marketing/campaign_form.html"
    context_object_name = "campaign"
    success_message = gettext_lazy("Campaign “%(name)s” created.")
    success_url = "marketing:campaign_detail"

    def get_initial(self) -> dict[str, Any]:
        return {"plan": self.request.GET.get("plan")} if self.request.GET.get("plan") else {}

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plans": plan_choices(user=self.request.user)}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": form.cleaned_data}


class CampaignUpdateView(InstanceFormUpdateView):
    model = Campaign
    permission = MarketingPerm.VIEW_CAMPAIGN  # without the change permission the change scope is empty: 404
    form_class = CampaignForm
    service = services.campaign_update
    template_name = "marketing/campaign_form.html"
    context_object_name = "campaign"
    success_message = gettext_lazy("Campaign “%(name)s” saved.")
    success_url = "marketing:campaign_detail"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "plans": plan_choices(user=self.request.user)}


class CampaignStatusView(ScopedActionView):
    """Move a campaign along ``CAMPAIGN_TRANSITIONS`` (the status in the POST)."""

    model = Campaign
    permission = MarketingPerm.VIEW_CAMPAIGN  # without the change permission the change scope is empty: 404
    action = "change"
    service = services.campaign_set_status
    success_message = gettext_lazy("Campaign status: %(status)s.")
    success_url = "marketing:campaign_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"campaign": self.object, "status": self.request.POST.get("status", "")}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"status": obj.get_status_display()}
