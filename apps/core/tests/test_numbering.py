"""自动编号: format, configurable rule, period reset, and unique gap-free numbers under concurrent creation.

The threaded tests run on PostgreSQL (``.ci/run`` runs the suite there too); SQLite serialises writers, so there
the same numbers are taken one after the other instead.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections

from apps.core.models import NumberRule
from apps.core.numbering import next_number

DAY = dt.date(2026, 11, 27)
THREADS = 8
TOTAL = 100


def run_concurrently(take: Callable[[int], str], total: int = TOTAL, threads: int = THREADS) -> list[str]:
    """Call ``take(i)`` ``total`` times from ``threads`` threads, each with its own connection."""
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker(indexes: list[int]) -> None:
        try:
            barrier.wait()
            for index in indexes:
                value = take(index)
                with lock:
                    results.append(value)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(list(range(t, total, threads)),)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert not errors, errors
    return results


@pytest.mark.django_db
class TestFormat:
    def test_default_contract_number(self) -> None:
        assert next_number("contract", on=DAY) == "HT20261127-0001"
        assert next_number("contract", on=DAY) == "HT20261127-0002"

    def test_daily_reset(self) -> None:
        next_number("contract", on=DAY)
        assert next_number("contract", on=DAY + dt.timedelta(days=1)) == "HT20261128-0001"
        assert next_number("contract", on=DAY) == "HT20261127-0002"

    def test_rule_change_takes_effect(self) -> None:
        next_number("contract", on=DAY)
        NumberRule.objects.filter(key="contract").update(
            prefix="SC", reset=NumberRule.Reset.MONTHLY, date_format="%Y%m", separator="", width=5
        )
        assert next_number("contract", on=DAY) == "SC20261100001"
        assert next_number("contract", on=DAY + dt.timedelta(days=2)) == "SC20261100002"

    def test_payment_numbers_have_their_own_sequence(self) -> None:
        next_number("contract", on=DAY)
        assert next_number("payment", on=DAY) == "HK20261127-0001"


@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_and_consecutive_under_concurrency() -> None:
    if connection.vendor == "postgresql":
        numbers = run_concurrently(lambda _i: next_number("contract", on=DAY))
    else:  # SQLite allows one writer at a time: the same numbers, taken in turn
        numbers = [next_number("contract", on=DAY) for _ in range(TOTAL)]
    assert len(numbers) == TOTAL
    assert sorted(numbers) == [f"HT20261127-{n:04d}" for n in range(1, TOTAL + 1)]


class _Undo(Exception):
    pass


@pytest.mark.django_db
@pytest.mark.parametrize("reset", [NumberRule.Reset.DAILY, NumberRule.Reset.MONTHLY, NumberRule.Reset.NEVER])
def test_numbers_for_days_are_what_next_number_gives_day_by_day(reset: str) -> None:
    """The bulk allocation of the demo's past tickets gives each day the number ``next_number`` would, continuing
    after numbers already taken, and leaves the sequence where day-by-day calls would."""
    from django.db import transaction

    from apps.core.models import NumberSequence
    from apps.core.numbering import numbers_for_days

    NumberRule.objects.create(key="bulk", prefix="BK", reset=reset)
    next_number("bulk", DAY)  # a number already taken
    days = [DAY, DAY, DAY + dt.timedelta(days=1), dt.date(2026, 12, 31), dt.date(2027, 1, 1), dt.date(2027, 1, 1)]
    try:
        with transaction.atomic():
            expected = [next_number("bulk", day) for day in days]
            expected_rows = set(NumberSequence.objects.filter(rule__key="bulk").values_list("period", "last_value"))
            raise _Undo
    except _Undo:
        pass
    assert numbers_for_days("bulk", days) == expected
    assert set(NumberSequence.objects.filter(rule__key="bulk").values_list("period", "last_value")) == expected_rows
    assert next_number("bulk", DAY + dt.timedelta(days=1)) not in expected
