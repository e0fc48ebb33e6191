"""The tunable rules of a policy version, as validated structured data: the values and their defaults (``values``),
parsing and validation (``parsing``), changes in plain words (``changes``).

The policy leaves some numbers to the company (KPI weights and grade bands, service deadlines, contact cadence,
public-pool recycling, approval thresholds, evaluation frequencies). Each policy version stores them as JSON;
``parse_rules`` turns that JSON into frozen dataclasses and reports *every* problem at once, and
``Rules.to_json`` turns them back. Anything the JSON leaves out is taken from a base (the defaults).
The rest of the system reads the rules in force through ``apps.policy.selectors.rules_in_force``.
The model field's default and validator live here (their import path is in the migrations)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from apps.policy.rules.changes import (
    NOTHING,
    SECTION_LABELS,
    RuleChange,
    describe_changes,
    key_label,
    rule_changes,
)
from apps.policy.rules.parsing import (
    GRADES_NOT_DESCENDING,
    KPI_WEIGHTS_TOTAL,
    LOWEST_GRADE_NOT_ZERO,
    NOT_A_CHOICE,
    NOT_A_MAPPING,
    NOT_A_NUMBER,
    NOT_A_WHOLE_NUMBER,
    RESOLUTION_BEFORE_RESPONSE,
    SCHEME_EMPTY,
    SCHEME_WEIGHTS_TOTAL,
    SCORING_BAND_SHAPE,
    SCORING_BANDS_EMPTY,
    SCORING_BANDS_NOT_DESCENDING,
    SCORING_KEY_UNUSED,
    TOO_LARGE,
    TOO_SMALL,
    UNKNOWN_KEY,
    UNSUPPORTED_SCHEMA,
    WARNING_AFTER_RECYCLE,
    parse_rules,
)
from apps.policy.rules.values import (
    APPROVAL_LABEL,
    ASSESSMENT_LABEL,
    CADENCE_LABEL,
    DEADLINES_LABEL,
    DEFAULT_CONTACT_CADENCE,
    DEFAULT_GRADE_BANDS,
    DEFAULT_RECYCLE_RULES,
    DEFAULT_RULES,
    DEFAULT_SCHEMES,
    DEFAULT_SERVICE_DEADLINES,
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


def validate_rules(data: Any) -> None:
    """Model-field validator: the stored JSON must parse into valid rules (every problem, as one list)."""
    try:
        parse_rules(data)
    except ValidationError as exc:
        raise ValidationError([error for errors in exc.error_dict.values() for error in errors]) from exc


def default_rules_json() -> dict[str, Any]:
    """The default for a new version's rules field."""
    return DEFAULT_RULES.to_json()


__all__ = [
    "default_rules_json",
    "validate_rules",
    "APPROVAL_LABEL",
    "ASSESSMENT_LABEL",
    "ApprovalThresholds",
    "AssessmentRules",
    "AssessmentScheme",
    "CADENCE_LABEL",
    "ContactCadence",
    "DEADLINES_LABEL",
    "DEFAULT_CONTACT_CADENCE",
    "DEFAULT_GRADE_BANDS",
    "DEFAULT_RECYCLE_RULES",
    "DEFAULT_RULES",
    "DEFAULT_SCHEMES",
    "DEFAULT_SERVICE_DEADLINES",
    "ESCALATION_LABEL",
    "EvaluationFrequencies",
    "FREQUENCIES_LABEL",
    "GRADES_NOT_DESCENDING",
    "GRADE_BANDS_LABEL",
    "GradeBand",
    "KPI_WEIGHTS_LABEL",
    "KPI_WEIGHTS_TOTAL",
    "KpiWeights",
    "LOWEST_GRADE_NOT_ZERO",
    "NOTHING",
    "NOT_A_CHOICE",
    "NOT_A_MAPPING",
    "NOT_A_NUMBER",
    "NOT_A_WHOLE_NUMBER",
    "POOL_LABEL",
    "PublicPoolRules",
    "RESOLUTION_BEFORE_RESPONSE",
    "RULES_LABEL",
    "RecycleRule",
    "RuleChange",
    "Rules",
    "SCHEMA_VERSION",
    "SCHEME_EMPTY",
    "SCHEME_WEIGHTS_TOTAL",
    "SCORING_BANDS_EMPTY",
    "SCORING_BANDS_NOT_DESCENDING",
    "SCORING_BAND_SHAPE",
    "SCORING_KEY_UNUSED",
    "SECTION_LABELS",
    "SchemeLine",
    "ServiceDeadline",
    "ServiceEscalation",
    "TOO_LARGE",
    "TOO_SMALL",
    "UNKNOWN_KEY",
    "UNSUPPORTED_SCHEMA",
    "WARNING_AFTER_RECYCLE",
    "describe_changes",
    "key_label",
    "parse_rules",
    "rule_changes",
]
