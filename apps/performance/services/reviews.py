"""Performance assessment: the manager's review of a scorecard, the employee's confirmation and the appeal."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scoping import can
from apps.core.services import notify
from apps.performance.choices import (
    AppealStatus,
    AssessmentStatus,
    CycleStatus,
    KpiMethod,
)
from apps.performance.models import Appeal, Assessment
from apps.performance.permissions import Perm
from apps.performance.selectors.measures import CENT, half_up
from apps.performance.selectors.scorecards import appeal_managers
from apps.performance.services.common import (
    ADJUSTMENT_NEEDS_REASON,
    ADJUSTMENT_TOO_LARGE,
    ALREADY_APPEALED,
    APPEAL_DECIDED,
    APPEAL_NEEDS_REASON,
    DECISION_NEEDS_TEXT,
    HAND_SCORE_RANGE,
    MOVE_NOT_ALLOWED,
    NOT_APPEAL_DECIDER,
    NOT_OWN_CARD,
    OWN_CARD,
    _deny,
    _move,
    _move_card,
    _require,
    _save,
)
from apps.performance.services.cycles import _rank, _retotal, cycle_rules

C, A = CycleStatus, AssessmentStatus


#
# Review, confirmation, appeal
#


def _card_url(card: Assessment) -> str:
    return reverse("performance:assessment_detail", args=[card.pk])


def _check_not_final(card: Assessment) -> None:
    if card.cycle.is_final:
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": card.cycle.get_status_display(), "target": CycleStatus.COMPUTED.label}
        )


@transaction.atomic
def assessment_review(
    *,
    actor: Any,
    assessment: Assessment,
    hand_scores: dict[str, Decimal] | None = None,
    adjustment: Decimal = Decimal("0"),
    adjustment_reason: str = "",
    comment: str = "",
) -> Assessment:
    """The manager scores the hand KPIs, may adjust the total within the limit of the rules (always with a reason)
    and comments; the employee is asked to confirm."""
    _require(actor, Perm.REVIEW_ASSESSMENT)
    card = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if not can(actor, "view", card):
        raise PermissionDenied("out of scope")
    if card.owner_id == actor.pk:
        _deny(OWN_CARD)
    _check_not_final(card)
    _move_card(card, AssessmentStatus.REVIEWED)
    rules = cycle_rules(card.cycle)
    errors: dict[str, list[Any]] = defaultdict(list)
    for item in card.items.select_related("kpi"):
        if hand_scores is None or item.kpi.method != KpiMethod.MANUAL or item.kpi.code not in hand_scores:
            continue
        value = Decimal(hand_scores[item.kpi.code])
        if not 0 <= value <= item.kpi.score_cap:
            errors["hand_scores"].append(HAND_SCORE_RANGE % {"kpi": item.kpi.display_name, "cap": item.kpi.score_cap})
            continue
        item.actual = item.score = value.quantize(CENT)
        item.completion = half_up(value)
        item.save(update_fields=["actual", "score", "completion"])
    adjustment = Decimal(adjustment or 0).quantize(CENT)
    if abs(adjustment) > rules.assessment.adjustment_limit:
        errors["adjustment"].append(
            ADJUSTMENT_TOO_LARGE % {"limit": rules.assessment.adjustment_limit, "value": adjustment}
        )
    if adjustment and not adjustment_reason.strip():
        errors["adjustment_reason"].append(ADJUSTMENT_NEEDS_REASON)
    if errors:
        raise ValidationError(dict(errors))
    card.adjustment, card.adjustment_reason = adjustment, adjustment_reason.strip()
    card.manager_comment = comment.strip()
    card.reviewed_by, card.reviewed_at = actor, timezone.now()
    _retotal(card, rules)
    _save(card, actor)
    _rank(card.cycle)
    if card.owner_id:
        notify(
            recipients=[card.owner],
            title=_("Your scorecard for %(cycle)s is ready to confirm") % {"cycle": card.cycle.name},
            url=_card_url(card),
        )
    return card


def _own_card(actor: Any, assessment: Assessment) -> Assessment:
    card = Assessment.objects.select_for_update().select_related("cycle").get(pk=assessment.pk)
    if card.owner_id != actor.pk:
        _deny(NOT_OWN_CARD)
    _check_not_final(card)
    return card


@transaction.atomic
def assessment_confirm(*, actor: Any, assessment: Assessment) -> Assessment:
    card = _own_card(actor, assessment)
    _move_card(card, AssessmentStatus.CONFIRMED)
    card.confirmed_at = timezone.now()
    _save(card, actor, ["status", "confirmed_at"])
    return card


def _appeal_deciders(card: Assessment) -> list[Any]:
    from apps.org.models import User

    _direct, upper = appeal_managers(card)
    return [
        u
        for u in User.objects.filter(is_active=True, employee__is_active=True).distinct()
        if (u.pk == upper or u.has_perm(str(Perm.DECIDE_APPEAL))) and u.pk not in (card.owner_id, _direct)
    ]


@transaction.atomic
def appeal_submit(*, actor: Any, assessment: Assessment, reason: str) -> Appeal:
    """申诉: once per scorecard, after the manager's review and before confirmation."""
    _require(actor, Perm.ADD_APPEAL)
    card = _own_card(actor, assessment)
    if Appeal.objects.filter(assessment=card).exists():
        raise ValidationError(ALREADY_APPEALED)
    if not reason.strip():
        raise ValidationError({"reason": APPEAL_NEEDS_REASON})
    _move_card(card, AssessmentStatus.APPEALED)
    _save(card, actor, ["status"])
    appeal = Appeal(assessment=card, reason=reason.strip())
    _save(appeal, actor)
    notify(
        recipients=_appeal_deciders(card),
        title=_("%(person)s appeals the %(cycle)s assessment")
        % {"person": card.subject_name, "cycle": card.cycle.name},
        url=_card_url(card),
    )
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Any, appeal: Appeal, upheld: bool, decision: str, new_total: Decimal | None = None
) -> Appeal:
    """The manager's manager or senior management (the leadership group too) decides — see ``may_decide_appeal``;
    an upheld appeal may set a new score; the employee sees the decision on the scorecard and the scorecard counts
    as confirmed."""
    appeal = (
        Appeal.objects.select_for_update()
        .select_related("assessment__cycle", "assessment__owner_unit")
        .get(pk=appeal.pk)
    )
    card = appeal.assessment
    _move(actor, appeal, AppealStatus.UPHELD if upheld else AppealStatus.REJECTED, APPEAL_DECIDED, NOT_APPEAL_DECIDER)
    if not decision.strip():
        raise ValidationError({"decision": DECISION_NEEDS_TEXT})
    appeal.decision, appeal.decided_by, appeal.decided_at = decision.strip(), actor, timezone.now()
    if upheld and new_total is not None:
        appeal.new_total = Decimal(new_total).quantize(CENT)
        card.total = appeal.new_total
        card.grade = cycle_rules(card.cycle).grade_for(card.total)
    _save(appeal, actor)
    _move_card(card, AssessmentStatus.CONFIRMED)
    card.confirmed_at = timezone.now()
    _save(card, actor)
    _rank(card.cycle)
    if card.owner_id:
        notify(
            recipients=[card.owner],
            title=_("Your appeal was decided: %(outcome)s") % {"outcome": appeal.get_status_display()},
            body=appeal.decision,
            url=_card_url(card),
        )
    return appeal
