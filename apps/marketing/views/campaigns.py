"""Campaign pages (推广活动): the list with computed results, the detail (results, budget vs actual cost, its
leads), create, edit and status changes."""

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
from apps.marketing.choices import CampaignStatus
from apps.marketing.forms_leads import CampaignFilterForm, CampaignForm
from apps.marketing.models import Campaign
from apps.marketing.selectors import campaigns as selectors
from apps.marketing.selectors.leads import lead_list, plan_choices
from apps.marketing.services import campaigns as services

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
        qs = selectors.campaign_list(user=self.request.user, status=f.value("status") or "",
                                     kind=f.value("kind") or "", q=f.value("q") or "")
        return qs.order_by(self.current_sort(), "-pk")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object_list"] = selectors.attach_metrics(context["object_list"])
        context.update(filter_form=self.filter_form, revenue_measurable=selectors.revenue_measurable(),
                       revenue_rule=selectors.REVENUE_RULE)
        return context


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign, request.user, pk)
    metrics = selectors.campaign_metrics(campaign)
    leads = lead_list(user=request.user, campaign=campaign).order_by("-created_at")
    may_change = can(request.user, "change", campaign)
    transitions = services.CAMPAIGN_TRANSITIONS.get(campaign.status, ()) if may_change else ()
    return render(request, "marketing/campaign_detail.html", {
        "campaign": campaign, "metrics": metrics, "leads": leads[:CAMPAIGN_LEADS_SHOWN],
        "leads_visible": leads.count(), "may_change": may_change,
        "transitions": [(v, label) for v, label in CampaignStatus.choices if v in transitions],
        "revenue_measurable": selectors.revenue_measurable(), "revenue_rule": selectors.REVENUE_RULE,
    })


def _form(request: HttpRequest, instance: Campaign | None = None) -> CampaignForm:
    initial = {"plan": request.GET.get("plan")} if request.GET.get("plan") else None
    return CampaignForm(request.POST or None, instance=instance, initial=initial,
                        plans=plan_choices(user=request.user))


@login_required
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("marketing.add_campaign"):
        raise PermissionDenied
    form = _form(request)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campaign “%(name)s” created.") % {"name": campaign})
            return redirect("marketing:campaign_detail", pk=campaign.pk)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": None})


@login_required
def campaign_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign, request.user, pk, action="change")
    form = _form(request, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(actor=request.user, campaign=Campaign.objects.get(pk=pk),
                                     data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Campaign “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("marketing:campaign_detail", pk=pk)
    return render(request, "marketing/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
@require_POST
def campaign_status_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(Campaign, request.user, pk, action="change")
    try:
        services.campaign_set_status(actor=request.user, campaign=campaign, status=request.POST.get("status", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Campaign status: %(status)s.") % {"status": campaign.get_status_display()})
    return redirect("marketing:campaign_detail", pk=pk)
