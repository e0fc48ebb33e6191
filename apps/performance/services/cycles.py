"""Performance assessment: creating a cycle and computing its scorecards (every KPI snapshotted with the records it
came from), in chunks with progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.org.models import Department, Employee
from apps.performance.choices import (
    AssessmentStatus,
    CycleStatus,
    Direction,
    KpiMethod,
    SubjectKind,
)
from apps.performance.kpi_library import sync_kpi_library
from apps.performance.models import Assessment, AssessmentCycle, AssessmentItem, Kpi
from apps.performance.permissions import Perm
from apps.performance.selectors.measures import CENT, Measure, Span, Subject, half_up
from apps.performance.selectors.metrics import measure
from apps.performance.services.common import (
    ASSESSED_KINDS,
    BAD_PERIOD,
    COMPUTE_CHUNK,
    CYCLE_EXISTS,
    _move_cycle,
    _require,
    _save,
)
from apps.policy.choices import AssessmentLevel, KpiCode, ScoringMethod
from apps.policy.models import PolicyVersion
from apps.policy.rules import AssessmentScheme, Rules, SchemeLine, parse_rules
from apps.policy.selectors import rules_in_force

C, A = CycleStatus, AssessmentStatus


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
