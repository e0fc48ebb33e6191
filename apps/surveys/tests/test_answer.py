"""The public answer page: one answer per link, and forged / expired / reused / closed links record nothing."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import shown
from apps.surveys.choices import QuestionKind, SurveyStatus
from apps.surveys.models import Answer, SurveyInvitation, SurveyResponse
from apps.surveys.registry import _response_hooks, register_response_hook
from apps.surveys.services.answers import REQUIRED, LinkRefused, response_submit
from apps.surveys.tests.factories import default_questionnaire, make_campaign, make_invitation, make_questionnaire


def _rows() -> tuple[int, int, int]:
    return (
        SurveyResponse.objects.count(),
        Answer.objects.count(),
        SurveyInvitation.objects.filter(answered_at__isnull=False).count(),
    )


def _post_data(invitation: SurveyInvitation, rating: int = 5, nps: int = 9) -> dict:
    data = {}
    for question in invitation.campaign.questionnaire.questions.all():
        if question.kind == QuestionKind.RATING:
            data[f"q{question.pk}"] = str(rating)
        elif question.kind == QuestionKind.NPS:
            data[f"q{question.pk}"] = str(nps)
        elif question.kind == QuestionKind.TEXT:
            data[f"q{question.pk}"] = "服务很好"
    return data


@pytest.fixture
def invitation(personas):
    carol = personas["rep_carol"].user
    return make_invitation(make_campaign(carol, default_questionnaire()))


@pytest.mark.django_db
def test_get_shows_chinese_questions_without_login(invitation) -> None:
    response = Client().get(reverse("survey_answer:answer", args=[invitation.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "您对我们响应速度的满意程度？" in body
    assert invitation.customer.name in body
    assert invitation.owner.name not in body  # no internal data
    english = Client().get(reverse("survey_answer:answer", args=[invitation.token]), {"lang": "en"})
    assert "How satisfied are you with how quickly we responded?" in english.content.decode()
    assert 'name="lang" value="en"' in english.content.decode()  # the answer keeps the language


@pytest.mark.django_db
def test_post_stores_answer_and_scores(invitation) -> None:
    url = reverse("survey_answer:answer", args=[invitation.token])
    response = Client().post(url, _post_data(invitation, rating=4, nps=9))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("survey_answer:thanks", args=[invitation.token]))
    stored = SurveyResponse.objects.get()
    assert stored.csat == Decimal("4.00") and stored.nps_score == 9
    assert stored.answers.count() == 5
    invitation.refresh_from_db()
    assert invitation.answered_at is not None
    thanks = Client().get(response["Location"])
    assert thanks.status_code == 200 and b"survey-thanks" in thanks.content


@pytest.mark.django_db
def test_missing_required_answers_store_nothing(invitation) -> None:
    response = Client().post(reverse("survey_answer:answer", args=[invitation.token]), {})
    assert response.status_code == 400
    assert shown(REQUIRED) in response.content.decode()
    assert _rows() == (0, 0, 0)


@pytest.mark.django_db
def test_out_of_range_values_store_nothing(invitation) -> None:
    data = _post_data(invitation)
    nps = invitation.campaign.questionnaire.questions.get(kind=QuestionKind.NPS)
    data[f"q{nps.pk}"] = "11"
    assert Client().post(reverse("survey_answer:answer", args=[invitation.token]), data).status_code == 400
    data[f"q{nps.pk}"] = "abc"
    assert Client().post(reverse("survey_answer:answer", args=[invitation.token]), data).status_code == 400
    assert _rows() == (0, 0, 0)


@pytest.mark.django_db
def test_forged_link_is_404_and_records_nothing(invitation) -> None:
    forged = invitation.token[:-1] + ("A" if invitation.token[-1] != "A" else "B")
    before = _rows()
    url = reverse("survey_answer:answer", args=[forged])
    get = Client().get(url)
    assert get.status_code == 404 and b"survey-not-found" in get.content
    post = Client().post(url, _post_data(invitation))
    assert post.status_code == 404
    assert _rows() == before == (0, 0, 0)
    with pytest.raises(SurveyInvitation.DoesNotExist):
        response_submit(token=forged, raw={})


@pytest.mark.django_db
def test_expired_link_gets_its_page_and_records_nothing(invitation) -> None:
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("survey_answer:answer", args=[invitation.token])
    get = Client().get(url)
    assert get.status_code == 410 and b"survey-expired" in get.content
    post = Client().post(url, _post_data(invitation))
    assert post.status_code == 410 and b"survey-expired" in post.content
    assert _rows() == (0, 0, 0)


@pytest.mark.django_db
def test_closed_campaign_takes_no_answers(invitation) -> None:
    invitation.campaign.status = SurveyStatus.CLOSED
    invitation.campaign.save()
    post = Client().post(reverse("survey_answer:answer", args=[invitation.token]), _post_data(invitation))
    assert post.status_code == 410 and b"survey-closed" in post.content
    assert _rows() == (0, 0, 0)


@pytest.mark.django_db
def test_reused_link_gets_already_answered_and_records_nothing_more(invitation) -> None:
    url = reverse("survey_answer:answer", args=[invitation.token])
    assert Client().post(url, _post_data(invitation, rating=5)).status_code == 302
    before = _rows()
    again = Client().post(url, _post_data(invitation, rating=1))
    assert again.status_code == 409 and b"survey-answered" in again.content
    assert Client().get(url).status_code == 409
    assert _rows() == before == (1, 5, 1)
    assert SurveyResponse.objects.get().csat == Decimal("5.00")


@pytest.mark.django_db
def test_response_hooks_run_in_the_transaction(invitation) -> None:
    seen = []

    def hook(response):
        seen.append(response.pk)

    register_response_hook(hook)
    try:
        response_submit(
            token=invitation.token,
            raw={
                q.pk: "3"
                for q in invitation.campaign.questionnaire.questions.filter(
                    kind__in=[QuestionKind.RATING, QuestionKind.NPS]
                )
            },
        )
    finally:
        _response_hooks.remove(hook)
    assert seen == [SurveyResponse.objects.get().pk]


@pytest.mark.django_db
def test_failing_hook_rolls_everything_back(invitation) -> None:
    def hook(response):
        raise RuntimeError("boom")

    register_response_hook(hook)
    try:
        with pytest.raises(RuntimeError):
            response_submit(
                token=invitation.token,
                raw={q.pk: "3" for q in invitation.campaign.questionnaire.questions.filter(kind__in=["rating", "nps"])},
            )
    finally:
        _response_hooks.remove(hook)
    assert _rows() == (0, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_double_submit_concurrently_is_stored_once(personas) -> None:
    """Several threads post the same answer at the same instant through the test Client: exactly one is stored,
    the others get the "already answered" page (PostgreSQL: the row lock; SQLite: the one-to-one constraint)."""
    # Its own questionnaire: a transactional test cannot count on the data migration's rows (flushed by any
    # transactional test that ran before).
    questionnaire = make_questionnaire(kinds=("rating", "rating", "rating", "nps", "text"))
    invitation = make_invitation(make_campaign(personas["rep_carol"].user, questionnaire))
    url = reverse("survey_answer:answer", args=[invitation.token])
    data = _post_data(invitation)
    threads_n = 6
    barrier = threading.Barrier(threads_n)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def post() -> None:
        try:
            barrier.wait()
            statuses.append(Client().post(url, data).status_code)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(statuses) == [302] + [409] * (threads_n - 1)
    assert SurveyResponse.objects.filter(invitation=invitation).count() == 1
    assert Answer.objects.count() == 5


@pytest.mark.django_db
def test_service_refuses_second_answer(invitation) -> None:
    raw = {q.pk: "4" for q in invitation.campaign.questionnaire.questions.filter(kind__in=["rating", "nps"])}
    response_submit(token=invitation.token, raw=raw)
    with pytest.raises(LinkRefused) as refused:
        response_submit(token=invitation.token, raw=raw)
    assert refused.value.reason == "answered"
    assert SurveyResponse.objects.count() == 1
