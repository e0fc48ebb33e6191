"""Performance assessment: the flows as data (cycle, scorecard, appeal, proposal, violation, and who may make each
move), the messages and the helpers the writes share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.performance.choices import (
    AppealStatus,
    AssessmentStatus,
    CycleStatus,
    ProposalStatus,
    ViolationStatus,
)
from apps.performance.models import Appeal, Assessment, AssessmentCycle, RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.performance.selectors.scorecards import may_decide_appeal
from apps.policy.choices import AssessedKind

C, A = CycleStatus, AssessmentStatus


CYCLE_FLOW: dict[str, tuple[str, ...]] = {
    C.OPEN: (C.COMPUTING,),
    C.COMPUTING: (C.COMPUTED, C.OPEN),
    C.COMPUTED: (C.COMPUTING, C.FINALISED),
    C.FINALISED: (C.PUBLISHED,),
    C.PUBLISHED: (),
}
ASSESSMENT_FLOW: dict[str, tuple[str, ...]] = {
    A.COMPUTED: (A.REVIEWED,),
    A.REVIEWED: (A.REVIEWED, A.CONFIRMED, A.APPEALED),
    A.APPEALED: (A.CONFIRMED,),
    A.CONFIRMED: (A.FINAL,),
    A.FINAL: (),
}

# The decisions' flows as data: from each status, the statuses it may move to and who may make the move (a key of
# ``WHO``). Services check them, the pages show a button and the API accepts a move only where ``moves`` allows it.
OWNER, DECIDER, APPEAL_DECIDER = "owner", "decider", "appeal_decider"
Ap, Pr, V = AppealStatus, ProposalStatus, ViolationStatus
APPEAL_FLOW: dict[str, dict[str, str]] = {
    Ap.PENDING: {Ap.UPHELD: APPEAL_DECIDER, Ap.REJECTED: APPEAL_DECIDER},
    Ap.UPHELD: {},
    Ap.REJECTED: {},
}
PROPOSAL_FLOW: dict[str, dict[str, str]] = {
    Pr.PROPOSED: {Pr.APPROVED: DECIDER, Pr.REJECTED: DECIDER},
    Pr.APPROVED: {},
    Pr.REJECTED: {},
}
VIOLATION_FLOW: dict[str, dict[str, str]] = {
    V.REPORTED: {V.CONFIRMED: DECIDER, V.DISMISSED: DECIDER},
    V.CONFIRMED: {V.APPEALED: OWNER},  # once: nothing leads back to confirmed
    V.APPEALED: {V.UPHELD_ON_APPEAL: APPEAL_DECIDER, V.OVERTURNED: APPEAL_DECIDER},
    V.DISMISSED: {},
    V.UPHELD_ON_APPEAL: {},
    V.OVERTURNED: {},
}

BAD_PERIOD = gettext_lazy("Give the period as 2026-Q4 (a quarter), 2026-05 (a month) or 2026 (a year).")
CYCLE_EXISTS = gettext_lazy("There is already an assessment cycle for %(period)s.")
MOVE_NOT_ALLOWED = gettext_lazy("A cycle that is “%(current)s” cannot become “%(target)s”.")
CARD_MOVE_NOT_ALLOWED = gettext_lazy("A scorecard that is “%(current)s” cannot become “%(target)s”.")
ADJUSTMENT_TOO_LARGE = gettext_lazy("A manager may adjust a score by at most %(limit)s points; this is %(value)s.")
ADJUSTMENT_NEEDS_REASON = gettext_lazy("Give the reason for adjusting the score.")
HAND_SCORE_RANGE = gettext_lazy("“%(kpi)s” is scored from 0 to %(cap)s.")
NOT_OWN_CARD = gettext_lazy("Only the person assessed can confirm or appeal this scorecard.")
OWN_CARD = gettext_lazy("Nobody reviews or decides on their own scorecard.")
ALREADY_APPEALED = gettext_lazy("This scorecard has already been appealed once; an appeal cannot be repeated.")
APPEAL_NEEDS_REASON = gettext_lazy("Say why you disagree with the assessment.")
DECISION_NEEDS_TEXT = gettext_lazy("Write the decision so that the employee can read it.")
NOT_REVIEWED = gettext_lazy("%(count)s scorecards are still waiting for their manager's review.")
APPEALS_PENDING = gettext_lazy("%(count)s appeals are still waiting for a decision.")
FORCED_DISTRIBUTION = gettext_lazy(
    "%(department)s: %(count)s people are rated excellent, but at most %(allowed)s (%(percent)s%%) may be."
)
PROPOSAL_DECIDED = gettext_lazy("This proposal has already been decided.")
VIOLATION_DECIDED = gettext_lazy("This violation has already been decided.")
APPEAL_DECIDED = gettext_lazy("This appeal has already been decided.")
VIOLATION_MOVE_NOT_ALLOWED = gettext_lazy("A violation that is “%(current)s” cannot become “%(target)s”.")
VIOLATION_ALREADY_APPEALED = gettext_lazy(
    "This violation has already been appealed once; an appeal cannot be repeated."
)
NOT_OWN_VIOLATION = gettext_lazy("Only the person concerned can appeal a violation.")
NOT_APPEAL_DECIDER = gettext_lazy(
    "An appeal is decided by the manager of the manager or by senior management — not by the manager who "
    "reviewed the scorecard, nor by the person appealing."
)
NOT_DECIDER = gettext_lazy("Only senior management or the leadership group decides this.")
ARTICLE_UNKNOWN = gettext_lazy("The policy has no article %(article)s.")

ASSESSED_KINDS = AssessedKind.values
COMPUTE_CHUNK = 50  # scorecards written per transaction; the progress moves after each


def _deny(message: Any) -> None:
    raise PermissionDenied(str(message))


def _require(actor: Any, perm: Perm) -> None:
    if not actor.has_perm(str(perm)):
        raise PermissionDenied(str(perm))


def _move_cycle(cycle: AssessmentCycle, target: str) -> None:
    if target not in CYCLE_FLOW[cycle.status]:
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": cycle.get_status_display(), "target": CycleStatus(target).label}
        )
    cycle.status = target


def _move_card(card: Assessment, target: str) -> None:
    if target not in ASSESSMENT_FLOW[card.status]:
        raise ValidationError(
            CARD_MOVE_NOT_ALLOWED % {"current": card.get_status_display(), "target": AssessmentStatus(target).label}
        )
    card.status = target


def _save(obj: Any, actor: Any, fields: list[str] | None = None) -> None:
    record_actor(obj, actor)
    obj.save(**({"update_fields": [*fields, "updated_at"]} if fields else {}))


WHO: dict[tuple[type, str], Callable[[Any, Any], bool]] = {
    (Appeal, APPEAL_DECIDER): may_decide_appeal,
    (RewardPenalty, DECIDER): lambda actor, p: actor.has_perm(str(Perm.DECIDE_REWARD)) and p.person_id != actor.pk,
    (Violation, DECIDER): lambda actor, v: actor.has_perm(str(Perm.DECIDE_VIOLATION)) and v.owner_id != actor.pk,
    (Violation, OWNER): lambda actor, v: actor.has_perm(str(Perm.ADD_APPEAL)) and v.owner_id == actor.pk,
    (Violation, APPEAL_DECIDER): lambda actor, v: actor.has_perm(str(Perm.DECIDE_APPEAL)) and v.owner_id != actor.pk,
}
FLOWS: dict[type, dict[str, dict[str, str]]] = {
    Appeal: APPEAL_FLOW,
    RewardPenalty: PROPOSAL_FLOW,
    Violation: VIOLATION_FLOW,
}


def moves(actor: Any, obj: Any) -> list[str]:
    """The statuses ``actor`` may move ``obj`` (an appeal, a proposal, a violation) to now — the pages' buttons."""
    flow = FLOWS[type(obj)]
    return [target for target, who in flow[obj.status].items() if WHO[(type(obj), who)](actor, obj)]


def _move(actor: Any, obj: Any, target: str, done: Any, refused: Any) -> None:
    """Check the move against the flow (``done`` when the status no longer allows it) and who may make it."""
    flow = FLOWS[type(obj)]
    if target not in flow[obj.status]:
        raise ValidationError(done)
    if not WHO[(type(obj), flow[obj.status][target])](actor, obj):
        _deny(refused)
    obj.status = target
