"""The links (问卷链接) and answers (答卷) staff may see: lists within the scope, and one customer's answer with
every question. Links of customers whose contact has no email can be copied and passed on by phone or WeChat."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone, translation

from apps.core.scoping import get_visible_or_404
from apps.core.views import ScopedDetailView, ScopedListView
from apps.surveys.choices import QuestionKind, SurveyStatus
from apps.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from apps.surveys.permissions import SurveyPerm
from apps.surveys.selectors import results as result_selectors
from apps.surveys.services.invitations import answer_url

PAGE_SIZES = (20, 50, 100)


def _campaign(request: HttpRequest) -> SurveyCampaign | None:
    pk = request.GET.get("campaign", "")
    return get_visible_or_404(SurveyCampaign, request.user, pk) if pk.isdigit() else None


class InvitationListView(ScopedListView):
    model = SurveyInvitation
    template_name = "surveys/invitation_list.html"
    search_fields = ("customer__name", "contact__name", "owner__name")
    sort_fields = ("sent_at", "customer__name", "answered_at", "reminders_sent")
    default_sort = "-sent_at"

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        self.campaign = _campaign(self.request)
        qs = qs.select_related("customer", "contact", "owner", "campaign")
        if self.campaign is not None:
            qs = qs.filter(campaign=self.campaign)
        state = self.request.GET.get("state", "")
        now = timezone.now()
        if state == "answered":
            qs = qs.filter(answered_at__isnull=False)
        elif state == "waiting":
            qs = qs.filter(answered_at__isnull=True, expires_at__gt=now).exclude(campaign__status=SurveyStatus.CLOSED)
        elif state == "expired":
            qs = qs.filter(answered_at__isnull=True).filter(
                Q(expires_at__lte=now) | Q(campaign__status=SurveyStatus.CLOSED)
            )
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(campaign=self.campaign, page_sizes=PAGE_SIZES, **kwargs)
        now = timezone.now()
        for invitation in context["object_list"]:
            invitation.is_open = (
                invitation.answered_at is None
                and invitation.expires_at > now
                and invitation.campaign.status != SurveyStatus.CLOSED
            )
            invitation.link = self.request.build_absolute_uri(answer_url(invitation)) if invitation.is_open else ""
        return context


class ResponseListView(ScopedListView):
    model = SurveyResponse
    template_name = "surveys/response_list.html"
    search_fields = ("invitation__customer__name", "campaign__name")
    sort_fields = ("submitted_at", "csat", "nps_score", "invitation__customer__name")
    default_sort = "-submitted_at"

    def filter_queryset(self, qs: QuerySet) -> QuerySet:
        self.campaign = _campaign(self.request)
        qs = qs.select_related("invitation__customer", "invitation__owner", "campaign")
        if self.campaign is not None:
            qs = qs.filter(campaign=self.campaign)
        if self.request.GET.get("detractors") == "1":
            qs = qs.filter(pk__in=result_selectors.detractors(SurveyResponse.objects.all()).values("pk"))
        return qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(campaign=self.campaign, page_sizes=PAGE_SIZES, **kwargs)


def _answer_rows(response: SurveyResponse | None, invitation: SurveyInvitation) -> list[dict[str, Any]]:
    english = translation.get_language() == "en"
    answers = {a.question_id: a for a in response.answers.all()} if response else {}
    rows = []
    for question in invitation.campaign.questionnaire.questions.order_by("order", "id"):
        answer = answers.get(question.pk)
        labels = [
            (o.get("en") or o.get("zh")) if english else (o.get("zh") or o.get("en")) for o in question.options or []
        ]
        value = ""
        if answer is not None:
            if question.kind in (QuestionKind.RATING, QuestionKind.NPS):
                value = str(answer.number)
            elif question.kind == QuestionKind.SINGLE:
                value = labels[answer.number] if answer.number is not None and answer.number < len(labels) else ""
            elif question.kind == QuestionKind.MULTIPLE:
                value = "、".join(labels[i] for i in answer.choices if i < len(labels))
            else:
                value = answer.text
        rows.append(
            {
                "question": question,
                "text": (question.text_en or question.text) if english else question.text,
                "value": value,
                "answered": answer is not None,
            }
        )
    return rows


def _detail_context(request: HttpRequest, invitation: SurveyInvitation) -> dict[str, Any]:
    response = SurveyResponse.objects.filter(invitation=invitation).prefetch_related("answers").first()
    now = timezone.now()
    is_open = (
        invitation.answered_at is None
        and invitation.expires_at > now
        and invitation.campaign.status != SurveyStatus.CLOSED
    )
    invitation.is_open = is_open  # type: ignore[attr-defined]  # read by _link_state.html
    return {
        "invitation": invitation,
        "response": response,
        "rows": _answer_rows(response, invitation),
        "is_open": is_open,
        "link": request.build_absolute_uri(answer_url(invitation)) if is_open else "",
    }


class InvitationDetailView(ScopedDetailView):
    """One survey link: to whom, whether it is still open, and the answers given."""

    model = SurveyInvitation
    permission = SurveyPerm.VIEW_INVITATION
    template_name = "surveys/invitation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return _detail_context(self.request, self.object)


class ResponseDetailView(ScopedDetailView):
    """One answer sheet, shown as the link it came through."""

    model = SurveyResponse
    permission = SurveyPerm.VIEW_RESPONSE
    template_name = "surveys/invitation_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return _detail_context(self.request, self.object.invitation)
