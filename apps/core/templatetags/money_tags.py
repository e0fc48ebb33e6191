"""Template filters for money: ``{{ amount|rmb_upper }}`` (大写) and ``{{ amount|cny }}`` (¥12,345.00)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from apps.core.money import format_cny
from apps.core.money import rmb_upper as _rmb_upper

register = template.Library()


@register.filter
def rmb_upper(value: Any, prefix: bool = False) -> str:
    """The amount in Chinese capitals; an empty or invalid value gives an empty string."""
    try:
        return _rmb_upper(Decimal(str(value)), prefix=bool(prefix)) if value not in (None, "") else ""
    except (InvalidOperation, ValueError):
        return ""


@register.filter
def cny(value: Any) -> str:
    """The amount as ¥12,345.00; an empty or invalid value gives an empty string."""
    try:
        return format_cny(value) if value not in (None, "") else ""
    except (InvalidOperation, ValueError):
        return ""
