"""The questionnaire builder: validation, and a questionnaire with answers keeps its questions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core.testing import shown
from apps.surveys.choices import QuestionKind
from apps.surveys.models import Answer, Questionnaire
from apps.surveys.services import questionnaires as services
from apps.surveys.services.answers import response_submit
from apps.surveys.tests.factories import make_campaign, make_invitation

pytestmark = pytest.mark.django_db

QUESTIONS = [
    {"kind": "rating", "text": "总体满意度", "text_en": "Overall"},
    {"kind": "single", "text": "渠道", "options": [{"zh": "电话", "en": "Phone"}, {"zh": "微信", "en": "WeChat"}]},
    {"kind": "nps", "text": "推荐意愿"},
    {"kind": "text", "text": "建议", "required": False},
]


def _messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_create_with_questions_in_order(personas) -> None:
    bob = personas["lead_bob"].user
    questionnaire = services.questionnaire_create(actor=bob, data={"title": "测试"}, questions=QUESTIONS)
    questions = list(questionnaire.questions.order_by("order"))
    assert [q.kind for q in questions] == ["rating", "single", "nps", "text"]
    assert [q.order for q in questions] == [1, 2, 3, 4]
    assert questions[1].options == [{"zh": "电话", "en": "Phone"}, {"zh": "微信", "en": "WeChat"}]
    assert questions[0].text_en == "Overall" and not questions[3].required


def test_staff_cannot_build(personas) -> None:
    with pytest.raises(PermissionDenied):
        services.questionnaire_create(actor=personas["rep_alice"].user, data={"title": "x"}, questions=QUESTIONS)


@pytest.mark.parametrize(
    ("questions", "message"),
    [
        ([], services.NO_QUESTIONS),
        ([{"kind": "rating", "text": ""}], services.TEXT_NEEDED),
        ([{"kind": "single", "text": "渠道", "options": [{"zh": "电话"}]}], services.OPTIONS_NEEDED),
        (
            [{"kind": "multiple", "text": "渠道", "options": [{"zh": "电话"}, {"zh": "", "en": "WeChat"}]}],
            services.OPTION_TEXT_NEEDED,
        ),
    ],
)
def test_builder_validation(personas, questions, message) -> None:
    with pytest.raises(ValidationError) as error:
        services.questionnaire_create(actor=personas["lead_bob"].user, data={"title": "测试"}, questions=questions)
    assert str(message).split("%")[0] in _messages(error.value)
    assert not Questionnaire.objects.filter(title="测试").exists()


def _answered(personas) -> Questionnaire:
    questionnaire = services.questionnaire_create(
        actor=personas["lead_bob"].user, data={"title": "已答问卷"}, questions=QUESTIONS
    )
    invitation = make_invitation(make_campaign(personas["lead_bob"].user, questionnaire))
    raw = {q.pk: "1" for q in questionnaire.questions.exclude(kind=QuestionKind.TEXT)}
    response_submit(token=invitation.token, raw=raw)
    assert Answer.objects.filter(question__questionnaire=questionnaire).exists()
    return questionnaire


def _current(questionnaire: Questionnaire) -> list[dict]:
    return [
        {"id": q.pk, "kind": q.kind, "text": q.text, "text_en": q.text_en, "required": q.required, "options": q.options}
        for q in questionnaire.questions.order_by("order")
    ]


def test_answered_questionnaire_cannot_lose_questions(personas) -> None:
    questionnaire = _answered(personas)
    removed = questionnaire.questions.order_by("order", "id").first()
    questions = _current(questionnaire)[1:]
    with pytest.raises(ValidationError) as error:
        services.questionnaire_update(
            actor=personas["lead_bob"].user, questionnaire=questionnaire, data={}, questions=questions
        )
    assert str(services.ANSWERED_REMOVE) % {"text": removed.text} in _messages(error.value)
    assert questionnaire.questions.count() == 4


def test_answered_questionnaire_cannot_change_kind_or_drop_options(personas) -> None:
    questionnaire = _answered(personas)
    questions = _current(questionnaire)
    questions[0]["kind"] = "nps"
    with pytest.raises(ValidationError):
        services.questionnaire_update(
            actor=personas["lead_bob"].user, questionnaire=questionnaire, data={}, questions=questions
        )
    questions = _current(questionnaire)
    questions[1]["options"] = questions[1]["options"][:1] + [{"zh": "", "en": ""}]
    with pytest.raises(ValidationError):
        services.questionnaire_update(
            actor=personas["lead_bob"].user, questionnaire=questionnaire, data={}, questions=questions
        )
    assert questionnaire.questions.get(order=1).kind == "rating"


def test_answered_questionnaire_can_be_reworded_and_extended(personas) -> None:
    questionnaire = _answered(personas)
    questions = _current(questionnaire)
    questions[0]["text"] = "您对整体服务的满意度"
    questions[1]["options"].append({"zh": "邮件", "en": "Email"})
    questions.append({"kind": "rating", "text": "新问题"})
    services.questionnaire_update(
        actor=personas["lead_bob"].user,
        questionnaire=questionnaire,
        data={"title": "已答问卷（修订）"},
        questions=questions,
    )
    questionnaire.refresh_from_db()
    assert questionnaire.title == "已答问卷（修订）"
    assert questionnaire.questions.count() == 5
    assert questionnaire.questions.get(order=1).text == "您对整体服务的满意度"


def test_post_ticket_mark_moves(personas) -> None:
    bob = personas["lead_bob"].user
    new = services.questionnaire_create(
        actor=bob, data={"title": "新回访问卷", "for_resolved_tickets": True}, questions=QUESTIONS
    )
    assert Questionnaire.objects.get(for_resolved_tickets=True) == new
    with pytest.raises(ValidationError):
        services.questionnaire_update(actor=bob, questionnaire=new, data={"is_active": False})
    services.questionnaire_update(
        actor=bob, questionnaire=new, data={"is_active": False, "for_resolved_tickets": False}
    )
    assert not Questionnaire.objects.filter(for_resolved_tickets=True).exists()


def test_builder_page_creates_and_explains_answered_limits(personas) -> None:
    client = personas["lead_bob"].client()
    data = {
        "title": "页面问卷",
        "title_en": "",
        "intro": "",
        "intro_en": "",
        "is_active": "on",
        "questions-TOTAL_FORMS": "2",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-kind": "rating",
        "questions-0-text": "满意度",
        "questions-0-required": "on",
        "questions-0-ORDER": "2",
        "questions-1-kind": "single",
        "questions-1-text": "渠道",
        "questions-1-options": "电话 | Phone\n微信",
        "questions-1-ORDER": "1",
    }
    response = client.post(reverse("surveys:questionnaire_create"), data)
    assert response.status_code == 302
    questionnaire = Questionnaire.objects.get(title="页面问卷")
    assert [q.kind for q in questionnaire.questions.order_by("order")] == ["single", "rating"]
    assert questionnaire.questions.get(kind="single").options == [
        {"zh": "电话", "en": "Phone"},
        {"zh": "微信", "en": ""},
    ]
    answered = _answered(personas)
    page = client.get(reverse("surveys:questionnaire_update", args=[answered.pk]))
    assert b"answered-warning" in page.content
    assert personas["rep_alice"].client().get(reverse("surveys:questionnaire_create")).status_code == 403


def test_removing_an_answered_question_on_the_page_says_why(personas) -> None:
    questionnaire = _answered(personas)
    client = personas["lead_bob"].client()
    questions = _current(questionnaire)
    data = {
        "title": questionnaire.title,
        "is_active": "on",
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(len(questions)),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for i, q in enumerate(questions):
        data.update(
            {
                f"questions-{i}-id": q["id"],
                f"questions-{i}-kind": q["kind"],
                f"questions-{i}-text": q["text"],
                f"questions-{i}-ORDER": str(i + 1),
                f"questions-{i}-options": "\n".join(o["zh"] for o in q["options"]),
            }
        )
    data["questions-0-DELETE"] = "on"
    response = client.post(reverse("surveys:questionnaire_update", args=[questionnaire.pk]), data)
    assert response.status_code == 200
    assert shown(services.ANSWERED_REMOVE).split("&quot;")[0][:20] in response.content.decode()
    assert questionnaire.questions.count() == 4
