"""Writes to questionnaires (问卷) and their questions.

Rules: a questionnaire has at least one question; every question has its Chinese text; choice questions have at
least two options, each with its Chinese text. Once a questionnaire has answers, the answers refer to its questions
(and to options by position), so questions cannot be removed, their type cannot change and options cannot be
removed — wording can still be corrected and questions or options added. At most one questionnaire is the one sent
after resolved tickets; choosing another moves the mark.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from apps.core.services import model_save
from apps.surveys.choices import QuestionKind
from apps.surveys.models import Answer, Question, Questionnaire

NO_QUESTIONS = gettext_lazy("Add at least one question.")
TEXT_NEEDED = gettext_lazy("Question %(number)s: enter the question in Chinese.")
OPTIONS_NEEDED = gettext_lazy("Question %(number)s: a choice question needs at least two options.")
OPTION_TEXT_NEEDED = gettext_lazy("Question %(number)s: every option needs its Chinese text.")
ANSWERED_REMOVE = gettext_lazy(
    'This questionnaire already has answers, which refer to its questions: question "%(text)s" cannot be removed. '
    "Deactivate the questionnaire and create a new one instead."
)
ANSWERED_KIND = gettext_lazy(
    'This questionnaire already has answers: the type of question "%(text)s" cannot change, or the answers '
    "already given would no longer fit it."
)
ANSWERED_OPTIONS = gettext_lazy(
    "This questionnaire already has answers, which store the chosen option by position: options of question "
    '"%(text)s" cannot be removed (you may reword them or add new ones).'
)
UNKNOWN_QUESTION = gettext_lazy("A question belongs to another questionnaire.")
POST_TICKET_INACTIVE = gettext_lazy("The questionnaire sent after resolved tickets must be in use.")

QUESTIONNAIRE_FIELDS = ["title", "title_en", "intro", "intro_en", "is_active", "for_resolved_tickets"]
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def has_answers(questionnaire: Questionnaire) -> bool:
    return questionnaire.pk is not None and Answer.objects.filter(question__questionnaire=questionnaire).exists()


def _clean_options(options: Any) -> list[dict[str, str]]:
    cleaned = []
    for option in options or []:
        if isinstance(option, str):
            option = {"zh": option, "en": ""}
        zh, en = str(option.get("zh", "")).strip(), str(option.get("en", "")).strip()
        if zh or en:
            cleaned.append({"zh": zh, "en": en})
    return cleaned


def _validate_questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Normalise and validate the submitted questions (in their order); raises ValidationError."""
    if not questions:
        raise ValidationError(NO_QUESTIONS)
    errors = []
    cleaned = []
    for number, data in enumerate(questions, start=1):
        kind = data.get("kind")
        text = str(data.get("text", "")).strip()
        options = _clean_options(data.get("options")) if kind in CHOICE_KINDS else []
        if kind not in QuestionKind.values:
            errors.append(ValidationError(TEXT_NEEDED, params={"number": number}))
            continue
        if not text:
            errors.append(ValidationError(TEXT_NEEDED, params={"number": number}))
        if kind in CHOICE_KINDS:
            if len(options) < 2:
                errors.append(ValidationError(OPTIONS_NEEDED, params={"number": number}))
            elif any(not o["zh"] for o in options):
                errors.append(ValidationError(OPTION_TEXT_NEEDED, params={"number": number}))
        cleaned.append(
            {
                "id": data.get("id") or None,
                "kind": kind,
                "text": text[:300],
                "text_en": str(data.get("text_en", "")).strip()[:300],
                "options": options,
                "required": bool(data.get("required", True)),
                "order": number,
            }
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


def _save_questions(questionnaire: Questionnaire, questions: list[dict[str, Any]]) -> None:
    existing = {q.pk: q for q in questionnaire.questions.all()}
    answered = has_answers(questionnaire)
    kept_ids = {q["id"] for q in questions if q["id"]}
    if kept_ids - set(existing):
        raise ValidationError(UNKNOWN_QUESTION)
    if answered:
        errors = []
        for question in existing.values():
            if question.pk not in kept_ids:
                errors.append(ValidationError(ANSWERED_REMOVE, params={"text": question.text}))
        for data in questions:
            found = existing.get(data["id"])
            if found is None:
                continue
            question = found
            if question.kind != data["kind"]:
                errors.append(ValidationError(ANSWERED_KIND, params={"text": question.text}))
            elif len(data["options"]) < len(question.options or []):
                errors.append(ValidationError(ANSWERED_OPTIONS, params={"text": question.text}))
        if errors:
            raise ValidationError(errors)
    questionnaire.questions.exclude(pk__in=kept_ids).delete()
    for data in questions:
        question = existing.get(data["id"]) or Question(questionnaire=questionnaire)
        for name in ("kind", "text", "text_en", "options", "required", "order"):
            setattr(question, name, data[name])
        question.full_clean(exclude=["questionnaire"])
        question.save()


def _mark_post_ticket(questionnaire: Questionnaire) -> None:
    if questionnaire.for_resolved_tickets:
        if not questionnaire.is_active:
            raise ValidationError({"for_resolved_tickets": POST_TICKET_INACTIVE})
        for other in Questionnaire.objects.filter(for_resolved_tickets=True).exclude(pk=questionnaire.pk):
            other.for_resolved_tickets = False
            other.save(update_fields=["for_resolved_tickets", "updated_at"])


@transaction.atomic
def questionnaire_create(*, actor: Any, data: dict[str, Any], questions: list[dict[str, Any]]) -> Questionnaire:
    """Create a questionnaire with its questions (``questions`` in order: kind, text, text_en, required, options)."""
    _require(actor.has_perm("surveys.add_questionnaire"))
    cleaned = _validate_questions(questions)
    questionnaire = Questionnaire(created_by=actor, **{k: data[k] for k in QUESTIONNAIRE_FIELDS if k in data})
    _mark_post_ticket(questionnaire)
    model_save(questionnaire, actor=actor)
    _save_questions(questionnaire, cleaned)
    return questionnaire


@transaction.atomic
def questionnaire_update(
    *, actor: Any, questionnaire: Questionnaire, data: dict[str, Any], questions: list[dict[str, Any]] | None = None
) -> Questionnaire:
    """Change the questionnaire and, when ``questions`` is given, replace its questions (existing ones by ``id``)."""
    _require(actor.has_perm("surveys.change_questionnaire"))
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    cleaned = _validate_questions(questions) if questions is not None else None
    for name in QUESTIONNAIRE_FIELDS:
        if name in data:
            setattr(questionnaire, name, data[name])
    _mark_post_ticket(questionnaire)
    model_save(questionnaire, actor=actor)
    if cleaned is not None:
        _save_questions(questionnaire, cleaned)
    return questionnaire
