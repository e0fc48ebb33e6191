"""The changes between two sets of rules in plain words (the diff and the impact pages) and the sections' names."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.policy.rules.parsing import _SECTIONS, KEYED_CHOICES, _as_decimal
from apps.policy.rules.values import (
    APPROVAL_LABEL,
    ASSESSMENT_LABEL,
    CADENCE_LABEL,
    DEADLINES_LABEL,
    ESCALATION_LABEL,
    FREQUENCIES_LABEL,
    GRADE_BANDS_LABEL,
    KPI_WEIGHTS_LABEL,
    POOL_LABEL,
    Rules,
)

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


def _key_label(key: str) -> str:
    for choices in KEYED_CHOICES:
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
