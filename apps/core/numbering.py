"""自动编号: the next number of a rule, unique and gap-free under concurrent creation.

The sequence row of the rule and period is locked (``select_for_update``) inside the caller's transaction, so two
contracts created at the same moment get consecutive numbers; the first number of a period is created with a
savepoint so a concurrent creator of the same row retries instead of failing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence

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
    sequence = _locked_sequence(rule, _period(rule, on))
    sequence.last_value += 1
    sequence.save(update_fields=["last_value"])
    return _format(rule, on, sequence.last_value)


@transaction.atomic
def numbers_for_days(key: str, days: Sequence[dt.date]) -> list[str]:
    """The numbers ``next_number(key, on=day)`` would give, called once per day of ``days`` in that order (records
    of the past written in bulk: the demo's tickets): each period's sequence row is locked and advanced once."""
    rule = _rule(key)
    periods = [_period(rule, day) for day in days]
    counts = Counter(periods)
    locked = NumberSequence.objects.select_for_update().filter(rule=rule, period__in=counts)
    sequences = {s.period: s for s in locked}
    if len(sequences) < len(counts):
        try:
            with transaction.atomic():
                NumberSequence.objects.bulk_create(
                    [NumberSequence(rule=rule, period=p) for p in counts if p not in sequences]
                )
        except IntegrityError:
            pass  # another transaction created some of them first: lock those
        sequences = {s.period: s for s in locked.all()}
    last = {period: sequence.last_value for period, sequence in sequences.items()}
    for period, sequence in sequences.items():
        sequence.last_value += counts[period]
    NumberSequence.objects.bulk_update(list(sequences.values()), ["last_value"])
    numbers = []
    for day, period in zip(days, periods, strict=True):
        last[period] += 1
        numbers.append(_format(rule, day, last[period]))
    return numbers


def _locked_sequence(rule: NumberRule, period: str) -> NumberSequence:
    """The sequence row of ``rule`` and ``period``, locked until the transaction ends (created if it is the
    period's first number; a concurrent creator of the same row makes us lock that one)."""
    for _attempt in range(5):
        sequence = NumberSequence.objects.select_for_update().filter(rule=rule, period=period).first()
        if sequence is not None:
            return sequence
        try:
            with transaction.atomic():
                sequence = NumberSequence.objects.create(rule=rule, period=period)
            return NumberSequence.objects.select_for_update().get(pk=sequence.pk)
        except IntegrityError:
            continue  # another transaction created the period's row first; lock that one
    raise RuntimeError(f"could not allocate a number of {rule.key}")  # pragma: no cover - five lost races in a row


def _format(rule: NumberRule, on: dt.date, value: int) -> str:
    date_part = on.strftime(rule.date_format) if rule.date_format else ""
    return f"{rule.prefix}{date_part}{rule.separator}{value:0{rule.width}d}"
