"""Performance assessment: the forced distribution, finalising and publishing a cycle, and deciding the reward and
penalty proposals."""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.services import notify
from apps.performance.choices import (
    AssessmentStatus,
    CycleStatus,
    ProposalStatus,
    SubjectKind,
)
from apps.performance.models import Assessment, AssessmentCycle, RewardPenalty
from apps.performance.permissions import Perm
from apps.performance.selectors.measures import CENT
from apps.performance.services.common import (
    APPEALS_PENDING,
    FORCED_DISTRIBUTION,
    MOVE_NOT_ALLOWED,
    NOT_DECIDER,
    NOT_REVIEWED,
    PROPOSAL_DECIDED,
    _move,
    _move_cycle,
    _require,
    _save,
)
from apps.performance.services.cycles import cycle_rules
from apps.performance.services.reviews import _card_url
from apps.policy.choices import REWARD_ACTIONS, Grade
from apps.policy.rules import Rules

C, A = CycleStatus, AssessmentStatus


#
# Finalising, publishing, proposals
#


def forced_distribution_problems(cycle: AssessmentCycle, rules: Rules) -> list[str]:
    """The departments where more people are rated excellent than the rules allow (at least one may always be)."""
    percent = rules.assessment.excellent_max_percent
    if not percent:
        return []
    counts: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for card in Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).select_related("owner_unit"):
        counts[card.owner_unit][0] += 1
        counts[card.owner_unit][1] += card.grade == Grade.EXCELLENT
    problems = []
    for department, (people, excellent) in sorted(counts.items(), key=lambda kv: kv[0].path):
        allowed = max(1, math.floor(people * percent / 100))  # the same rule as _excess_excellent
        if excellent > allowed:
            problems.append(
                str(
                    FORCED_DISTRIBUTION
                    % {"department": department.name, "count": excellent, "allowed": allowed, "percent": percent}
                )
            )
    return problems


def _excess_excellent(cycle: AssessmentCycle, rules: Rules) -> list[Assessment]:
    """Per department, the excellent scorecards beyond the share the rules allow, lowest scores first."""
    percent = rules.assessment.excellent_max_percent
    if not percent:
        return []
    groups: dict[int, list[Assessment]] = defaultdict(list)
    for card in Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).order_by("-total", "pk"):
        groups[card.owner_unit_id].append(card)
    excess = []
    for cards in groups.values():
        allowed = max(1, math.floor(len(cards) * percent / 100))
        excellent = [c for c in cards if c.grade == Grade.EXCELLENT]
        excess += excellent[allowed:]
    return excess


@transaction.atomic
def cycle_apply_distribution(*, actor: Any, cycle: AssessmentCycle) -> int:
    """强制分布: in each department, the excellent scorecards beyond the rules' share — the lowest scores — are
    graded good instead; scores stay as computed and the scorecard says why. Returns how many changed."""
    _require(actor, Perm.FINALISE_CYCLE)
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.status != CycleStatus.COMPUTED:
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": cycle.get_status_display(), "target": CycleStatus.FINALISED.label}
        )
    excess = _excess_excellent(cycle, cycle_rules(cycle))
    for card in excess:
        card.grade, card.grade_capped = Grade.GOOD, True
        _save(card, actor, ["grade", "grade_capped"])
        if card.owner_id:
            notify(
                recipients=[card.owner],
                title=_("%(cycle)s: your grade follows the forced distribution") % {"cycle": cycle.name},
                url=_card_url(card),
            )
    return len(excess)


@transaction.atomic
def cycle_finalise(*, actor: Any, cycle: AssessmentCycle) -> AssessmentCycle:
    """Freeze the cycle: every scorecard reviewed, no appeal pending, the forced distribution respected; then the
    grades propose rewards and penalties by the rules."""
    _require(actor, Perm.FINALISE_CYCLE)
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    _move_cycle(cycle, CycleStatus.FINALISED)
    cards = Assessment.objects.filter(cycle=cycle)
    problems = []
    unreviewed = cards.filter(subject_kind=SubjectKind.PERSON, status=AssessmentStatus.COMPUTED).count()
    if unreviewed:
        problems.append(str(NOT_REVIEWED % {"count": unreviewed}))
    appealed = cards.filter(status=AssessmentStatus.APPEALED).count()
    if appealed:
        problems.append(str(APPEALS_PENDING % {"count": appealed}))
    rules = cycle_rules(cycle)
    problems += forced_distribution_problems(cycle, rules)
    if problems:
        raise ValidationError(problems)
    for card in cards.select_related("owner", "owner_unit"):
        card.status = AssessmentStatus.FINAL
        _save(card, actor, ["status"])
        action = rules.assessment.proposal_for(card.grade)
        if action:
            proposal = RewardPenalty(
                action=action,
                is_reward=action in REWARD_ACTIONS,
                person=card.owner,
                department=card.owner_unit,
                assessment=card,
                reason=_("%(cycle)s: rated %(grade)s (%(score)s)")
                % {"cycle": cycle.name, "grade": card.get_grade_display(), "score": card.total},
            )
            _save(proposal, actor)
    cycle.finalised_at = timezone.now()
    _save(cycle, actor, ["status", "finalised_at"])
    return cycle


@transaction.atomic
def cycle_publish(*, actor: Any, cycle: AssessmentCycle) -> AssessmentCycle:
    """通报: the results go out; everyone assessed is told."""
    _require(actor, Perm.FINALISE_CYCLE)
    cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
    _move_cycle(cycle, CycleStatus.PUBLISHED)
    cycle.published_at = timezone.now()
    _save(cycle, actor, ["status", "published_at"])
    people = [c.owner for c in Assessment.objects.filter(cycle=cycle, owner__isnull=False).select_related("owner")]
    notify(
        recipients=people,
        title=_("The results of %(cycle)s are published") % {"cycle": cycle.name},
        url=reverse("performance:my_assessments"),
    )
    return cycle


@transaction.atomic
def proposal_decide(
    *, actor: Any, proposal: RewardPenalty, approve: bool, note: str = "", amount: Decimal | None = None
) -> RewardPenalty:
    """Only the roles art. 13 names (senior management, the leadership group) decide a reward or a penalty."""
    proposal = RewardPenalty.objects.select_for_update().get(pk=proposal.pk)
    _move(
        actor, proposal, ProposalStatus.APPROVED if approve else ProposalStatus.REJECTED, PROPOSAL_DECIDED, NOT_DECIDER
    )
    proposal.decision_note, proposal.decided_by, proposal.decided_at = note.strip(), actor, timezone.now()
    if amount is not None:
        proposal.amount = Decimal(amount).quantize(CENT)
    _save(proposal, actor)
    if proposal.person_id and approve:
        notify(
            recipients=[proposal.person],
            title=_("Decided: %(action)s") % {"action": proposal.get_action_display()},
            body=proposal.reason,
            url=reverse("performance:rewardpenalty_list"),
        )
    return proposal
