"""Parsing and validation of a policy version's rules JSON: ``parse_rules`` reports every problem at once, naming the
rule."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
from apps.policy.rules.values import (
    APPROVAL_LABEL,
    ASSESSMENT_LABEL,
    CADENCE_LABEL,
    DEADLINES_LABEL,
    DEFAULT_RULES,
    ESCALATION_LABEL,
    FREQUENCIES_LABEL,
    GRADE_BANDS_LABEL,
    KPI_WEIGHTS_LABEL,
    POOL_LABEL,
    RULES_LABEL,
    SCHEMA_VERSION,
    ApprovalThresholds,
    AssessmentRules,
    AssessmentScheme,
    ContactCadence,
    EvaluationFrequencies,
    GradeBand,
    KpiWeights,
    PublicPoolRules,
    RecycleRule,
    Rules,
    SchemeLine,
    ServiceDeadline,
    ServiceEscalation,
)

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


# The choices whose values stand as keys in the rules (a KPI, a grade, a ticket type …): the keys each section
# accepts, and what the changes call them in words (``changes.key_label``).
KEYED_CHOICES = (
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
