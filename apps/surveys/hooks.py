"""Start-up registrations of surveys: the customer timeline (survey answers) and the workbench (recent detractors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers.timeline import TimelineEvent, register_timeline_source
from apps.surveys.models import SurveyResponse
from apps.surveys.selectors import results

RECENT_DAYS = 14


def survey_response_events(customer: Any, user: Any) -> list[TimelineEvent]:
    """The customer's survey answers with CSAT / NPS and the written comment (two queries)."""
    responses = (
        SurveyResponse.objects.filter(invitation__customer=customer)
        .select_related("campaign", "invitation__contact", "invitation__owner")
        .prefetch_related("answers__question")
        .order_by("-submitted_at")[:50]
    )
    events = []
    for response in responses:
        scores = []
        if response.csat is not None:
            scores.append(_("CSAT %(csat)s") % {"csat": response.csat})
        if response.nps_score is not None:
            scores.append(_("likelihood to recommend %(nps)s/10") % {"nps": response.nps_score})
        comments = [a.text for a in response.answers.all() if a.text]
        contact = response.invitation.contact
        body = " · ".join(filter(None, [response.campaign.name, contact.name if contact else "", *comments[:1]]))
        events.append(
            TimelineEvent(
                when=response.submitted_at,
                kind="survey_response",
                icon="bi-clipboard2-check",
                title=_("Satisfaction survey answered: %(scores)s") % {"scores": ", ".join(scores) or "—"},
                body=body[:300],
                url=reverse("surveys:campaign_detail", args=[response.campaign_id]),
                actor_name=str(response.invitation.owner),
            )
        )
    return events


def workbench_items(user: Any) -> list[WorkbenchItem]:
    """Detractors among the answers of the last two weeks within my scope."""
    if not user.has_perm("surveys.view_surveyresponse"):
        return []
    since = timezone.now() - dt.timedelta(days=RECENT_DAYS)
    count = results.detractors(SurveyResponse.objects.visible_to(user).filter(submitted_at__gte=since)).count()
    if not count:
        return []
    return [
        WorkbenchItem(
            area=_("Customer service"),
            count=count,
            url=reverse("surveys:results"),
            title=_("Dissatisfied survey answers in the last two weeks"),
        )
    ]


def register() -> None:
    register_timeline_source("survey_response", survey_response_events)
    register_workbench_provider(workbench_items)
