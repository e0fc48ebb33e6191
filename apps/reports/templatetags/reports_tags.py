"""Figures as the cockpit and the reports show them: amounts in 元 or 万元 (the viewer's choice), percentages with
%, changes with their sign."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext

register = template.Library()
WAN = "wan"


def money(value: Any, unit: str) -> str:
    if value is None or value == "":
        return "—"
    amount = Decimal(str(value))
    if unit == WAN:
        amount = (amount / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return number_format(amount, 2, force_grouping=True)


@register.simple_tag
def figure_value(figure: Any, unit: str = "", which: str = "value") -> str:
    """A figure's value (or ``previous`` / ``year_before``), by its kind; ``figure`` is a Figure or its JSON."""
    get = figure.get if isinstance(figure, dict) else lambda k: getattr(figure, k)
    value, kind = get(which), get("unit")
    if value is None or value == "":
        return "—"
    if kind == "money":
        return money(value, unit)
    if kind == "pct":
        return f"{value}%"
    if kind == "date":
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    return str(value)


@register.simple_tag
def figure_change(figure: Any, which: str = "previous_change") -> str:
    get = figure.get if isinstance(figure, dict) else lambda k: getattr(figure, k)
    change, kind = get(which), get("unit")
    if change is None or change == "":
        return "—"
    change = Decimal(str(change))
    sign = "+" if change > 0 else ""
    if kind in ("pct", "score"):
        return gettext("%(change)s pts") % {"change": f"{sign}{change}"}
    return f"{sign}{change}%"


@register.filter
def amount(value: Any, unit: str = "") -> str:
    return money(value, unit)


@register.simple_tag(takes_context=True)
def may_open_cockpit(context: Any) -> bool:
    """Whether the user has a cockpit section (a manager of a department outside the three areas has none)."""
    from apps.reports.selectors.cockpit import sections_for

    user = context.get("user")
    return bool(user and user.is_authenticated and sections_for(user))
