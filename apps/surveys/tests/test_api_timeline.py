"""The API (questionnaires, campaigns with send, links) and the customer timeline source."""

from __future__ import annotations

import pytest

from apps.customers.timeline import timeline_sources
from apps.surveys.models import Questionnaire, SurveyInvitation
from apps.surveys.services.answers import response_submit
from apps.surveys.tests.factories import CustomerFactory, default_questionnaire, make_campaign, make_invitation

pytestmark = pytest.mark.django_db


def test_questionnaires_api(personas) -> None:
    client = personas["lead_bob"].client()
    rows = client.get("/api/v1/surveys/").json()["results"]
    default = next(r for r in rows if r["for_resolved_tickets"])
    assert [q["kind"] for q in default["questions"]] == ["rating", "rating", "rating", "nps", "text"]
    created = client.post(
        "/api/v1/surveys/",
        {
            "title": "接口问卷",
            "questions": [
                {"kind": "rating", "text": "满意度"},
                {"kind": "single", "text": "渠道", "options": [{"zh": "电话"}, {"zh": "微信", "en": "WeChat"}]},
            ],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    assert len(created.json()["questions"]) == 2
    refused = client.post("/api/v1/surveys/", {"title": "空问卷", "questions": []}, content_type="application/json")
    assert refused.status_code == 400
    assert (
        personas["rep_alice"]
        .client()
        .post("/api/v1/surveys/", {"title": "x", "questions": []}, content_type="application/json")
        .status_code
        == 403
    )
    assert Questionnaire.objects.filter(title="接口问卷").exists()


def test_campaign_api_create_and_send(personas) -> None:
    alice = personas["rep_alice"].user
    CustomerFactory(owner=alice, level="A")
    CustomerFactory(owner=alice, level="C")
    client = personas["lead_bob"].client()
    created = client.post(
        "/api/v1/survey-campaigns/",
        {"name": "接口调查", "questionnaire": default_questionnaire().pk, "segment": {"levels": ["A"]}},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"
    sent = client.post(f"/api/v1/survey-campaigns/{pk}/send/")
    assert sent.status_code == 200 and sent.json()["sent"] == 1
    assert sent.json()["campaign"]["status"] == "sent"
    again = client.post(f"/api/v1/survey-campaigns/{pk}/send/")
    assert again.status_code == 400
    links = personas["rep_alice"].client().get("/api/v1/survey-invitations/").json()["results"]
    assert len(links) == 1 and links[0]["url"].endswith(f"/s/{SurveyInvitation.objects.get().token}/")
    # Alice (staff) may not send; carol cannot see bob's campaign at all.
    assert personas["rep_alice"].client().post(f"/api/v1/survey-campaigns/{pk}/close/").status_code == 404
    assert personas["rep_carol"].client().post(f"/api/v1/survey-campaigns/{pk}/send/").status_code == 404


def test_timeline_shows_the_answer(personas) -> None:
    carol = personas["rep_carol"].user
    customer = CustomerFactory(owner=carol)
    invitation = make_invitation(make_campaign(carol, default_questionnaire()), customer=customer)
    raw = {q.pk: ("9" if q.kind == "nps" else "4") for q in default_questionnaire().questions.exclude(kind="text")}
    text_q = default_questionnaire().questions.get(kind="text")
    raw[text_q.pk] = "上门很及时"
    response_submit(token=invitation.token, raw=raw)
    events = timeline_sources()["survey_response"](customer, carol)
    assert len(events) == 1 and events[0].kind == "survey_response"
    assert "4.00" in events[0].title and "9" in events[0].title and "上门很及时" in events[0].body
