"""The tunable rules of a policy version, as validated structured data.

The policy leaves some numbers to the company (KPI weights and grade bands, service deadlines, contact cadence,
public-pool recycling, approval thresholds, evaluation frequencies). Each policy version stores them as JSON;
``parse_rules`` turns that JSON into frozen dataclasses and reports *every* problem at once, and
``Rules.to_json`` turns them back. Anything the JSON leaves out is taken from a base (the defaults below).
The rest of the system reads the rules in force through ``apps.policy.selectors.rules_in_force``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import (
    AssessedKind,
    AssessmentLevel,
    CustomerLevel,
    EvaluationKind,
    Frequency,
    Grade,
    KpiCode,
    KpiItem,
    RewardPenaltyAction,
    ScoringMethod,
    TicketPriority,
    TicketType,
)

SCHEMA_VERSION = 1

NOT_A_MAPPING = _("%(rule)s must be a set of named values.")
UNKNOWN_KEY = _("%(rule)s: “%(key)s” is not a known rule.")
UNSUPPORTED_SCHEMA = _("These rules are written in format %(value)s, which this system cannot read.")
NOT_A_WHOLE_NUMBER = _("%(rule)s must be a whole number; it is “%(value)s”.")
NOT_A_NUMBER = _("%(rule)s must be a number with at most %(places)s decimal places; it is “%(value)s”.")
TOO_SMALL = _("%(rule)s must be at least %(min)s; it is %(value)s.")
TOO_LARGE = _("%(rule)s must be at most %(max)s; it is %(value)s.")
NOT_A_CHOICE = _("%(rule)s must be one of %(choices)s; it is “%(value)s”.")
KPI_WEIGHTS_TOTAL = _("The KPI weights must add up to 100%%; they add up to %(total)s%%.")
GRADES_NOT_DESCENDING = _(
    "The minimum score of “%(grade)s” (%(score)s) must be lower than that of “%(better)s” (%(better_score)s)."
)
LOWEST_GRADE_NOT_ZERO = _(
    "The minimum score of “%(grade)s” must be 0, so that every score gets a grade; it is %(score)s."
)
RESOLUTION_BEFORE_RESPONSE = _(
    "%(rule)s: the resolution deadline (%(resolution)s h) cannot be shorter than the first-response deadline "
    "(%(response)s h)."
)
WARNING_AFTER_RECYCLE = _(
    "The warning before recycling (%(warning)s days) must be shorter than the shortest recycle period "
    "(%(shortest)s days)."
)

RULES_LABEL = _("The rules")
KPI_WEIGHTS_LABEL = _("KPI weights")
GRADE_BANDS_LABEL = _("Grade bands")
DEADLINES_LABEL = _("Service deadlines")
CADENCE_LABEL = _("Contact cadence")
ESCALATION_LABEL = _("Warnings and escalation")
POOL_LABEL = _("Public pool")
APPROVAL_LABEL = _("Approval thresholds")
FREQUENCIES_LABEL = _("Evaluation frequencies")
ASSESSMENT_LABEL = _("Assessment schemes")
SCHEME_WEIGHTS_TOTAL = _("%(scheme)s: the KPI weights must add up to 100%%; they add up to %(total)s%%.")
SCHEME_EMPTY = _("%(scheme)s must list at least one KPI.")
SCORING_BANDS_EMPTY = _("%(rule)s: scoring by bands needs at least one band of [minimum completion %%, score].")
SCORING_BAND_SHAPE = _("%(rule)s: each band is a pair [minimum completion %%, score]; “%(value)s” is not.")
SCORING_BANDS_NOT_DESCENDING = _(
    "%(rule)s: the bands must go from the highest completion down, each with a lower minimum and no higher score "
    "than the one before; [%(low)s, %(score)s] follows [%(prev_low)s, %(prev_score)s]."
)
SCORING_KEY_UNUSED = _("%(rule)s: “%(key)s” is only used with scoring by %(method)s.")


#
# The rules
#


@dataclass(frozen=True)
class KpiWeights:
    """Weights (%) of the art. 11 indicators in an assessment; they add up to 100."""

    market_development: int = 30
    sales_target: int = 50
    customer_satisfaction: int = 20

    @property
    def total(self) -> int:
        return sum(self.weight(item) for item in KpiItem.values)

    def weight(self, item: str) -> int:
        return getattr(self, KpiItem(item).value)


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_score: int


@dataclass(frozen=True)
class ServiceDeadline:
    """First-response and resolution deadlines of one ticket type and priority, in working hours."""

    ticket_type: str
    priority: str
    first_response_hours: int
    resolution_hours: int


@dataclass(frozen=True)
class ContactCadence:
    """Contact a customer of this level at least every ``days`` days (art. 10, relationship maintenance)."""

    level: str
    days: int


@dataclass(frozen=True)
class ServiceEscalation:
    """When the service clock warns and escalates (arts. 6, 10: complaints handled promptly, reported upwards).

    A ticket warns its assignee once ``warning_percent`` of a deadline's working time has passed; a breached deadline
    escalates to the department manager, and a complaint still open ``senior_after_hours`` working hours later to
    senior management. Feedback routed to a department must be acknowledged within ``feedback_acknowledge_hours``.
    """

    warning_percent: int = 75
    senior_after_hours: int = 8
    feedback_acknowledge_hours: int = 8


@dataclass(frozen=True)
class RecycleRule:
    """Return a customer of this level to the public pool after so many days; 0 switches the rule off."""

    level: str
    days_without_follow_up: int
    days_without_deal: int


@dataclass(frozen=True)
class PublicPoolRules:
    recycle: tuple[RecycleRule, ...]
    warning_days: int = 3
    claims_per_day: int = 10  # 0: no daily cap
    previous_owner_block_days: int = 30  # 0: the previous owner may claim it back at once


@dataclass(frozen=True)
class ApprovalThresholds:
    """A discount above ``discount_percent`` or a contract above ``contract_amount`` (CNY) needs approval."""

    discount_percent: Decimal = Decimal("10.00")
    contract_amount: Decimal = Decimal("500000.00")


@dataclass(frozen=True)
class EvaluationFrequencies:
    market_development_evaluation: str = Frequency.MONTHLY.value
    sales_target_evaluation: str = Frequency.MONTHLY.value
    satisfaction_survey: str = Frequency.QUARTERLY.value
    performance_assessment: str = Frequency.QUARTERLY.value

    def of(self, kind: str) -> str:
        return str(getattr(self, EvaluationKind(kind).value))


@dataclass(frozen=True)
class SchemeLine:
    """One KPI of an assessment scheme: its weight (%), the target a score of 100 stands for, and how the line is
    scored (``scoring``):

    - ``linear`` — the completion of the target, capped at the KPI's cap (the default);
    - ``bands`` — ``bands`` lists (minimum completion %, score) best first; the first band the completion reaches
      gives the score, none gives 0;
    - ``threshold`` — below ``threshold`` % completion the score is 0, from it on linear and capped;
    - ``deduction`` — the actual counts occurrences (of late tickets, complaints, breaches …): the score is
      ``start`` minus ``points`` per occurrence, never below 0.
    """

    kpi: str
    weight: int
    target: Decimal
    scoring: str = ScoringMethod.LINEAR.value
    bands: tuple[tuple[Decimal, Decimal], ...] = ()
    threshold: Decimal = Decimal("0")
    points: Decimal = Decimal("0")
    start: Decimal = Decimal("100")

    def to_json(self) -> dict[str, Any]:
        """The line as JSON; a linear line keeps the two keys it always had."""
        data: dict[str, Any] = {"weight": self.weight, "target": str(self.target)}
        if self.scoring == ScoringMethod.BANDS:
            data.update(scoring=self.scoring, bands=[[str(low), str(score)] for low, score in self.bands])
        elif self.scoring == ScoringMethod.THRESHOLD:
            data.update(scoring=self.scoring, threshold=str(self.threshold))
        elif self.scoring == ScoringMethod.DEDUCTION:
            data.update(scoring=self.scoring, points=str(self.points), start=str(self.start))
        return data


@dataclass(frozen=True)
class AssessmentScheme:
    """The KPIs, weights and targets by which one kind of department assesses one level (art. 11)."""

    kind: str
    level: str
    lines: tuple[SchemeLine, ...]

    @property
    def total_weight(self) -> int:
        return sum(line.weight for line in self.lines)


@dataclass(frozen=True)
class AssessmentRules:
    """Schemes per department kind and level, the forced distribution, the limit of a manager's adjustment and the
    action each grade proposes (arts. 11–13). ``excellent_max_percent`` 0 switches the forced distribution off."""

    schemes: tuple[AssessmentScheme, ...]
    excellent_max_percent: int = 20
    adjustment_limit: int = 10
    proposals: tuple[tuple[str, str], ...] = (
        (Grade.EXCELLENT.value, RewardPenaltyAction.COMMENDATION.value),
        (Grade.FAIL.value, RewardPenaltyAction.IMPROVEMENT_PLAN.value),
    )

    def scheme(self, kind: str, level: str) -> AssessmentScheme | None:
        return next((s for s in self.schemes if s.kind == kind and s.level == level), None)

    def proposal_for(self, grade: str) -> str:
        return dict(self.proposals).get(grade, "")


def _scheme(kind: str, level: str, *lines: tuple[str, int, str]) -> AssessmentScheme:
    return AssessmentScheme(kind, level, tuple(SchemeLine(k, w, Decimal(t)) for k, w, t in lines))


_K, _A, _L = KpiCode, AssessedKind, AssessmentLevel
# A manager is measured the same way in every area: the department's score, their improvement actions, their rating.
_MANAGER_KPIS = (
    (_K.DEPARTMENT_SCORE, 60, "100"),
    (_K.IMPROVEMENTS_ON_TIME, 20, "100"),
    (_K.MANAGER_RATING, 20, "100"),
)
DEFAULT_SCHEMES = (
    _scheme(
        _A.MARKET_DEVELOPMENT,
        _L.STAFF,
        (_K.LEADS_HANDED_OVER, 40, "15"),
        (_K.VISITS_DONE, 30, "10"),
        (_K.IMPROVEMENTS_ON_TIME, 10, "100"),
        (_K.MANAGER_RATING, 20, "100"),
    ),
    _scheme(
        _A.MARKET_DEVELOPMENT,
        _L.MANAGER,
        *_MANAGER_KPIS,
    ),
    _scheme(
        _A.MARKET_DEVELOPMENT,
        _L.DEPARTMENT,
        (_K.LEADS_HANDED_OVER, 40, "60"),
        (_K.VISITS_DONE, 30, "40"),
        (_K.IMPROVEMENTS_ON_TIME, 30, "100"),
    ),
    _scheme(
        _A.SALES,
        _L.STAFF,
        (_K.CONTRACT_AMOUNT_COMPLETION, 45, "100"),
        (_K.PAYMENT_COMPLETION, 25, "100"),
        (_K.NEW_CUSTOMERS, 10, "2"),
        (_K.SALES_PLAN_ACTIONS_ON_TIME, 10, "100"),
        (_K.MANAGER_RATING, 10, "100"),
    ),
    _scheme(
        _A.SALES,
        _L.MANAGER,
        *_MANAGER_KPIS,
    ),
    _scheme(
        _A.SALES,
        _L.DEPARTMENT,
        (_K.CONTRACT_AMOUNT_COMPLETION, 45, "100"),
        (_K.PAYMENT_COMPLETION, 25, "100"),
        (_K.NEW_CUSTOMERS, 10, "6"),
        (_K.SALES_PLAN_ACTIONS_ON_TIME, 10, "100"),
        (_K.IMPROVEMENTS_ON_TIME, 10, "100"),
    ),
    _scheme(
        _A.CUSTOMER_SERVICE,
        _L.STAFF,
        (_K.FIRST_RESPONSE_ON_TIME, 30, "95"),
        (_K.RESOLUTION_ON_TIME, 30, "90"),
        (_K.CSAT, 20, "4.5"),
        (_K.MANAGER_RATING, 20, "100"),
    ),
    _scheme(
        _A.CUSTOMER_SERVICE,
        _L.MANAGER,
        *_MANAGER_KPIS,
    ),
    _scheme(
        _A.CUSTOMER_SERVICE,
        _L.DEPARTMENT,
        (_K.FIRST_RESPONSE_ON_TIME, 25, "95"),
        (_K.RESOLUTION_ON_TIME, 25, "90"),
        (_K.COMPLAINT_RESOLUTION, 20, "95"),
        (_K.CSAT, 30, "4.5"),
    ),
)


# (first response, resolution) in working hours; complaints and repairs are answered fastest.
_DEFAULT_DEADLINE_HOURS = {
    TicketType.COMPLAINT: {"urgent": (1, 8), "high": (2, 16), "medium": (4, 24), "low": (8, 40)},
    TicketType.REPAIR: {"urgent": (2, 8), "high": (4, 16), "medium": (8, 32), "low": (16, 40)},
    TicketType.CONSULTATION: {"urgent": (1, 4), "high": (2, 8), "medium": (4, 16), "low": (8, 24)},
    TicketType.SUGGESTION: {"urgent": (4, 24), "high": (8, 40), "medium": (16, 80), "low": (24, 120)},
}
DEFAULT_SERVICE_DEADLINES = tuple(
    ServiceDeadline(str(t), str(p), *_DEFAULT_DEADLINE_HOURS[t][str(p)]) for t in TicketType for p in TicketPriority
)
DEFAULT_GRADE_BANDS = (
    GradeBand(Grade.EXCELLENT.value, 90),
    GradeBand(Grade.GOOD.value, 80),
    GradeBand(Grade.PASS.value, 60),
    GradeBand(Grade.NEEDS_IMPROVEMENT.value, 50),
    GradeBand(Grade.FAIL.value, 0),
)
DEFAULT_CONTACT_CADENCE = (ContactCadence("A", 7), ContactCadence("B", 15), ContactCadence("C", 30))
# Key customers neglected for a shorter time go back to the pool sooner (CONVENTIONS-CN §1 row 8).
DEFAULT_RECYCLE_RULES = (RecycleRule("A", 15, 60), RecycleRule("B", 30, 90), RecycleRule("C", 60, 180))


@dataclass(frozen=True)
class Rules:
    """All tunable rules of one policy version; the defaults are the company's starting point."""

    kpi_weights: KpiWeights = field(default_factory=KpiWeights)
    grade_bands: tuple[GradeBand, ...] = DEFAULT_GRADE_BANDS
    service_deadlines: tuple[ServiceDeadline, ...] = DEFAULT_SERVICE_DEADLINES
    contact_cadence: tuple[ContactCadence, ...] = DEFAULT_CONTACT_CADENCE
    service_escalation: ServiceEscalation = field(default_factory=ServiceEscalation)
    public_pool: PublicPoolRules = field(default_factory=lambda: PublicPoolRules(recycle=DEFAULT_RECYCLE_RULES))
    approval_thresholds: ApprovalThresholds = field(default_factory=ApprovalThresholds)
    evaluation_frequencies: EvaluationFrequencies = field(default_factory=EvaluationFrequencies)
    assessment: AssessmentRules = field(default_factory=lambda: AssessmentRules(schemes=DEFAULT_SCHEMES))

    def grade_for(self, score: Decimal | int | float) -> str:
        """Return the grade of an assessment score: the best grade whose minimum the score reaches."""
        for band in self.grade_bands:
            if Decimal(str(score)) >= band.min_score:
                return band.grade
        return self.grade_bands[-1].grade

    def deadline(self, ticket_type: str, priority: str) -> ServiceDeadline:
        return next(d for d in self.service_deadlines if d.ticket_type == ticket_type and d.priority == priority)

    def contact_cadence_days(self, level: str) -> int:
        return next(c.days for c in self.contact_cadence if c.level == level)

    def recycle_rule(self, level: str) -> RecycleRule:
        return next(r for r in self.public_pool.recycle if r.level == level)

    def needs_discount_approval(self, discount_percent: Decimal) -> bool:
        return discount_percent > self.approval_thresholds.discount_percent

    def needs_contract_approval(self, amount: Decimal) -> bool:
        return amount > self.approval_thresholds.contract_amount

    def to_json(self) -> dict[str, Any]:
        """Return the rules as JSON-ready data (amounts as strings, so no precision is lost)."""
        pool = self.public_pool
        return {
            "schema": SCHEMA_VERSION,
            "kpi_weights": {item: self.kpi_weights.weight(item) for item in KpiItem.values},
            "grade_bands": {band.grade: band.min_score for band in self.grade_bands},
            "service_deadlines": {
                t: {
                    d.priority: {"first_response_hours": d.first_response_hours, "resolution_hours": d.resolution_hours}
                    for d in self.service_deadlines
                    if d.ticket_type == t
                }
                for t in TicketType.values
            },
            "contact_cadence_days": {c.level: c.days for c in self.contact_cadence},
            "service_escalation": {
                "warning_percent": self.service_escalation.warning_percent,
                "senior_after_hours": self.service_escalation.senior_after_hours,
                "feedback_acknowledge_hours": self.service_escalation.feedback_acknowledge_hours,
            },
            "public_pool": {
                "recycle": {
                    r.level: {
                        "days_without_follow_up": r.days_without_follow_up,
                        "days_without_deal": r.days_without_deal,
                    }
                    for r in pool.recycle
                },
                "warning_days": pool.warning_days,
                "claims_per_day": pool.claims_per_day,
                "previous_owner_block_days": pool.previous_owner_block_days,
            },
            "approval_thresholds": {
                "discount_percent": str(self.approval_thresholds.discount_percent),
                "contract_amount": str(self.approval_thresholds.contract_amount),
            },
            "evaluation_frequencies": {k: self.evaluation_frequencies.of(k) for k in EvaluationKind.values},
            "assessment": {
                "schemes": {
                    kind: {
                        s.level: {line.kpi: line.to_json() for line in s.lines}
                        for s in self.assessment.schemes
                        if s.kind == kind
                    }
                    for kind in AssessedKind.values
                },
                "excellent_max_percent": self.assessment.excellent_max_percent,
                "adjustment_limit": self.assessment.adjustment_limit,
                "proposals": dict(self.assessment.proposals),
            },
        }


DEFAULT_RULES = Rules()


#
# Parsing and validation
#


class _Reader:
    """Reads one section of the rules, collecting every problem instead of stopping at the first."""

    def __init__(self, problems: dict[str, list[ValidationError]], section: str) -> None:
        self.problems = problems
        self.section = section

    @property
    def count(self) -> int:
        return len(self.problems.get(self.section, []))

    def add(self, message: Any, code: str, **params: Any) -> None:
        self.problems.setdefault(self.section, []).append(ValidationError(message, code=code, params=params))

    def mapping(self, value: Any, label: Any, allowed: Iterable[str]) -> Mapping[str, Any]:
        """Return ``value`` as a mapping of known keys; anything else is a problem and reads as empty."""
        if not isinstance(value, Mapping):
            self.add(NOT_A_MAPPING, "not_a_mapping", rule=label)
            return {}
        allowed = set(allowed)
        for key in value:
            if key not in allowed:
                self.add(UNKNOWN_KEY, "unknown_key", rule=label, key=key)
        return value

    def whole(self, value: Any, label: Any, *, default: int, minimum: int = 0, maximum: int | None = None) -> int:
        """Return ``value`` as a whole number within the bounds, or ``default`` after noting the problem."""
        number = _as_decimal(value)
        if number is None or number != number.to_integral_value():
            self.add(NOT_A_WHOLE_NUMBER, "not_a_whole_number", rule=label, value=value)
            return default
        return int(number) if self._in_bounds(number, label, minimum, maximum) else default

    def decimal(
        self, value: Any, label: Any, *, default: Decimal, minimum: int = 0, maximum: int | None = None, places: int = 2
    ) -> Decimal:
        """Return ``value`` as a Decimal with at most ``places`` decimals within the bounds, or ``default``."""
        number = _as_decimal(value)
        if number is None or -number.as_tuple().exponent > places:  # type: ignore[operator]
            self.add(NOT_A_NUMBER, "not_a_number", rule=label, value=value, places=places)
            return default
        return (
            number.quantize(Decimal(1).scaleb(-places)) if self._in_bounds(number, label, minimum, maximum) else default
        )

    def choice(self, value: Any, label: Any, choices: type[Any], *, default: str) -> str:
        if value not in choices.values:
            # Lazy, so the choice labels render in the language the message is read in.
            names = format_lazy(", ".join(["{}"] * len(choices.labels)), *choices.labels)
            self.add(NOT_A_CHOICE, "not_a_choice", rule=label, value=value, choices=names)
            return default
        return str(value)

    def _in_bounds(self, number: Decimal, label: Any, minimum: int, maximum: int | None) -> bool:
        if number < minimum:
            self.add(TOO_SMALL, "too_small", rule=label, min=minimum, value=number)
            return False
        if maximum is not None and number > maximum:
            self.add(TOO_LARGE, "too_large", rule=label, max=maximum, value=number)
            return False
        return True


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _label(*parts: Any) -> Any:
    return format_lazy("{} · " * (len(parts) - 1) + "{}", *parts)


def _parse_kpi_weights(read: _Reader, data: Any, base: KpiWeights) -> KpiWeights:
    """KPI weights are whole percentages that add up to exactly 100."""
    raw = read.mapping(data, KPI_WEIGHTS_LABEL, KpiItem.values)
    before = read.count
    weights = KpiWeights(
        **{
            item.value: read.whole(
                raw.get(item.value, base.weight(item)),
                _label(KPI_WEIGHTS_LABEL, item.label),
                default=base.weight(item),
                maximum=100,
            )
            for item in KpiItem
        }
    )
    if read.count == before and weights.total != 100:
        read.add(KPI_WEIGHTS_TOTAL, "kpi_weights_total", total=weights.total)
    return weights


def _parse_grade_bands(read: _Reader, data: Any, base: tuple[GradeBand, ...]) -> tuple[GradeBand, ...]:
    """Every grade has a minimum score 0–100; better grades need strictly higher scores (待改进 may equal 合格: an
    empty band); the lowest starts at 0.

    Versions written before the fifth grade (待改进) list four bands. When the JSON does not name it, the band is
    the base's if that lies between the version's own 合格 and 不合格 minimums; else it is empty (its minimum that of
    合格, so no score falls in it) — a stored version stays valid and its other bands keep their meaning."""
    raw = read.mapping(data, GRADE_BANDS_LABEL, Grade.values)
    old = {band.grade: band.min_score for band in base}
    old.setdefault(Grade.NEEDS_IMPROVEMENT.value, 50)  # a base itself from before the fifth grade
    before = read.count
    given = dict(raw)
    if Grade.NEEDS_IMPROVEMENT.value not in given:
        low = _as_decimal(given.get(Grade.FAIL.value, old[Grade.FAIL.value]))
        high = _as_decimal(given.get(Grade.PASS.value, old[Grade.PASS.value]))
        if low is not None and high is not None and not low < old[Grade.NEEDS_IMPROVEMENT.value] < high:
            given[Grade.NEEDS_IMPROVEMENT.value] = given.get(Grade.PASS.value, old[Grade.PASS.value])
    bands = tuple(
        GradeBand(
            g.value,
            read.whole(
                given.get(g.value, old[g.value]), _label(GRADE_BANDS_LABEL, g.label), default=old[g.value], maximum=100
            ),
        )
        for g in Grade
    )
    if read.count > before:
        return bands
    for better, worse in zip(bands, bands[1:], strict=False):
        # 待改进 may be left empty: its minimum that of 合格 (no score falls in it; four-band versions read so).
        may_equal = worse.grade == Grade.NEEDS_IMPROVEMENT
        if worse.min_score > better.min_score or (worse.min_score == better.min_score and not may_equal):
            read.add(
                GRADES_NOT_DESCENDING,
                "grades_not_descending",
                grade=Grade(worse.grade).label,
                score=worse.min_score,
                better=Grade(better.grade).label,
                better_score=better.min_score,
            )
    if bands[-1].min_score != 0:
        read.add(
            LOWEST_GRADE_NOT_ZERO,
            "lowest_grade_not_zero",
            grade=Grade(bands[-1].grade).label,
            score=bands[-1].min_score,
        )
    return bands


def _parse_deadline(read: _Reader, data: Any, base: ServiceDeadline) -> ServiceDeadline:
    """Both deadlines are at least one working hour, and resolving cannot be due before the first response."""
    cell = _label(DEADLINES_LABEL, TicketType(base.ticket_type).label, TicketPriority(base.priority).label)
    raw = read.mapping(data, cell, ("first_response_hours", "resolution_hours"))
    before = read.count
    response = read.whole(
        raw.get("first_response_hours", base.first_response_hours),
        _label(cell, _("first response (working hours)")),
        default=base.first_response_hours,
        minimum=1,
    )
    resolution = read.whole(
        raw.get("resolution_hours", base.resolution_hours),
        _label(cell, _("resolution (working hours)")),
        default=base.resolution_hours,
        minimum=1,
    )
    if read.count == before and resolution < response:
        read.add(
            RESOLUTION_BEFORE_RESPONSE,
            "resolution_before_response",
            rule=cell,
            resolution=resolution,
            response=response,
        )
    return ServiceDeadline(base.ticket_type, base.priority, response, resolution)


def _parse_deadlines(read: _Reader, data: Any, base: tuple[ServiceDeadline, ...]) -> tuple[ServiceDeadline, ...]:
    raw = read.mapping(data, DEADLINES_LABEL, TicketType.values)
    result = []
    for ticket_type in TicketType:
        row = raw.get(ticket_type.value, {})
        row = read.mapping(row, _label(DEADLINES_LABEL, ticket_type.label), TicketPriority.values)
        for old in (d for d in base if d.ticket_type == ticket_type.value):
            result.append(_parse_deadline(read, row.get(old.priority, {}), old))
    return tuple(result)


def _parse_cadence(read: _Reader, data: Any, base: tuple[ContactCadence, ...]) -> tuple[ContactCadence, ...]:
    """Each customer level is contacted at least every N days, N ≥ 1."""
    raw = read.mapping(data, CADENCE_LABEL, CustomerLevel.values)
    return tuple(
        ContactCadence(
            old.level,
            read.whole(raw.get(old.level, old.days), _label(CADENCE_LABEL, old.level), default=old.days, minimum=1),
        )
        for old in base
    )


_ESCALATION_LABELS = {
    "warning_percent": _("warn after this share of the deadline (%)"),
    "senior_after_hours": _("escalate complaints to senior management after (working hours)"),
    "feedback_acknowledge_hours": _("acknowledge feedback within (working hours)"),
}


def _parse_escalation(read: _Reader, data: Any, base: ServiceEscalation) -> ServiceEscalation:
    """The warning comes at 1–99 % of a deadline; the hours are whole and at least 1."""
    raw = read.mapping(data, ESCALATION_LABEL, _ESCALATION_LABELS)
    return ServiceEscalation(
        **{
            key: read.whole(
                raw.get(key, getattr(base, key)),
                _label(ESCALATION_LABEL, label),
                default=getattr(base, key),
                minimum=1,
                **({"maximum": 99} if key == "warning_percent" else {}),
            )
            for key, label in _ESCALATION_LABELS.items()
        }
    )


def _parse_recycle(read: _Reader, data: Any, base: tuple[RecycleRule, ...]) -> tuple[RecycleRule, ...]:
    label = _label(POOL_LABEL, _("recycle days"))
    raw = read.mapping(data, label, CustomerLevel.values)
    rules = []
    for old in base:
        level_label = _label(label, old.level)
        row = read.mapping(raw.get(old.level, {}), level_label, ("days_without_follow_up", "days_without_deal"))
        follow_up = read.whole(
            row.get("days_without_follow_up", old.days_without_follow_up),
            _label(level_label, _("days without follow-up")),
            default=old.days_without_follow_up,
        )
        deal = read.whole(
            row.get("days_without_deal", old.days_without_deal),
            _label(level_label, _("days without a deal")),
            default=old.days_without_deal,
        )
        rules.append(RecycleRule(old.level, follow_up, deal))
    return tuple(rules)


def _parse_pool(read: _Reader, data: Any, base: PublicPoolRules) -> PublicPoolRules:
    """Recycle periods are ≥ 0 days (0 = off); the warning comes before the shortest active period."""
    keys = ("recycle", "warning_days", "claims_per_day", "previous_owner_block_days")
    raw = read.mapping(data, POOL_LABEL, keys)
    before = read.count
    pool = PublicPoolRules(
        recycle=_parse_recycle(read, raw.get("recycle", {}), base.recycle),
        **{
            key: read.whole(raw.get(key, getattr(base, key)), _label(POOL_LABEL, label), default=getattr(base, key))
            for key, label in (
                ("warning_days", _("warning days before recycling")),
                ("claims_per_day", _("claims per day")),
                ("previous_owner_block_days", _("days before the previous owner may claim again")),
            )
        },
    )
    periods = [d for r in pool.recycle for d in (r.days_without_follow_up, r.days_without_deal) if d > 0]
    if read.count == before and periods and pool.warning_days >= min(periods):
        read.add(WARNING_AFTER_RECYCLE, "warning_after_recycle", warning=pool.warning_days, shortest=min(periods))
    return pool


def _parse_approval(read: _Reader, data: Any, base: ApprovalThresholds) -> ApprovalThresholds:
    """The discount threshold is a percentage 0–100; the contract amount is CNY ≥ 0; both with 2 decimals."""
    raw = read.mapping(data, APPROVAL_LABEL, ("discount_percent", "contract_amount"))
    return ApprovalThresholds(
        discount_percent=read.decimal(
            raw.get("discount_percent", base.discount_percent),
            _label(APPROVAL_LABEL, _("discount (%)")),
            default=base.discount_percent,
            maximum=100,
        ),
        contract_amount=read.decimal(
            raw.get("contract_amount", base.contract_amount),
            _label(APPROVAL_LABEL, _("contract amount (CNY)")),
            default=base.contract_amount,
            maximum=10**15,
        ),
    )


def _parse_frequencies(read: _Reader, data: Any, base: EvaluationFrequencies) -> EvaluationFrequencies:
    raw = read.mapping(data, FREQUENCIES_LABEL, EvaluationKind.values)
    return EvaluationFrequencies(
        **{
            kind.value: read.choice(
                raw.get(kind.value, base.of(kind)),
                _label(FREQUENCIES_LABEL, kind.label),
                Frequency,
                default=base.of(kind),
            )
            for kind in EvaluationKind
        }
    )


_SCORING_KEYS = {
    "bands": ScoringMethod.BANDS,
    "threshold": ScoringMethod.THRESHOLD,
    "points": ScoringMethod.DEDUCTION,
    "start": ScoringMethod.DEDUCTION,
}


def _parse_scoring(read: _Reader, row: Mapping[str, Any], label: Any) -> dict[str, Any]:
    """The scoring of one scheme line (see ``SchemeLine``): the method and only the settings it uses."""
    method = read.choice(
        row.get("scoring", ScoringMethod.LINEAR.value),
        _label(label, _("scoring")),
        ScoringMethod,
        default=ScoringMethod.LINEAR.value,
    )
    for key, owner in _SCORING_KEYS.items():
        if key in row and method != owner:
            read.add(SCORING_KEY_UNUSED, "scoring_key_unused", rule=label, key=key, method=owner.label)
    result: dict[str, Any] = {"scoring": method}
    if method == ScoringMethod.BANDS:
        raw = row.get("bands")
        bands: list[tuple[Decimal, Decimal]] = []
        if not isinstance(raw, list | tuple) or not raw:
            read.add(SCORING_BANDS_EMPTY, "scoring_bands_empty", rule=label)
            raw = []
        for band in raw:
            if not isinstance(band, list | tuple) or len(band) != 2:
                read.add(SCORING_BAND_SHAPE, "scoring_band_shape", rule=label, value=band)
                continue
            low = read.decimal(
                band[0], _label(label, _("band minimum completion (%)")), default=Decimal("0"), maximum=10**6
            )
            score = read.decimal(band[1], _label(label, _("band score")), default=Decimal("0"), maximum=200)
            if bands and not (low < bands[-1][0] and score <= bands[-1][1]):
                read.add(
                    SCORING_BANDS_NOT_DESCENDING,
                    "scoring_bands_not_descending",
                    rule=label,
                    low=low,
                    score=score,
                    prev_low=bands[-1][0],
                    prev_score=bands[-1][1],
                )
            bands.append((low, score))
        result["bands"] = tuple(bands)
    elif method == ScoringMethod.THRESHOLD:
        result["threshold"] = read.decimal(
            row.get("threshold", "0"), _label(label, _("threshold (% completion)")), default=Decimal("0"), maximum=10**6
        )
    elif method == ScoringMethod.DEDUCTION:
        result["points"] = read.decimal(
            row.get("points", "0"),
            _label(label, _("points deducted per occurrence")),
            default=Decimal("0"),
            maximum=100,
        )
        result["start"] = read.decimal(
            row.get("start", "100"), _label(label, _("score before deductions")), default=Decimal("100"), maximum=200
        )
    return result


def _parse_scheme(
    read: _Reader, data: Any, kind: AssessedKind, level: AssessmentLevel, base: AssessmentScheme | None
) -> AssessmentScheme | None:
    """A scheme given in the JSON replaces the base one whole: KPIs may be added and dropped; weights add to 100."""
    label = _label(ASSESSMENT_LABEL, kind.label, level.label)
    raw = read.mapping(data, label, KpiCode.values)
    before = read.count
    lines = []
    for code, value in raw.items():
        kpi = KpiCode(code)
        line_label = _label(label, kpi.label)
        row = read.mapping(value, line_label, ("weight", "target", "scoring", "bands", "threshold", "points", "start"))
        lines.append(
            SchemeLine(
                code,
                read.whole(
                    row.get("weight", 0), _label(line_label, _("weight (%)")), default=0, minimum=1, maximum=100
                ),
                read.decimal(
                    row.get("target", "100"), _label(line_label, _("target")), default=Decimal("100"), maximum=10**12
                ),
                **_parse_scoring(read, row, line_label),
            )
        )
    scheme = AssessmentScheme(kind.value, level.value, tuple(lines))
    if read.count == before:
        if not lines:
            read.add(SCHEME_EMPTY, "scheme_empty", scheme=label)
        elif scheme.total_weight != 100:
            read.add(SCHEME_WEIGHTS_TOTAL, "scheme_weights_total", scheme=label, total=scheme.total_weight)
    return scheme


def _parse_assessment(read: _Reader, data: Any, base: AssessmentRules) -> AssessmentRules:
    keys = ("schemes", "excellent_max_percent", "adjustment_limit", "proposals")
    raw = read.mapping(data, ASSESSMENT_LABEL, keys)
    given = read.mapping(raw.get("schemes", {}), ASSESSMENT_LABEL, AssessedKind.values)
    schemes = []
    for kind in AssessedKind:
        levels = read.mapping(given.get(kind.value, {}), _label(ASSESSMENT_LABEL, kind.label), AssessmentLevel.values)
        for level in AssessmentLevel:
            old = base.scheme(kind.value, level.value)
            scheme = _parse_scheme(read, levels[level.value], kind, level, old) if level.value in levels else old
            if scheme is not None:
                schemes.append(scheme)
    proposals_label = _label(ASSESSMENT_LABEL, _("proposals by grade"))
    proposals_raw = read.mapping(raw.get("proposals", dict(base.proposals)), proposals_label, Grade.values)
    proposals = tuple(
        (grade, read.choice(action, _label(proposals_label, Grade(grade).label), RewardPenaltyAction, default=""))
        for grade, action in proposals_raw.items()
        if action
    )
    return AssessmentRules(
        schemes=tuple(schemes),
        excellent_max_percent=read.whole(
            raw.get("excellent_max_percent", base.excellent_max_percent),
            _label(ASSESSMENT_LABEL, _("share rated excellent at most (%)")),
            default=base.excellent_max_percent,
            maximum=100,
        ),
        adjustment_limit=read.whole(
            raw.get("adjustment_limit", base.adjustment_limit),
            _label(ASSESSMENT_LABEL, _("manager's adjustment at most (points)")),
            default=base.adjustment_limit,
            maximum=100,
        ),
        proposals=proposals,
    )


# JSON section → (attribute of Rules, parser).
_SECTIONS: dict[str, tuple[str, Callable[[_Reader, Any, Any], Any]]] = {
    "kpi_weights": ("kpi_weights", _parse_kpi_weights),
    "grade_bands": ("grade_bands", _parse_grade_bands),
    "service_deadlines": ("service_deadlines", _parse_deadlines),
    "contact_cadence_days": ("contact_cadence", _parse_cadence),
    "service_escalation": ("service_escalation", _parse_escalation),
    "public_pool": ("public_pool", _parse_pool),
    "approval_thresholds": ("approval_thresholds", _parse_approval),
    "evaluation_frequencies": ("evaluation_frequencies", _parse_frequencies),
    "assessment": ("assessment", _parse_assessment),
}


def parse_rules(data: Mapping[str, Any] | None, base: Rules = DEFAULT_RULES) -> Rules:
    """Return the rules ``data`` describes, taking whatever it leaves out from ``base``.

    Raise ``ValidationError`` (a message list per JSON section) naming every problem when anything is wrong.
    """
    problems: dict[str, list[ValidationError]] = {}
    top = _Reader(problems, NON_FIELD_ERRORS).mapping(data or {}, RULES_LABEL, [*_SECTIONS, "schema"])
    if top.get("schema", SCHEMA_VERSION) != SCHEMA_VERSION:
        _Reader(problems, NON_FIELD_ERRORS).add(UNSUPPORTED_SCHEMA, "unsupported_schema", value=top["schema"])
    values = {}
    for key, (attribute, parser) in _SECTIONS.items():
        current = getattr(base, attribute)
        values[attribute] = parser(_Reader(problems, key), top[key], current) if key in top else current
    if problems:
        raise ValidationError(problems)
    return Rules(**values)


def validate_rules(data: Any) -> None:
    """Model-field validator: the stored JSON must parse into valid rules (every problem, as one list)."""
    try:
        parse_rules(data)
    except ValidationError as exc:
        raise ValidationError([error for errors in exc.error_dict.values() for error in errors]) from exc


#
# Changes in plain words
#

_KEY_LABELS = {
    "kpi_weights": KPI_WEIGHTS_LABEL,
    "grade_bands": GRADE_BANDS_LABEL,
    "service_deadlines": DEADLINES_LABEL,
    "contact_cadence_days": CADENCE_LABEL,
    "service_escalation": ESCALATION_LABEL,
    "public_pool": POOL_LABEL,
    "approval_thresholds": APPROVAL_LABEL,
    "evaluation_frequencies": FREQUENCIES_LABEL,
    "assessment": ASSESSMENT_LABEL,
    "schemes": _("schemes"),
    "weight": _("weight (%)"),
    "target": _("target"),
    "excellent_max_percent": _("share rated excellent at most (%)"),
    "adjustment_limit": _("manager's adjustment at most (points)"),
    "proposals": _("proposals by grade"),
    "scoring": _("scoring"),
    "bands": _("score bands"),
    "threshold": _("threshold (% completion)"),
    "points": _("points deducted per occurrence"),
    "start": _("score before deductions"),
    "first_response_hours": _("first response (working hours)"),
    "resolution_hours": _("resolution (working hours)"),
    "recycle": _("recycle days"),
    "days_without_follow_up": _("days without follow-up"),
    "days_without_deal": _("days without a deal"),
    "warning_days": _("warning days before recycling"),
    "claims_per_day": _("claims per day"),
    "previous_owner_block_days": _("days before the previous owner may claim again"),
    "warning_percent": _("warn after this share of the deadline (%)"),
    "senior_after_hours": _("escalate complaints to senior management after (working hours)"),
    "feedback_acknowledge_hours": _("acknowledge feedback within (working hours)"),
    "discount_percent": _("discount (%)"),
    "contract_amount": _("contract amount (CNY)"),
}
_LABELLED_CHOICES = (
    KpiItem,
    Grade,
    TicketType,
    TicketPriority,
    CustomerLevel,
    EvaluationKind,
    Frequency,
    KpiCode,
    AssessedKind,
    AssessmentLevel,
    RewardPenaltyAction,
    ScoringMethod,
)


def _key_label(key: str) -> str:
    for choices in _LABELLED_CHOICES:
        if key in choices.values:
            return str(choices(key).label)
    return str(_KEY_LABELS.get(key, key))


def _flatten(data: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], Any]:
    flat: dict[tuple[str, ...], Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            flat.update(_flatten(value, (*prefix, key)))
        else:
            flat[(*prefix, key)] = value
    return flat


def describe_changes(old: Rules, new: Rules) -> list[tuple[str, str, str]]:
    """Return each rule that differs as (rule in words, old value, new value), in the order of the rules."""
    return [(c.label, c.old, c.new) for c in _changes(old, new, same=lambda a, b: a == b)]


def _same(a: Any, b: Any) -> bool:
    """Equal values, "4.5" and "4.50" included (stored amounts keep the precision they were written with)."""
    if a == b:
        return True
    if isinstance(a, str) and isinstance(b, str):
        x, y = _as_decimal(a), _as_decimal(b)
        return x is not None and x == y
    return False


def default_rules_json() -> dict[str, Any]:
    """The default for a new version's rules field."""
    return DEFAULT_RULES.to_json()


@dataclass(frozen=True)
class RuleChange:
    """One rule that differs between two sets of rules: its section (``kpi_weights`` …), its name in words and
    the old and new values as people read them."""

    section: str
    label: str
    old: str
    new: str


def rule_changes(old: Rules, new: Rules) -> list[RuleChange]:
    """Like ``describe_changes``, with the section each change belongs to (for the diff and impact pages)."""
    return _changes(old, new, same=_same)


NOTHING = "—"  # a rule that one side does not have (a KPI added to or dropped from a scheme, a proposal)


def _shown(value: Any) -> str:
    return NOTHING if value is None else _key_label(str(value))


def _changes(old: Rules, new: Rules, *, same: Any) -> list[RuleChange]:
    """Every rule that differs, in the order of the new rules; then those the new rules dropped (shown "—")."""
    before, after = _flatten(old.to_json()), _flatten(new.to_json())
    paths = [*after, *(path for path in before if path not in after)]
    return [
        RuleChange(path[0], " · ".join(_key_label(k) for k in path), _shown(before.get(path)), _shown(after.get(path)))
        for path in paths
        if not same(before.get(path), after.get(path))
    ]


def key_label(key: str) -> str:
    """A key of the rules' JSON in words (a choice's label, or the rule's name)."""
    return _key_label(key)


# The sections of the rules, in order, with their names (the amendment pages edit one section at a time).
SECTION_LABELS = {key: _KEY_LABELS[key] for key in _SECTIONS}
