"""Interpretations (解释, art. 14): any employee asks about an article; one member of the leadership group answers and
publishes (or declines); published answers appear beside the article for everyone and notify those who asked."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.models import Notification
from apps.policy import services
from apps.policy.choices import InterpretationStatus
from apps.policy.models import INTERPRETATION_FLOW, Interpretation
from apps.policy.tests.factories import leader, seeded_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(personas: dict) -> Any:
    return leader(personas["auditor_dave"].unit)


def _article(number: int = 10) -> Any:
    return seeded_version().articles.get(number=number)


def _ask(user: Any, question: str = "投诉的解决时限从何时起算?", number: int = 10) -> Interpretation:
    return services.interpretation_ask(actor=user, article=_article(number), question=question)


def _in_status(status: str, asker: Any, member: Any) -> Interpretation:
    item = _ask(asker)
    if status in (InterpretationStatus.ANSWERED, InterpretationStatus.PUBLISHED):
        services.interpretation_answer(actor=member, interpretation=item, answer="自受理之时起算。")
    if status == InterpretationStatus.PUBLISHED:
        services.interpretation_publish(actor=member, interpretation=item)
    if status == InterpretationStatus.DECLINED:
        services.interpretation_decline(actor=member, interpretation=item, reason="制度未涉及。")
    item.refresh_from_db()
    return item


MOVES = {
    "answer": lambda actor, item: services.interpretation_answer(actor=actor, interpretation=item, answer="答复"),
    "publish": lambda actor, item: services.interpretation_publish(actor=actor, interpretation=item),
    "decline": lambda actor, item: services.interpretation_decline(actor=actor, interpretation=item, reason="理由"),
}


class FlowTests:
    @pytest.mark.parametrize("status", InterpretationStatus.values)
    @pytest.mark.parametrize("move", list(MOVES))
    def test_the_flow_table_decides_every_move(self, personas: dict, member: Any, status: str, move: str) -> None:
        item = _in_status(status, personas["rep_alice"].user, member)
        allowed = move in INTERPRETATION_FLOW[status]
        if allowed:
            result = MOVES[move](member, item)
            assert result.status == INTERPRETATION_FLOW[status][move]
        else:
            with pytest.raises(ValidationError):
                MOVES[move](member, item)
            item.refresh_from_db()
            assert item.status == status

    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave"])
    @pytest.mark.parametrize("move", list(MOVES))
    def test_only_the_leadership_group_answers(self, personas: dict, member: Any, persona: str, move: str) -> None:
        item = _in_status(InterpretationStatus.ANSWERED, personas["rep_carol"].user, member)
        with pytest.raises(PermissionDenied):
            MOVES[move](personas[persona].user, item)
        item.refresh_from_db()
        assert item.status == InterpretationStatus.ANSWERED

    def test_staff_cannot_answer_through_the_page_or_the_api(self, personas: dict, member: Any) -> None:
        alice = personas["rep_alice"]
        item = _ask(alice.user)
        page = alice.client().post(reverse("policy:interpretation_answer", args=[item.pk]), {"answer": "我来答"})
        assert page.status_code == 403
        api = alice.client().post(
            f"/api/v1/interpretations/{item.pk}/answer/", {"answer": "我来答"}, content_type="application/json"
        )
        assert api.status_code == 403
        item.refresh_from_db()
        assert item.status == InterpretationStatus.ASKED and item.answer == ""

    def test_an_empty_question_is_refused(self, personas: dict) -> None:
        with pytest.raises(ValidationError):
            _ask(personas["rep_alice"].user, question="  ")
        assert not Interpretation.objects.exists()


class PublicationTests:
    def test_asking_notifies_the_leadership_group(self, personas: dict, member: Any) -> None:
        item = _ask(personas["rep_alice"].user)
        assert Notification.objects.filter(recipient=member, url__endswith=f"/{item.pk}/").exists()

    def test_a_published_answer_appears_beside_the_article_and_notifies_the_askers(
        self, personas: dict, member: Any
    ) -> None:
        alice, carol = personas["rep_alice"], personas["rep_carol"]
        item = _ask(alice.user)
        other = _ask(carol.user, question="升级到高层的时限如何计算?")
        services.interpretation_answer(actor=member, interpretation=item, answer="自受理之时起按工作小时计算。")
        body = personas["lead_bob"].client().get(reverse("policy:in_force")).content.decode()
        assert "自受理之时起按工作小时计算。" not in body  # answered is not yet published
        before = set(Notification.objects.values_list("pk", flat=True))
        services.interpretation_publish(actor=member, interpretation=item)
        body = personas["lead_bob"].client().get(reverse("policy:in_force")).content.decode()
        assert "自受理之时起按工作小时计算。" in body and 'data-testid="article-interpretation"' in body
        told = set(Notification.objects.exclude(pk__in=before).values_list("recipient", flat=True))
        assert told == {alice.user.pk, carol.user.pk}  # the asker and whoever still waits on the same article
        assert other.pk  # carol's own question stays open

    def test_who_sees_which_interpretations(self, personas: dict, member: Any) -> None:
        alice, carol = personas["rep_alice"], personas["rep_carol"]
        published = _in_status(InterpretationStatus.PUBLISHED, alice.user, member)
        open_question = _ask(alice.user, question="第十条的“高优先级”指什么?")
        carols = carol.client()
        assert carols.get(reverse("policy:interpretation_detail", args=[published.pk])).status_code == 200
        assert carols.get(reverse("policy:interpretation_detail", args=[open_question.pk])).status_code == 404
        assert carols.get(f"/api/v1/interpretations/{open_question.pk}/").status_code == 404
        assert alice.client().get(reverse("policy:interpretation_detail", args=[open_question.pk])).status_code == 200
        listed = {row["id"] for row in carols.get("/api/v1/interpretations/").json()["results"]}
        assert listed == {published.pk}
        member_client = personas["auditor_dave"].client()
        member_client.force_login(member)
        listed = {row["id"] for row in member_client.get("/api/v1/interpretations/").json()["results"]}
        assert listed == {published.pk, open_question.pk}

    def test_the_pages_ask_answer_and_publish(self, personas: dict, member: Any) -> None:
        alice = personas["rep_alice"].client()
        response = alice.post(
            reverse("policy:interpretation_ask"), {"article": _article(6).pk, "question": "工单可以转派吗?"}
        )
        assert response.status_code == 302
        item = Interpretation.objects.get()
        client = personas["auditor_dave"].client()
        client.force_login(member)
        page = client.get(reverse("policy:interpretation_detail", args=[item.pk])).content.decode()
        assert 'data-testid="interpretation-save-answer"' in page
        client.post(reverse("policy:interpretation_answer", args=[item.pk]), {"answer": "可以,由主管转派。"})
        client.post(reverse("policy:interpretation_publish", args=[item.pk]))
        item.refresh_from_db()
        assert item.status == InterpretationStatus.PUBLISHED and item.published_by == member
        staff_page = alice.get(reverse("policy:interpretation_detail", args=[item.pk])).content.decode()
        assert 'data-testid="interpretation-publish"' not in staff_page
        assert item.history.count() == 3  # asked, answered, published

    def test_the_api_asks_and_declines(self, personas: dict, member: Any) -> None:
        alice = personas["rep_alice"].client()
        created = alice.post(
            "/api/v1/interpretations/", {"article": _article(3).pk, "question": "问?"}, content_type="application/json"
        )
        assert created.status_code == 201, created.content
        assert created.json()["allowed_actions"] == []
        client = personas["auditor_dave"].client()
        client.force_login(member)
        declined = client.post(
            f"/api/v1/interpretations/{created.json()['id']}/decline/",
            {"reason": "已有规定"},
            content_type="application/json",
        )
        assert declined.status_code == 200 and declined.json()["status"] == "declined"
        again = client.post(f"/api/v1/interpretations/{created.json()['id']}/publish/")
        assert again.status_code == 400
