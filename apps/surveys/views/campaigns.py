"""Survey campaigns (满意度调查): list, create and edit a draft with its customer segment (live recipient count),
send now or schedule, close; the campaign's results page with analysis notes and improvement actions; the links."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.views import (
    ScopedActionView,
    ScopedCreateView,
    ScopedDetailView,
    ScopedListView,
    ScopedUpdateView,
)
from apps.customers.models import Tag
from apps.policy.choices import CustomerLevel
from apps.surveys.choices import SurveyKind
from apps.surveys.forms import AnalysisForm, CampaignFilterForm, CampaignForm, ScheduleForm, SegmentForm
from apps.surveys.models import SurveyCampaign, campaign_step
from apps.surveys.permissions import SurveyPerm
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
        return selectors.campaign_list(user=self.request.user, status=data.get("status", ""), kind=data.get("kind", ""))

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
        rows.append(
            (_("Customer tags"), "、".join(Tag.objects.filter(pk__in=segment["tags"]).values_list("name", flat=True)))
        )
    if segment.get("province"):
        rows.append((_("Province"), segment["province"]))
    if segment.get("source"):
        source = segment_source(segment["source"])
        period = " ~ ".join(d.strftime("%Y-%m-%d") if d else "…" for d in (campaign.period_start, campaign.period_end))
        rows.append((_("Customers who"), f"{source.label if source else segment['source']} ({period})"))
    if not rows and campaign.kind == SurveyKind.CAMPAIGN:
        rows.append((_("Customers"), _("All customers with an owner")))
    return rows


class _CampaignFormMixin:
    """The campaign form: the segment's live recipient count beside it."""

    model = SurveyCampaign
    form_class: Any = CampaignForm
    template_name: str | None = "surveys/campaign_form.html"
    context_object_name = "campaign"
    success_message = gettext_lazy("Survey saved. Check the recipients, then send it or schedule it.")
    success_url = "surveys:campaign_detail"
    object: Any

    def get_initial(self) -> dict[str, Any]:
        return CampaignForm.initial_from(self.object) if self.object else {}

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"data": form.service_data()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        form, campaign = kwargs["form"], self.object
        count = None
        if form.is_bound and form.is_valid():
            data = form.service_data()
            count = segment_customers(data["segment"], data["period_start"], data["period_end"]).count()
        elif campaign is not None:
            count = services.recipients(campaign).count()
        elif not form.is_bound:
            count = segment_customers({}).count()
        return super().get_context_data(recipient_count=count, **kwargs)  # type: ignore[misc]


class CampaignCreateView(_CampaignFormMixin, ScopedCreateView):
    permission = SurveyPerm.ADD_CAMPAIGN
    service = services.campaign_create


class CampaignUpdateView(_CampaignFormMixin, ScopedUpdateView):
    permission = SurveyPerm.VIEW_CAMPAIGN  # without the change permission the change scope is empty: 404
    service = services.campaign_update

    def handle(self) -> HttpResponse:
        campaign = self.get_object()
        if campaign_step(campaign, "edit") is None:
            messages.error(self.request, str(services.NOT_EDITABLE))
            return redirect("surveys:campaign_detail", pk=campaign.pk)
        return super().handle()

    def service_kwargs(self, form: Any) -> dict[str, Any]:
        return {"campaign": self.object, "data": form.service_data()}


@login_required
def campaign_preview_view(request: HttpRequest) -> HttpResponse:
    """HTMX: how many customers the segment in the form selects (before saving).

    A function view: an HTMX fragment for a form not yet saved, over no record."""
    if not request.user.has_perm(SurveyPerm.ADD_CAMPAIGN):
        raise PermissionDenied
    form = SegmentForm(request.GET)
    count = None
    if form.is_valid():
        count = segment_customers(
            form.segment(), form.cleaned_data.get("period_start"), form.cleaned_data.get("period_end")
        ).count()
    return render(request, "surveys/_recipient_count.html", {"recipient_count": count})


class CampaignDetailView(ScopedDetailView):
    """The campaign: its segment and status, and its results within the viewer's scope."""

    model = SurveyCampaign
    permission = SurveyPerm.VIEW_CAMPAIGN
    template_name = "surveys/campaign_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        campaign, user = self.object, self.request.user
        # The buttons are the steps of ``SURVEY_CAMPAIGN_WORKFLOW`` the user may take now, as the services allow.
        allowed = selectors.campaign_allowed(user, campaign)
        has_results = campaign.status not in services.EDITABLE
        context = results_context(self.request, campaign=campaign) if has_results else {}
        context.update(
            {
                "has_results": has_results,
                "campaign": campaign,
                "segment_rows": segment_summary(campaign),
                "allowed_actions": allowed,
                "may_change": "analysis" in allowed,
                "may_edit": "edit" in allowed,
                "may_send": "send" in allowed,
                "may_close": "close" in allowed,
                "schedule_form": ScheduleForm(),
                "analysis_form": AnalysisForm(initial={"analysis": campaign.analysis}),
                "recipient_count": services.recipients(campaign).count()
                if campaign.status in services.EDITABLE
                else None,
            }
        )
        return context


#
# Moves: one POST, one service; a refusal comes back as a message and changes nothing.
#


class _CampaignMove(ScopedActionView):
    model = SurveyCampaign
    permission = SurveyPerm.VIEW_CAMPAIGN  # the service checks the send / change permission
    success_url = "surveys:campaign_detail"

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"campaign": self.object, **data}


class CampaignSendView(_CampaignMove):
    service = services.campaign_send
    success_message = gettext_lazy("Survey sent: %(count)d customers received a one-time link.")

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"count": len(self.result)}


class CampaignScheduleView(_CampaignMove):
    service = services.campaign_schedule
    form_class = ScheduleForm
    success_message = gettext_lazy("Survey scheduled for %(when)s.")

    def service_kwargs(self, data: dict[str, Any]) -> dict[str, Any]:
        return {"campaign": self.object, "when": data["scheduled_at"]}

    def message_values(self, obj: Any) -> dict[str, Any]:
        return {"when": timezone.localtime(self.form.cleaned_data["scheduled_at"]).strftime("%Y-%m-%d %H:%M")}


class CampaignCloseView(_CampaignMove):
    action = "change"
    service = services.campaign_close
    success_message = gettext_lazy("Survey closed; its links take no more answers.")


class CampaignAnalysisView(_CampaignMove):
    action = "change"
    service = services.campaign_analysis_update
    form_class = AnalysisForm
    success_message = gettext_lazy("Analysis saved.")

    def get_success_url(self, obj: Any) -> str:
        return f"{campaign_url(obj)}#analysis"


def campaign_url(campaign: SurveyCampaign) -> str:
    return reverse("surveys:campaign_detail", args=[campaign.pk])
