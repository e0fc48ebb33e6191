"""Storing a customer's answer to a one-time link (no account).

Everything happens in ONE transaction: the invitation row is locked (``select_for_update``), a link already answered
or expired is refused, the ``SurveyResponse`` (one-to-one with the invitation, so the database refuses a second) and
its answers are created, CSAT (mean of the 1–5 ratings) and the NPS score are computed, the invitation is marked
answered and the registered response hooks run (e.g. a follow-up ticket for a detractor). A racing double submit
that slips past the lock (SQLite has none) fails on the one-to-one constraint and is reported as already answered.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.surveys.choices import QuestionKind, SurveyStatus
from apps.surveys.models import Answer, Question, SurveyInvitation, SurveyResponse
from apps.surveys.registry import response_hooks

REQUIRED = gettext_lazy("Please answer this question.")
OUT_OF_RANGE = gettext_lazy("Choose one of the values offered.")
TOO_LONG = gettext_lazy("Please keep your answer under 2000 characters.")
TEXT_LIMIT = 2000
CENT = Decimal("0.01")
SQLITE_ATTEMPTS = 200

RANGES = {QuestionKind.RATING: (1, 5), QuestionKind.NPS: (0, 10)}


class LinkRefused(Exception):
    """The link cannot take an answer; ``reason`` is "answered", "expired" or "closed"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class AnswersInvalid(Exception):
    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__("invalid answers")
        self.errors = errors


def link_state(invitation: SurveyInvitation, now: dt.datetime | None = None) -> str:
    """ "open", or why the link takes no answer: "answered", "expired", "closed"."""
    now = now or timezone.now()
    if invitation.answered_at is not None:
        return "answered"
    if invitation.campaign.status == SurveyStatus.CLOSED:
        return "closed"
    if invitation.expires_at <= now:
        return "expired"
    return "open"


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def answers_clean(questions: list[Question], raw: dict[int, Any]) -> tuple[dict[int, dict], dict[int, str]]:
    """Validate raw answers (question id → str, or list of str for multiple choice). Returns (cleaned, errors);
    cleaned maps question id → {"number"|"choices"|"text": value} for the questions answered."""
    cleaned: dict[int, dict] = {}
    errors: dict[int, str] = {}
    for question in questions:
        value = raw.get(question.pk)
        if question.kind == QuestionKind.MULTIPLE:
            values = value if isinstance(value, list | tuple) else ([value] if value not in (None, "") else [])
            picked = [_int(v) for v in values if str(v).strip() != ""]
            if not picked:
                if question.required:
                    errors[question.pk] = str(REQUIRED)
                continue
            if any(p is None or not 0 <= p < len(question.options) for p in picked):
                errors[question.pk] = str(OUT_OF_RANGE)
                continue
            cleaned[question.pk] = {"choices": sorted(set(picked))}
            continue
        text = "" if value is None else (value[-1] if isinstance(value, list | tuple) and value else str(value))
        text = str(text).strip()
        if text == "":
            if question.required:
                errors[question.pk] = str(REQUIRED)
            continue
        if question.kind == QuestionKind.TEXT:
            if len(text) > TEXT_LIMIT:
                errors[question.pk] = str(TOO_LONG)
                continue
            cleaned[question.pk] = {"text": text}
            continue
        number = _int(text)
        if question.kind == QuestionKind.SINGLE:
            low, high = 0, len(question.options) - 1
        else:
            low, high = RANGES[QuestionKind(question.kind)]
        if number is None or not low <= number <= high:
            errors[question.pk] = str(OUT_OF_RANGE)
            continue
        cleaned[question.pk] = {"number": number}
    return cleaned, errors


def scores(questions: list[Question], cleaned: dict[int, dict]) -> tuple[Decimal | None, int | None]:
    """CSAT = mean of the rating answers (2 decimals); NPS score = the first 0–10 answer."""
    ratings = [cleaned[q.pk]["number"] for q in questions if q.kind == QuestionKind.RATING and q.pk in cleaned]
    csat = (Decimal(sum(ratings)) / len(ratings)).quantize(CENT, ROUND_HALF_UP) if ratings else None
    nps = next((cleaned[q.pk]["number"] for q in questions if q.kind == QuestionKind.NPS and q.pk in cleaned), None)
    return csat, nps


def response_submit(
    *, token: str, raw: dict[int, Any], ip_address: str | None = None, now: dt.datetime | None = None
) -> SurveyResponse:
    """Store the answer to the link ``token``. Raises SurveyInvitation.DoesNotExist (forged link), LinkRefused
    (answered / expired / closed; nothing stored) or AnswersInvalid (nothing stored)."""
    now = now or timezone.now()
    for attempt in range(SQLITE_ATTEMPTS):
        try:
            return _submit_once(token=token, raw=raw, ip_address=ip_address, now=now)
        except IntegrityError as exc:
            # The racing twin stored its answer first (the one-to-one refused ours): nothing of ours remains.
            # Any other integrity error (e.g. in a hook) is not disguised as "already answered".
            if SurveyResponse.objects.filter(invitation__token=token).exists():
                raise LinkRefused("answered") from exc
            raise
        except OperationalError as exc:
            # SQLite has no row locks: a racing twin's transaction holds the table. Ours rolled back entirely; try
            # again, and the next attempt sees the link answered (or stores the answer if the twin failed).
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == SQLITE_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.005, 0.03))  # noqa: S311 - jitter, not security
    raise AssertionError("unreachable")


def _submit_once(*, token: str, raw: dict[int, Any], ip_address: str | None, now: dt.datetime) -> SurveyResponse:
    with transaction.atomic():
        locked = SurveyInvitation.objects.select_for_update(of=("self",))
        invitation = locked.select_related("campaign").get(token=token)
        state = link_state(invitation, now)
        if state != "open":
            raise LinkRefused(state)
        questions = list(invitation.campaign.questionnaire.questions.order_by("order", "id"))
        cleaned, errors = answers_clean(questions, raw)
        if errors:
            raise AnswersInvalid(errors)
        csat, nps = scores(questions, cleaned)
        response = SurveyResponse.objects.create(
            invitation=invitation,
            campaign=invitation.campaign,
            submitted_at=now,
            csat=csat,
            nps_score=nps,
            ip_address=ip_address or None,
        )
        Answer.objects.bulk_create(
            [Answer(response=response, question_id=qid, **values) for qid, values in cleaned.items()]
        )
        invitation.answered_at = now
        invitation.save(update_fields=["answered_at", "updated_at"])
        for hook in response_hooks():
            hook(response)
    return response
