"""自动编号: the next number of a rule, unique and gap-free under concurrent creation.

The sequence row of the rule and period is locked (``select_for_update``) inside the caller's transaction, so two
contracts created at the same moment get consecutive numbers; the first number of a period is created with a
savepoint so a concurrent creator of the same row retries instead of failing.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.models import NumberRule, NumberSequence

DEFAULT_RULES = {
    "contract": {"prefix": "HT"},
    "payment": {"prefix": "HK"},
    "ticket": {"prefix": "GD"},
}


def _period(rule: NumberRule, on: dt.date) -> str:
    periods: dict[str, str] = {
        NumberRule.Reset.DAILY: on.strftime("%Y%m%d"),
        NumberRule.Reset.MONTHLY: on.strftime("%Y%m"),
        NumberRule.Reset.YEARLY: on.strftime("%Y"),
    }
    return periods.get(rule.reset, "all")


def _rule(key: str) -> NumberRule:
    rule = NumberRule.objects.filter(key=key).first()
    if rule is None:
        try:
            with transaction.atomic():
                rule = NumberRule.objects.create(key=key, **DEFAULT_RULES.get(key, {"prefix": key[:2].upper()}))
        except IntegrityError:
            rule = NumberRule.objects.get(key=key)
    return rule


@transaction.atomic
def next_number(key: str, on: dt.date | None = None) -> str:
    """Return the next number of the rule ``key`` (created with defaults on first use), e.g. HT20261127-0001."""
    on = on or timezone.localdate()
    rule = _rule(key)
    period = _period(rule, on)
    for _attempt in range(5):
        sequence = NumberSequence.objects.select_for_update().filter(rule=rule, period=period).first()
        if sequence is not None:
            break
        try:
            with transaction.atomic():
                sequence = NumberSequence.objects.create(rule=rule, period=period)
            sequence = NumberSequence.objects.select_for_update().get(pk=sequence.pk)
            break
        except IntegrityError:
            continue  # another transaction created the period's row first; lock that one
    else:  # pragma: no cover - five lost races in a row
        raise RuntimeError(f"could not allocate a number for {key}")
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    date_part = on.strftime(rule.date_format) if rule.date_format else ""
    return f"{rule.prefix}{date_part}{rule.separator}{sequence.last_value:0{rule.width}d}"
