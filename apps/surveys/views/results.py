"""Survey results (满意度分析): response rate, CSAT, NPS, per-question distributions, text answers, breakdowns by
department / ticket type / customer level, the monthly trend and detractors — for one campaign or for everything
in the viewer's scope, filtered by period, level, ticket type, department."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation

from apps.surveys.forms import ResultsFilterForm
from apps.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from apps.surveys.selectors import results as selectors

BREAKDOWN_KEYS = ("department", "ticket_type", "customer_level")
DETRACTORS_SHOWN = 20


def _num(value: Any) -> Any:
    return float(value) if value is not None else None


def results_context(request: HttpRequest, *, campaign: SurveyCampaign | None = None) -> dict[str, Any]:
    user = request.user
    form = ResultsFilterForm(request.GET or None, campaign=campaign)
    filters = form.filters()
    questionnaire = (
        campaign.questionnaire if campaign else (form.cleaned_data.get("questionnaire") if form.is_valid() else None)
    )
    responses = selectors.filter_responses(SurveyResponse.objects.visible_to(user), campaign=campaign, **filters)
    invitations = selectors.filter_invitations(SurveyInvitation.objects.visible_to(user), campaign=campaign, **filters)
    if questionnaire is not None and campaign is None:
        responses = responses.filter(campaign__questionnaire=questionnaire)
        invitations = invitations.filter(campaign__questionnaire=questionnaire)
    summary = selectors.satisfaction_summary(responses)
    trend = selectors.satisfaction_trend(responses, months=12, until=filters.get("date_to"))
    english = translation.get_language() == "en"
    distributions = []
    if questionnaire is not None:
        questions = list(questionnaire.questions.order_by("order", "id"))
        distributions = selectors.question_distributions(responses, questions, english=english)
    breakdowns = {key: selectors.breakdown(responses, key) for key in BREAKDOWN_KEYS}
    # A campaign to a segment has no ticket type or department: leave out breakdowns with nothing to break down.
    breakdowns = {key: rows for key, rows in breakdowns.items() if not rows or any(r["key"] for r in rows)}
    chart = {
        "trend": {
            "months": [r["month"] for r in trend],
            "count": [r["count"] for r in trend],
            "csat": [_num(r["csat"]) for r in trend],
            "nps": [r["nps"] for r in trend],
        },
        "nps": {
            "promoters": summary["promoters"],
            "passives": summary["passives"],
            "detractors": summary["detractors"],
        },
        "questions": [
            {"id": d["id"], "labels": d["labels"], "counts": d["counts"], "kind": d["kind"]}
            for d in distributions
            if d["labels"]
        ],
    }
    return {
        "filter_form": form,
        "summary": summary,
        "rate": selectors.response_rate(invitations),
        "trend": trend,
        "distributions": distributions,
        "breakdowns": breakdowns,
        "chart": chart,
        "questionnaire": questionnaire,
        "detractors": list(selectors.detractors(responses)[:DETRACTORS_SHOWN]),
        "detractor_total": selectors.detractors(responses).count(),
    }


@login_required
def results_view(request: HttpRequest) -> HttpResponse:
    """All survey results in the viewer's scope."""
    if not request.user.has_perm("surveys.view_surveyresponse"):
        raise PermissionDenied
    return render(request, "surveys/results.html", results_context(request))
