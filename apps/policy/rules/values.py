"""The tunable rules of a policy version as frozen dataclasses (``Rules`` and its sections) and their defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.policy.choices import (
    AssessedKind,
    AssessmentLevel,
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
# Each area's KPIs with their (weight %, target) in the staff scheme and in the department scheme (None: not in it).
_Cell = tuple[int, str] | None
_AREA_KPIS: dict[str, tuple[tuple[str, _Cell, _Cell], ...]] = {
    _A.MARKET_DEVELOPMENT: (
        (_K.LEADS_HANDED_OVER, (40, "15"), (40, "60")),
        (_K.VISITS_DONE, (30, "10"), (30, "40")),
        (_K.IMPROVEMENTS_ON_TIME, (10, "100"), (30, "100")),
        (_K.MANAGER_RATING, (20, "100"), None),
    ),
    _A.SALES: (
        (_K.CONTRACT_AMOUNT_COMPLETION, (45, "100"), (45, "100")),
        (_K.PAYMENT_COMPLETION, (25, "100"), (25, "100")),
        (_K.NEW_CUSTOMERS, (10, "2"), (10, "6")),
        (_K.SALES_PLAN_ACTIONS_ON_TIME, (10, "100"), (10, "100")),
        (_K.MANAGER_RATING, (10, "100"), None),
        (_K.IMPROVEMENTS_ON_TIME, None, (10, "100")),
    ),
    _A.CUSTOMER_SERVICE: (
        (_K.FIRST_RESPONSE_ON_TIME, (30, "95"), (25, "95")),
        (_K.RESOLUTION_ON_TIME, (30, "90"), (25, "90")),
        (_K.COMPLAINT_RESOLUTION, None, (20, "95")),
        (_K.CSAT, (20, "4.5"), (30, "4.5")),
        (_K.MANAGER_RATING, (20, "100"), None),
    ),
}


def _area_schemes(area: str, kpis: tuple[tuple[str, _Cell, _Cell], ...]) -> tuple[AssessmentScheme, ...]:
    """An area's schemes: staff, manager, department."""
    staff = tuple((code, *cell) for code, cell, _ in kpis if cell)
    department = tuple((code, *cell) for code, _, cell in kpis if cell)
    return (
        _scheme(area, _L.STAFF, *staff),
        _scheme(area, _L.MANAGER, *_MANAGER_KPIS),
        _scheme(area, _L.DEPARTMENT, *department),
    )


DEFAULT_SCHEMES = tuple(scheme for area, kpis in _AREA_KPIS.items() for scheme in _area_schemes(area, kpis))


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
