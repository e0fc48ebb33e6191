"""Survey campaigns (满意度调查): list, create and edit a draft with its customer segment (live recipient count),
send now or schedule, close; the campaign's results page with analysis notes and improvement actions; the links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from apps.core.scoping import can, get_visible_or_404
from apps.core.views import ScopedListView, add_service_errors
from apps.customers.models import Tag
from apps.policy.choices import CustomerLevel
from apps.surveys.choices import SurveyKind, SurveyStatus
from apps.surveys.forms import AnalysisForm, CampaignFilterForm, CampaignForm, ScheduleForm, SegmentForm
from apps.surveys.models import SurveyCampaign
from apps.surveys.registry import segment_source
from apps.surveys.selectors import campaigns as selectors
from apps.surveys.selectors.campaigns import segment_customers
from apps.surveys.services import campaigns as services
from apps.surveys.views.results import results_context

PAGE_SIZES = (20, 50, 100)


class CampaignListView(ScopedListView):
    model = SurveyCampaign
    template_name = "surveys/campaign_list.html"
    search_fields = ("name", "questionnaire__title", "owner__name")
    sort_fields = ("name", "created_at", "sent_at", "status")
    default_sort = "-created_at"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.filter_form = CampaignFilterForm(request.GET or None)
        return super().get(request, *args, **kwargs)

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        data = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return selectors.campaign_list(user=self.request.user, status=data.get("status", ""),
                                       kind=data.get("kind", ""))

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(filter_form=self.filter_form, page_sizes=PAGE_SIZES, **kwargs)


def segment_summary(campaign: SurveyCampaign) -> list[tuple[str, str]]:
    """The segment in words, for the pages."""
    segment = campaign.segment or {}
    rows = []
    if segment.get("levels"):
        labels = dict(CustomerLevel.choices)
        rows.append((_("Customer levels"), "、".join(str(labels.get(v, v)) for v in segment["levels"])))
    if segment.get("tags"):
        rows.append((_("Customer tags"), "、".join(Tag.objects.filter(pk__in=segment["tags"])
                                                   .values_list("name", flat=True))))
    if segment.get("province"):
        rows.append((_("Province"), segment["province"]))
    if segment.get("source"):
        source = segment_source(segment["source"])
        period = " ~ ".join(d.strftime("%Y-%m-%d") if d else "…" for d in (campaign.period_start, campaign.period_end))
        rows.append((_("Customers who"), f"{source.label if source else segment['source']} ({period})"))
    if not rows and campaign.kind == SurveyKind.CAMPAIGN:
        rows.append((_("Customers"), _("All customers with an owner")))
    return rows


def _campaign_form(request: HttpRequest, campaign: SurveyCampaign | None) -> HttpResponse:
    initial = CampaignForm.initial_from(campaign) if campaign else {}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = services.campaign_create(actor=request.user, data=form.service_data())
            else:
                services.campaign_update(actor=request.user, campaign=campaign, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Survey saved. Check the recipients, then send it or schedule it."))
            return redirect("surveys:campaign_detail", pk=campaign.pk)
    count = None
    if form.is_bound and form.is_valid():
        data = form.service_data()
        count = segment_customers(data["segment"], data["period_start"], data["period_end"]).count()
    elif campaign is not None:
        count = services.recipients(campaign).count()
    elif not form.is_bound:
        count = segment_customers({}).count()
    return render(request, "surveys/campaign_form.html", {"form": form, "campaign": campaign,
                                                           "recipient_count": count})


@login_required
def campaign_create_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("surveys.add_surveycampaign"):
        raise PermissionDenied
    return _campaign_form(request, None)


@login_required
def campaign_update_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk, action="change")
    if campaign.status not in services.EDITABLE or campaign.kind != SurveyKind.CAMPAIGN:
        messages.error(request, str(services.NOT_EDITABLE))
        return redirect("surveys:campaign_detail", pk=campaign.pk)
    return _campaign_form(request, campaign)


@login_required
def campaign_preview_view(request: HttpRequest) -> HttpResponse:
    """HTMX: how many customers the segment in the form selects (before saving)."""
    if not request.user.has_perm("surveys.add_surveycampaign"):
        raise PermissionDenied
    form = SegmentForm(request.GET)
    count = None
    if form.is_valid():
        count = segment_customers(form.segment(), form.cleaned_data.get("period_start"),
                                  form.cleaned_data.get("period_end")).count()
    return render(request, "surveys/_recipient_count.html", {"recipient_count": count})


@login_required
def campaign_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign: its segment and status, and its results within the viewer's scope."""
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk)
    may_change = request.user.has_perm("surveys.change_surveycampaign") and can(request.user, "change", campaign)
    may_send = (campaign.kind == SurveyKind.CAMPAIGN and campaign.status in services.EDITABLE
                and request.user.has_perm("surveys.send_surveycampaign"))
    has_results = campaign.status not in services.EDITABLE
    context = results_context(request, campaign=campaign) if has_results else {}
    context.update({
        "has_results": has_results,
        "campaign": campaign, "segment_rows": segment_summary(campaign),
        "may_change": may_change, "may_edit": may_change and campaign.status in services.EDITABLE
        and campaign.kind == SurveyKind.CAMPAIGN,
        "may_send": may_send, "may_close": may_change and campaign.status != SurveyStatus.CLOSED,
        "schedule_form": ScheduleForm(), "analysis_form": AnalysisForm(initial={"analysis": campaign.analysis}),
        "recipient_count": services.recipients(campaign).count() if campaign.status in services.EDITABLE else None,
    })
    return render(request, "surveys/campaign_detail.html", context)


@login_required
@require_POST
def campaign_send_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk)
    try:
        created = services.campaign_send(actor=request.user, campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Survey sent: %(count)d customers received a one-time link.")
                         % {"count": len(created)})
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_schedule_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk)
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("surveys:campaign_detail", pk=campaign.pk)
    try:
        services.campaign_schedule(actor=request.user, campaign=campaign, when=form.cleaned_data["scheduled_at"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Survey scheduled for %(when)s.") % {
            "when": timezone.localtime(form.cleaned_data["scheduled_at"]).strftime("%Y-%m-%d %H:%M")})
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk, action="change")
    try:
        services.campaign_close(actor=request.user, campaign=campaign)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Survey closed; its links take no more answers."))
    return redirect("surveys:campaign_detail", pk=campaign.pk)


@login_required
@require_POST
def campaign_analysis_view(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_visible_or_404(SurveyCampaign, request.user, pk, action="change")
    form = AnalysisForm(request.POST)
    if form.is_valid():
        services.campaign_analysis_update(actor=request.user, campaign=campaign,
                                          analysis=form.cleaned_data["analysis"])
        messages.success(request, _("Analysis saved."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{campaign_url(campaign)}#analysis")


def campaign_url(campaign: SurveyCampaign) -> str:
    return reverse("surveys:campaign_detail", args=[campaign.pk])
