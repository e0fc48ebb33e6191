"""Start-up registrations of surveys: the customer timeline (survey answers) and the workbench (recent detractors)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem, register_workbench_provider
from apps.customers import timeline as tl
from apps.surveys.models import Answer, SurveyResponse
from apps.surveys.selectors import results

RECENT_DAYS = 14


# The customer's 50 latest answers with the first written comment, read in the timeline's one query
# (``customers.timeline``).
RESPONSE_ROWS = {
    "responses": tl.TimelineQuery(
        rows=lambda customer: SurveyResponse.objects.filter(invitation__customer=customer).annotate(
            first_comment=Subquery(
                Answer.objects.filter(response=OuterRef("pk")).exclude(text="").order_by("pk").values("text")[:1]
            )
        ),
        fields=tl.fields(
            "submitted_at",
            "csat",
            "nps_score",
            "campaign_id",
            "campaign__name",
            "invitation__contact_id",
            "invitation__contact__name",
            "first_comment",
        )
        | tl.person_fields("invitation__owner"),
        order=("-submitted_at", "-pk"),
        limit=50,
    )
}


def _survey_response_events(rows: Any, user: Any) -> list[tl.TimelineEvent]:
    """The customer's survey answers with CSAT / NPS and the written comment."""
    events = []
    for response in rows["responses"]:
        scores = []
        if response["csat"] is not None:
            scores.append(_("CSAT %(csat)s") % {"csat": response["csat"]})
        if response["nps_score"] is not None:
            scores.append(_("likelihood to recommend %(nps)s/10") % {"nps": response["nps_score"]})
        contact = response["invitation__contact__name"] if response["invitation__contact_id"] else ""
        body = " · ".join(filter(None, [response["campaign__name"], contact, response["first_comment"] or ""]))
        events.append(
            tl.TimelineEvent(
                when=response["submitted_at"],
                kind="survey_response",
                icon="bi-clipboard2-check",
                title=_("Satisfaction survey answered: %(scores)s") % {"scores": ", ".join(scores) or "—"},
                body=body[:300],
                url=reverse("surveys:campaign_detail", args=[response["campaign_id"]]),
                actor_name=str(tl.person(response, "invitation__owner")),
            )
        )
    return events


# The source as the timeline reads it, and as a function of (customer, user) for anyone else.
survey_response_events = tl.TimelineRows(queries=RESPONSE_ROWS, events=_survey_response_events)


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
    tl.register_timeline_rows("survey_response", survey_response_events)
    register_workbench_provider(workbench_items)
