"""Writes of performance assessment (arts. 11–13). Every function checks the actor, runs in a transaction, keeps
history and tells the people concerned.

The cycle's flow as data (``CYCLE_FLOW``) and the scorecard's (``ASSESSMENT_FLOW``): from each status, the
statuses it may move to. Computing snapshots every KPI with the records it came from; after finalisation nothing
of a cycle changes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, users_assignable
from apps.core.services import notify
from apps.org.models import Department, Employee
from apps.performance.choices import (
    AppealStatus,
    AssessmentStatus,
    CycleStatus,
    Direction,
    KpiMethod,
    ProposalStatus,
    SubjectKind,
    ViolationStatus,
)
from apps.performance.kpi_library import sync_kpi_library
from apps.performance.models import Appeal, Assessment, AssessmentCycle, AssessmentItem, Kpi, RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.performance.selectors.metrics import CENT, Measure, Span, Subject, half_up, measure
from apps.performance.selectors.scorecards import appeal_managers, may_decide_appeal
from apps.policy.choices import REWARD_ACTIONS, AssessedKind, AssessmentLevel, Grade, KpiCode, ScoringMethod
from apps.policy.models import PolicyVersion
from apps.policy.rules import AssessmentScheme, Rules, SchemeLine, parse_rules
from apps.policy.selectors import rules_in_force

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


#
# Cycles
#


def parse_period_key(key: str) -> tuple[str, dt.date, dt.date, str]:
    """``2026-Q4`` / ``2026-05`` / ``2026`` → (key, first day, last day, name in words)."""
    from apps.sales.selectors.attainment import parse_period

    try:
        period = parse_period(key)
    except ValueError as exc:
        raise ValidationError({"period_key": BAD_PERIOD}) from exc
    if period.kind == "ytd":
        raise ValidationError({"period_key": BAD_PERIOD})
    if period.kind == "quarter":
        name = _("%(year)s Q%(quarter)s assessment") % {"year": period.year, "quarter": period.months[0] // 3 + 1}
    elif period.kind == "month":
        name = _("%(year)s-%(month)02d assessment") % {"year": period.year, "month": period.months[0]}
    else:
        name = _("%(year)s annual assessment") % {"year": period.year}
    return period.key, period.start, period.end, name


@transaction.atomic
def cycle_create(*, actor: Any, period_key: str) -> AssessmentCycle:
    _require(actor, Perm.ADD_CYCLE)
    key, start, end, name = parse_period_key(period_key)
    if AssessmentCycle.objects.filter(period_key=key).exists():
        raise ValidationError({"period_key": CYCLE_EXISTS % {"period": key}})
    cycle = AssessmentCycle(name=name, period_key=key, start=start, end=end, created_by=actor)
    cycle.full_clean()
    _save(cycle, actor)
    return cycle


def cycle_rules(cycle: AssessmentCycle) -> Rules:
    """The rules a cycle is computed with: those of the version it keeps (the one in force when first computed)."""
    if cycle.rules_version_id is None:
        return rules_in_force().rules
    version = PolicyVersion.objects.get(pk=cycle.rules_version_id)
    return parse_rules(version.rules)


def _subjects() -> list[tuple[Subject, str, str]]:
    """Every (subject, department kind, level) assessed: the active departments of the three kinds, and the active
    employees in them (a department's manager at manager level)."""
    departments = list(Department.objects.filter(is_active=True, kind__in=ASSESSED_KINDS).order_by("path"))
    subjects = [(Subject(d), d.kind, AssessmentLevel.DEPARTMENT.value) for d in departments]
    employees = (
        Employee.objects.filter(is_active=True, department__kind__in=ASSESSED_KINDS, department__is_active=True)
        .select_related("user", "department")
        .order_by("department__path", "user_id")
    )
    for e in employees:
        level = AssessmentLevel.MANAGER if e.department.manager_id == e.user_id else AssessmentLevel.STAFF
        subjects.append((Subject(e.department, e.user), e.department.kind, level.value))
    return subjects


def score_line(kpi: Kpi, line: SchemeLine, actual: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    """(completion %, score) of one KPI line by the scoring its scheme line sets (see ``policy.rules.SchemeLine``):
    linear to the target capped at the KPI's cap, score bands, a threshold then linear, or a deduction per
    occurrence (no completion: the actual is a count of occurrences)."""
    if actual is None:
        return None, None
    cap = Decimal(kpi.score_cap)
    if line.scoring == ScoringMethod.DEDUCTION:
        return None, max(Decimal(0), line.start - line.points * actual).quantize(CENT)
    target = line.target
    if kpi.direction == Direction.LOWER:
        completion = cap if actual == 0 else half_up(target * 100 / actual)
    else:
        completion = half_up(actual * 100 / target) if target else cap
    if line.scoring == ScoringMethod.BANDS:
        score = next((score for low, score in line.bands if completion >= low), Decimal(0))
    elif line.scoring == ScoringMethod.THRESHOLD and completion < line.threshold:
        score = Decimal(0)
    else:
        score = max(Decimal(0), min(completion, cap))
    return completion, score.quantize(CENT)


def weighted_total(lines: list[tuple[int, Decimal | None]]) -> Decimal:
    """Σ weight × score / Σ weight over the KPIs that could be measured (a KPI with nothing to measure in the
    period does not count for or against anyone); 0 when none could."""
    measured = [(w, s) for w, s in lines if s is not None]
    weights = sum(w for w, _s in measured)
    if not weights:
        return Decimal("0.00")
    return half_up(sum((Decimal(w) * s for w, s in measured), Decimal(0)) / weights, CENT)


def _contribute(item: AssessmentItem) -> AssessmentItem:
    item.contribution = None if item.score is None else half_up(item.score * item.weight / 100, CENT)
    return item


def _total(card: Assessment, items: list[AssessmentItem], rules: Rules) -> None:
    card.computed_total = weighted_total([(item.weight, item.score) for item in items])
    card.total = max(Decimal("0.00"), card.computed_total + card.adjustment)
    card.grade = rules.grade_for(card.total)
    card.grade_capped = False


def _retotal(card: Assessment, rules: Rules) -> None:
    """After a hand score changed: every line's contribution and the card's total and grade again."""
    items = [_contribute(item) for item in card.items.all()]
    AssessmentItem.objects.bulk_update(items, ["contribution"])
    _total(card, items, rules)


def _card_items(
    span: Span,
    scheme: AssessmentScheme,
    subject: Subject,
    kpis: dict[str, Kpi],
    department_totals: dict[int, Decimal],
    hand: dict[str, Decimal | None],
) -> list[AssessmentItem]:
    """The lines of one scorecard (not yet saved): computed KPIs measured, hand-scored ones as the manager left
    them."""
    items = []
    for position, line in enumerate(scheme.lines):
        kpi = kpis[line.kpi]
        if kpi.method == KpiMethod.MANUAL:
            score = hand.get(line.kpi)
            item = AssessmentItem(
                kpi=kpi,
                weight=line.weight,
                target=line.target,
                actual=score,
                completion=None if score is None else half_up(score),
                score=score,
                basis=_("scored by the manager"),
                position=position,
            )
        else:
            if line.kpi == KpiCode.DEPARTMENT_SCORE:
                total = department_totals.get(subject.department.pk)
                result = Measure(total, _("the score of %(department)s") % {"department": subject.department.name})
            else:
                result = measure(line.kpi, subject, span)
            completion, score = score_line(kpi, line, result.actual)
            item = AssessmentItem(
                kpi=kpi,
                weight=line.weight,
                target=line.target,
                actual=result.actual,
                completion=completion,
                score=score,
                basis=result.basis[:200],
                sources=result.sources,
                position=position,
            )
        items.append(_contribute(item))
    return items


def _card_key(subject_kind: str, owner_id: int | None, unit_id: int | None) -> tuple[str, int | None]:
    return subject_kind, owner_id if subject_kind == SubjectKind.PERSON else unit_id


_CARD_FIELDS = [
    "owner_unit",
    "department_kind",
    "level",
    "computed_total",
    "total",
    "grade",
    "grade_capped",
    "updated_at",
]


def _compute_chunk(
    cycle: AssessmentCycle,
    span: Span,
    chunk: list[tuple[Subject, str, str]],
    existing: dict[tuple[str, int | None], Assessment],
    hand_scores: dict[int, dict[str, Any]],
    kpis: dict[str, Kpi],
    department_totals: dict[int, Decimal],
    rules: Rules,
    actor: Any,
) -> None:
    """Compute the scorecards of a slice of the subjects in memory (the metrics read once per span, see
    ``selectors.metrics``), then write them in bulk: new cards, changed cards, their history, their lines."""
    new: list[Assessment] = []
    old: list[Assessment] = []
    lines: list[Any] = []
    for subject, kind, level in chunk:
        scheme = rules.assessment.scheme(kind, level)
        if scheme is None:
            continue
        if subject.user is not None:  # a person
            card = existing.get((SubjectKind.PERSON, subject.user.pk)) or Assessment(
                cycle=cycle, owner=subject.user, subject_kind=SubjectKind.PERSON
            )
        else:
            card = existing.get((SubjectKind.DEPARTMENT, subject.department.pk)) or Assessment(
                cycle=cycle, owner_unit=subject.department, subject_kind=SubjectKind.DEPARTMENT
            )
        card.owner_unit = subject.department
        card.department_kind, card.level = kind, level
        items = _card_items(
            span, scheme, subject, kpis, department_totals, hand_scores.get(card.pk, {}) if card.pk else {}
        )
        _total(card, items, rules)
        if not subject.is_person:
            department_totals[subject.department.pk] = card.total
        (old if card.pk else new).append(card)
        lines.append((card, items))
    now = timezone.now()
    for card in old:
        card.updated_at = now
    Assessment.objects.bulk_create(new)
    if old:
        Assessment.objects.bulk_update(old, _CARD_FIELDS)
        AssessmentItem.objects.filter(assessment__in=[c.pk for c in old]).delete()
    for cards, update in ((new, False), (old, True)):
        if cards:
            Assessment.history.bulk_history_create(cards, update=update, default_user=actor)
    for card, items in lines:
        for item in items:
            item.assessment = card
    AssessmentItem.objects.bulk_create([item for _card, items in lines for item in items])


def _rank(cycle: AssessmentCycle) -> None:
    """Rank people within their department and the company by score (equal scores share a rank)."""
    people = list(Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).order_by("-total", "pk"))

    def ranks(cards: list[Assessment]) -> dict[int, int]:
        result, previous, rank = {}, None, 0
        for position, card in enumerate(cards, start=1):
            if card.total != previous:
                rank, previous = position, card.total
            result[card.pk] = rank
        return result

    company = ranks(people)
    by_unit: dict[int, list[Assessment]] = defaultdict(list)
    for card in people:
        by_unit[card.owner_unit_id].append(card)
    unit = {pk: r for cards in by_unit.values() for pk, r in ranks(cards).items()}
    changed = []
    for card in people:
        if (card.rank_in_company, card.rank_in_department) != (company[card.pk], unit[card.pk]):
            card.rank_in_company, card.rank_in_department = company[card.pk], unit[card.pk]
            changed.append(card)
    Assessment.objects.bulk_update(changed, ["rank_in_company", "rank_in_department"], batch_size=200)


def cycle_compute(
    *, actor: Any, cycle: AssessmentCycle, progress: Callable[[int], None] | None = None
) -> AssessmentCycle:
    """Compute every scorecard of the cycle from the records, department scorecards first (a manager's scorecard
    may count the department's score). Progress is saved as it goes, so the page can show it; hand scores and
    adjustments a manager already entered are kept. The cycle keeps the policy version it was computed with."""
    _require(actor, Perm.COMPUTE_CYCLE)
    with transaction.atomic():
        cycle = AssessmentCycle.objects.select_for_update().get(pk=cycle.pk)
        _move_cycle(cycle, CycleStatus.COMPUTING)
        if cycle.rules_version_id is None:
            cycle.rules_version_id = rules_in_force().version_id
        cycle.progress = 0
        _save(cycle, actor, ["status", "rules_version", "progress"])
    rules = cycle_rules(cycle)
    span = Span(cycle.period_key, cycle.start, cycle.end)
    kpis = {k.code: k for k in Kpi.objects.all()}
    if set(KpiCode.values) - set(kpis):  # a library row missing (a flushed table, a code added since): restore it
        sync_kpi_library(Kpi)
        kpis = {k.code: k for k in Kpi.objects.all()}
    subjects = _subjects()
    department_totals: dict[int, Decimal] = {}
    existing = {
        _card_key(c.subject_kind, c.owner_id, c.owner_unit_id): c for c in Assessment.objects.filter(cycle=cycle)
    }
    hand_scores: dict[int, dict[str, Any]] = defaultdict(dict)
    for card_id, code, score in AssessmentItem.objects.filter(assessment__cycle=cycle).values_list(
        "assessment_id", "kpi__code", "score"
    ):
        hand_scores[card_id][code] = score
    try:
        for begin in range(0, len(subjects), COMPUTE_CHUNK):
            with transaction.atomic():
                _compute_chunk(
                    cycle,
                    span,
                    subjects[begin : begin + COMPUTE_CHUNK],
                    existing,
                    hand_scores,
                    kpis,
                    department_totals,
                    rules,
                    actor,
                )
            percent = min(len(subjects), begin + COMPUTE_CHUNK) * 100 // len(subjects)
            if percent != cycle.progress:
                cycle.progress = percent
                AssessmentCycle.objects.filter(pk=cycle.pk).update(progress=percent)
                if progress:
                    progress(percent)
        _rank(cycle)
    except Exception:
        AssessmentCycle.objects.filter(pk=cycle.pk).update(status=CycleStatus.OPEN)
        raise
    with transaction.atomic():
        cycle.status, cycle.progress, cycle.computed_at = CycleStatus.COMPUTED, 100, timezone.now()
        _save(cycle, actor, ["status", "progress", "computed_at"])
    return cycle


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


#
# Violations
#


@transaction.atomic
def violation_report(
    *, actor: Any, person: Any, article: int, happened_on: dt.date, description: str, evidence: Any = None
) -> Violation:
    """A manager records a breach of the policy by someone in their scope."""
    _require(actor, Perm.ADD_VIOLATION)
    version = PolicyVersion.objects.filter(pk=rules_in_force().version_id).first()
    if version is not None and not version.articles.filter(number=article).exists():
        raise ValidationError({"article": ARTICLE_UNKNOWN % {"article": article}})
    employee = Employee.objects.select_related("department").filter(user=person, is_active=True).first()
    if employee is None:
        raise ValidationError({"person": _("Choose an employee in service.")})
    violation = Violation(
        owner=person,
        owner_unit=employee.department,
        article=article,
        happened_on=happened_on,
        description=description.strip(),
        reported_by=actor,
        created_by=actor,
    )
    if evidence:
        violation.evidence = evidence
    violation.full_clean()
    if not users_assignable(actor, "performance").filter(pk=person.pk).exists():
        raise ValidationError({"person": _("You can only report on people within your scope.")})
    _save(violation, actor)
    return violation


@transaction.atomic
def violation_decide(*, actor: Any, violation: Violation, confirm: bool, decision: str, action: str = "") -> Violation:
    """Senior management confirms or dismisses; a confirmed violation may propose a penalty whatever the score."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _move(
        actor,
        violation,
        ViolationStatus.CONFIRMED if confirm else ViolationStatus.DISMISSED,
        VIOLATION_DECIDED,
        NOT_DECIDER,
    )
    if not decision.strip():
        raise ValidationError({"decision": DECISION_NEEDS_TEXT})
    violation.decision, violation.decided_by, violation.decided_at = decision.strip(), actor, timezone.now()
    _save(violation, actor)
    if confirm and action:
        proposal = RewardPenalty(
            action=action,
            is_reward=False,
            person=violation.owner,
            department=violation.owner_unit,
            violation=violation,
            reason=_("Violation of article %(article)s on %(day)s")
            % {"article": violation.article, "day": violation.happened_on},
        )
        proposal.full_clean()
        _save(proposal, actor)
    return violation


@transaction.atomic
def violation_appeal(*, actor: Any, violation: Violation, reason: str) -> Violation:
    """申诉 of a confirmed violation: by the person concerned, once; senior management or the leadership group is
    asked to decide."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    if violation.owner_id != actor.pk:
        _deny(NOT_OWN_VIOLATION)
    if violation.appealed_at is not None:
        raise ValidationError(VIOLATION_ALREADY_APPEALED)
    if not reason.strip():
        raise ValidationError({"reason": APPEAL_NEEDS_REASON})
    _move(
        actor,
        violation,
        ViolationStatus.APPEALED,
        VIOLATION_MOVE_NOT_ALLOWED
        % {"current": violation.get_status_display(), "target": ViolationStatus.APPEALED.label},
        NOT_OWN_VIOLATION,
    )
    violation.appeal_reason, violation.appealed_at = reason.strip(), timezone.now()
    _save(violation, actor)
    from apps.org.models import User

    deciders = [
        u
        for u in User.objects.filter(is_active=True, employee__is_active=True).distinct()
        if u.pk != violation.owner_id and u.has_perm(str(Perm.DECIDE_APPEAL))
    ]
    notify(
        recipients=deciders,
        title=_("%(person)s appeals a violation of article %(article)s")
        % {"person": violation.owner, "article": violation.article},
        url=reverse("performance:violation_detail", args=[violation.pk]),
    )
    return violation


@transaction.atomic
def violation_appeal_decide(*, actor: Any, violation: Violation, upheld: bool, decision: str) -> Violation:
    """Senior management or the leadership group decides the appeal of a violation: upheld, the violation is
    overturned and its penalty proposals still open are rejected; else it stands. The person sees the decision."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _move(
        actor,
        violation,
        ViolationStatus.OVERTURNED if upheld else ViolationStatus.UPHELD_ON_APPEAL,
        APPEAL_DECIDED,
        NOT_DECIDER,
    )
    if not decision.strip():
        raise ValidationError({"decision": DECISION_NEEDS_TEXT})
    violation.appeal_decision = decision.strip()
    violation.appeal_decided_by, violation.appeal_decided_at = actor, timezone.now()
    _save(violation, actor)
    if upheld:
        for proposal in RewardPenalty.objects.select_for_update().filter(
            violation=violation, status=ProposalStatus.PROPOSED
        ):
            proposal.status = ProposalStatus.REJECTED
            proposal.decision_note = str(_("The violation was overturned on appeal."))
            proposal.decided_by, proposal.decided_at = actor, timezone.now()
            _save(proposal, actor)
    notify(
        recipients=[violation.owner],
        title=_("Your appeal of a violation was decided: %(outcome)s") % {"outcome": violation.get_status_display()},
        body=violation.appeal_decision,
        url=reverse("performance:violation_detail", args=[violation.pk]),
    )
    return violation
