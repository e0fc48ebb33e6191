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

from apps.policy.rules.changes import SECTION_LABELS, RuleChange, describe_changes, key_label, rule_changes
from apps.policy.rules.parsing import parse_rules
from apps.policy.rules.values import (
    DEFAULT_RULES,
    AssessmentScheme,
    PublicPoolRules,
    RecycleRule,
    Rules,
    SchemeLine,
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


# What the rest of the system imports by the package's path; the messages, labels and sections' own dataclasses are
# read from their modules.
__all__ = [
    "DEFAULT_RULES",
    "SECTION_LABELS",
    "AssessmentScheme",
    "PublicPoolRules",
    "RecycleRule",
    "RuleChange",
    "Rules",
    "SchemeLine",
    "default_rules_json",
    "describe_changes",
    "key_label",
    "parse_rules",
    "rule_changes",
    "validate_rules",
]
