"""Writes of the interpretations: a question about an article, its answer, publication or decline."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.services import model_save, notification_topic, notify
from apps.org.choices import BuiltinRole
from apps.org.selectors import users_with_role
from apps.policy.choices import InterpretationStatus
from apps.policy.models import (
    INTERPRETATION_FLOW,
    Article,
    Interpretation,
)
from apps.policy.selectors import (
    PUBLISHED,
)
from apps.policy.services.versions import _require

ARTICLE_NOT_PUBLISHED = _("Questions are asked about the articles of a version that is or was in force.")
QUESTION_REQUIRED = _("Write the question.")
ANSWER_REQUIRED = _("Write the answer.")
REASON_REQUIRED = _("Give the reason.")
MOVE_NOT_ALLOWED = _("An interpretation that is %(status)s cannot be %(action)s.")


INTERPRETATION_ACTIONS = {"answer": _("answered"), "publish": _("published"), "decline": _("declined")}


# Interpretations


def _require_answerer(actor: Any) -> None:
    _require(actor, "policy.answer_interpretation")


def _move_interpretation(interpretation: Interpretation, action: str) -> str:
    """Lock the row, read it again (a move racing this one may have changed it: the answer published and told is
    the one stored) and return the status ``action`` leads to, or refuse a move the flow does not allow."""
    Interpretation.objects.select_for_update().filter(pk=interpretation.pk).values_list("pk", flat=True).get()
    interpretation.refresh_from_db()
    status = interpretation.status
    target = INTERPRETATION_FLOW.get(status, {}).get(action)
    if target is None:
        raise ValidationError(
            MOVE_NOT_ALLOWED,
            code="not_allowed",
            params={"status": InterpretationStatus(status).label, "action": INTERPRETATION_ACTIONS.get(action, action)},
        )
    return target


def interpretation_allowed(user: Any, interpretation: Interpretation) -> list[str]:
    """The moves ``user`` may make on ``interpretation`` now (the buttons to show)."""
    if not user.has_perm("policy.answer_interpretation"):
        return []
    return list(INTERPRETATION_FLOW.get(interpretation.status, {}))


def _save(obj: Any, actor: Any, fields: list[str], reason: str = "") -> None:
    model_save(obj, actor=actor, reason=reason, update_fields=[*fields, "updated_at"])


@transaction.atomic
def interpretation_ask(*, actor: Any, article: Article, question: str) -> Interpretation:
    """Any employee asks a question about an article of a version in force (or that was); the leadership group
    is notified."""
    _require(actor, "policy.add_interpretation")
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": QUESTION_REQUIRED})
    version = article.version
    if version.status not in PUBLISHED:
        raise ValidationError({"article": ARTICLE_NOT_PUBLISHED})
    interpretation = Interpretation(version=version, article=article, question=question, asked_by=actor)
    model_save(interpretation, actor=actor)
    notify(
        recipients=users_with_role(BuiltinRole.LEADERSHIP_GROUP),
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("A question about %(article)s of policy %(label)s")
        % {"article": article.label_zh, "label": version.label},
        body=question[:500],
    )
    return interpretation


@transaction.atomic
def interpretation_answer(*, actor: Any, interpretation: Interpretation, answer: str) -> Interpretation:
    """A member of the leadership group writes (or revises) the answer; it is not yet shown to everyone."""
    _require_answerer(actor)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": ANSWER_REQUIRED})
    interpretation.status = _move_interpretation(interpretation, "answer")
    interpretation.answer = answer
    interpretation.answered_by = actor
    interpretation.answered_at = timezone.now()
    _save(interpretation, actor, ["status", "answer", "answered_by", "answered_at"])
    return interpretation


@transaction.atomic
def interpretation_publish(*, actor: Any, interpretation: Interpretation) -> Interpretation:
    """Publish the answer: it appears beside the article for everyone, and whoever asked about the article and
    is still waiting, the asker first, is notified."""
    _require_answerer(actor)
    interpretation.status = _move_interpretation(interpretation, "publish")
    interpretation.published_by = actor
    interpretation.published_at = timezone.now()
    _save(interpretation, actor, ["status", "published_by", "published_at"])
    waiting = Interpretation.objects.filter(
        article__number=interpretation.article.number,
        version__policy_id=interpretation.version.policy_id,
        status__in=(InterpretationStatus.ASKED, InterpretationStatus.ANSWERED),
    ).values_list("asked_by", flat=True)
    askers = get_user_model().objects.filter(Q(pk=interpretation.asked_by_id) | Q(pk__in=list(waiting)), is_active=True)
    notify(
        recipients=askers,
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("The leadership group answered a question about %(article)s")
        % {"article": interpretation.article.label_zh},
        body=interpretation.answer[:500],
    )
    return interpretation


@transaction.atomic
def interpretation_decline(*, actor: Any, interpretation: Interpretation, reason: str) -> Interpretation:
    """Decline to interpret (a question the policy does not cover, already answered…), with the reason the asker
    is told."""
    _require_answerer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": REASON_REQUIRED})
    interpretation.status = _move_interpretation(interpretation, "decline")
    interpretation.decline_reason = reason
    _save(interpretation, actor, ["status", "decline_reason"])
    notify(
        recipients=[interpretation.asked_by],
        topic=notification_topic("interpretation", interpretation),
        url=reverse("policy:interpretation_detail", args=[interpretation.pk]),
        title=gettext("Your question about %(article)s was declined") % {"article": interpretation.article.label_zh},
        body=reason[:500],
    )
    return interpretation
