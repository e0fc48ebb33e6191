"""The surveys' bulk path for records of the past (the demo company's two years of surveys, the benchmark): campaigns
as they were on a given day, and many invitations with their answers in a few statements (``core.bulk``), the
responses' CSAT and NPS computed by the same rule as a customer's answer (``answers.scores``). Other apps' demo
loaders write survey records only through here, never the tables themselves.

Today's answers go through ``answers.response_submit`` (its checks, its hooks); nothing here checks a link's state
or runs the response hooks: the records are history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.core import bulk
from apps.surveys.models import Answer, Question, SurveyCampaign, SurveyInvitation, SurveyResponse
from apps.surveys.services.answers import scores

# (the invitation, its answers as ``answers_clean`` gives them — {question id: {"number" | "choices" | "text": …}},
# the moment it was answered)
Answered = tuple[SurveyInvitation, dict[int, dict[str, Any]], dt.datetime]


def campaign_record(*, created_at: dt.datetime, **fields: Any) -> SurveyCampaign:
    """A campaign as it stood in the past, created on ``created_at``."""
    campaign = SurveyCampaign.objects.create(**fields)
    campaign_backdate(campaign, created_at)
    return campaign


def campaign_backdate(campaign: SurveyCampaign, created_at: dt.datetime) -> None:
    """Date ``campaign`` 's creation back to ``created_at`` (the standing post-ticket campaign of the demo's past)."""
    SurveyCampaign.objects.filter(pk=campaign.pk).update(created_at=created_at)
    campaign.created_at = created_at


def answered_history_create(
    *, questions: dict[int, list[Question]], invitations: list[SurveyInvitation], answered: list[Answered]
) -> tuple[int, int]:
    """Write ``invitations`` (their dates as given) and, for each of ``answered``, its response (submitted at the
    moment given, CSAT and NPS by ``answers.scores`` over its questionnaire's ``questions`` by campaign id) and answers.
    Return how many invitations and responses."""
    with bulk.keep_dates(SurveyInvitation, SurveyResponse):
        bulk.create(SurveyInvitation, invitations)
        _ids_after_insert(invitations, SurveyInvitation, "token")
        responses = []
        for invitation, cleaned, at in answered:
            csat, nps = scores(questions[invitation.campaign_id], cleaned)
            responses.append(
                SurveyResponse(
                    invitation=invitation,
                    campaign_id=invitation.campaign_id,
                    submitted_at=at,
                    csat=csat,
                    nps_score=nps,
                    created_at=at,
                    updated_at=at,
                )
            )
        bulk.create(SurveyResponse, responses)
        _ids_after_insert(responses, SurveyResponse, "invitation_id")
    bulk.create(
        Answer,
        [
            Answer(response=response, question_id=qid, **values)
            for response, (_, cleaned, _) in zip(responses, answered, strict=True)
            for qid, values in cleaned.items()
        ],
    )
    return len(invitations), len(responses)


def _ids_after_insert(objs: list[Any], model: Any, key: str) -> None:
    """SQLite before 3.35 returns no ids from a bulk insert: find them by a unique key."""
    if objs and objs[0].pk is None:
        by_key = dict(model.objects.values_list(key, "pk"))
        for obj in objs:
            obj.pk = by_key[getattr(obj, key)]
