"""Custom periods of part of a month (e.g. 2026-11-10 – 2026-12-05): the sales target counts each month pro rata by
the days covered, the actual only the records of those days, and 环比 (the 26 days just before) and 同比 (the same
days a year earlier, in another year's target set) likewise — every figure recomputed from the raw rows."""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors.periods import CUSTOM, ReportPeriod, resolve_period
from apps.sales.choices import ContractStatus, TargetMetric
from apps.sales.models import Contract, Payment
from apps.sales.models.targets import MONTH_FIELDS
from apps.sales.tests.factories_attainment import make_contract, make_node, make_payment, make_target_set

pytestmark = pytest.mark.django_db

PERIOD = ReportPeriod(CUSTOM, dt.date(2026, 11, 10), dt.date(2026, 12, 5))
TODAY = dt.date(2026, 12, 20)
CENT = Decimal("0.01")


def _monthly(year: int) -> dict[int, Decimal]:
    """A different target for every month, so that a month taken for another shows."""
    return {m: Decimal(10000 + 1000 * m + (year - 2025) * 500) for m in range(1, 13)}


@pytest.fixture
def targets(personas):
    """The company's contract-amount targets for 2025 and 2026 (the root node: what senior management sees)."""
    company = personas["auditor_dave"].unit
    for year in (2025, 2026):
        root = make_node(make_target_set(TargetMetric.CONTRACT_AMOUNT, year), company)
        for month, value in _monthly(year).items():
            setattr(root, MONTH_FIELDS[month - 1], value)
        root.save()


@pytest.fixture
def rows(personas, targets):
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    signed = {
        "before": make_contract(alice, "1000.00", dt.date(2026, 11, 9)),  # the day before: 环比's last day
        "first": make_contract(alice, "20000.00", dt.date(2026, 11, 10)),
        "nov": make_contract(bob, "33333.33", dt.date(2026, 11, 30)),
        "dec": make_contract(alice, "7000.00", dt.date(2026, 12, 1)),
        "last": make_contract(bob, "5000.50", dt.date(2026, 12, 5)),
        "after": make_contract(alice, "9999.00", dt.date(2026, 12, 6)),
        "draft": make_contract(alice, "88888.00", dt.date(2026, 11, 20), status=ContractStatus.DRAFT),
        "prev_first": make_contract(bob, "4000.00", dt.date(2026, 10, 15)),
        "prev_out": make_contract(bob, "3.00", dt.date(2026, 10, 14)),
        "ly": make_contract(alice, "12000.00", dt.date(2025, 11, 20)),
        "ly_out": make_contract(alice, "6.00", dt.date(2025, 12, 6)),
    }
    make_payment(signed["first"], "15000.00", dt.date(2026, 11, 10))
    make_payment(signed["first"], "-2000.00", dt.date(2026, 12, 5))  # a refund on the last day
    make_payment(signed["nov"], "500.00", dt.date(2026, 12, 6))  # the day after
    make_payment(signed["prev_first"], "4000.00", dt.date(2026, 11, 9))
    return signed


def _target(period: ReportPeriod) -> Decimal:
    """Each month's target × days covered / days of the month, rounded to the fen, summed."""
    days: Counter[tuple[int, int]] = Counter()
    day = period.start
    while day <= period.end:
        days[(day.year, day.month)] += 1
        day += dt.timedelta(days=1)
    return sum(
        (
            (_monthly(year)[month] * n / calendar.monthrange(year, month)[1]).quantize(CENT, rounding=ROUND_HALF_UP)
            for (year, month), n in days.items()
        ),
        Decimal("0"),
    )


def _signed(period: ReportPeriod) -> Decimal:
    return sum(
        (
            c.amount
            for c in Contract.objects.filter(status=ContractStatus.APPROVED)
            if period.start <= c.signed_on <= period.end
        ),
        Decimal("0"),
    )


def _paid(period: ReportPeriod) -> Decimal:
    return sum(
        (
            p.amount
            for p in Payment.objects.select_related("contract")
            if p.contract.status == ContractStatus.APPROVED and period.start <= p.received_on <= period.end
        ),
        Decimal("0"),
    )


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def test_the_comparisons_of_a_part_month_period():
    assert PERIOD.whole_months is None
    assert PERIOD.previous() == ReportPeriod(CUSTOM, dt.date(2026, 10, 15), dt.date(2026, 11, 9))  # 26 days
    assert PERIOD.year_before() == ReportPeriod(CUSTOM, dt.date(2025, 11, 10), dt.date(2025, 12, 5))
    custom = resolve_period(CUSTOM, dt.date(2026, 12, 5), dt.date(2026, 11, 10), TODAY)  # given the wrong way round
    assert (custom.start, custom.end) == (PERIOD.start, PERIOD.end)


def test_part_month_figures_and_their_comparisons_equal_the_raw_rows(personas, rows):
    sections = cockpit_selectors.cockpit(personas["auditor_dave"].user, PERIOD, sections=["sales"], today=TODAY)
    figures = {f.key: f for f in sections[0].figures}
    for which, period in (("value", PERIOD), ("previous", PERIOD.previous()), ("year_before", PERIOD.year_before())):
        target, signed = _target(period), _signed(period)
        assert getattr(figures["target"], which) == target, which
        assert getattr(figures["attained"], which) == signed, which
        assert getattr(figures["contract_amount"], which) == signed, which
        assert getattr(figures["attainment_pct"], which) == _pct(signed, target), which
        assert getattr(figures["payments"], which) == _paid(period), which
    # by hand: 21/30 of November's 21 500 + 5/31 of December's 22 500; 65 333.83 signed
    assert figures["target"].value == Decimal("15050.00") + Decimal("3629.03")
    assert figures["attained"].value == Decimal("65333.83")
    assert figures["payments"].value == Decimal("13000.00")  # the refund on the last day counts, the 6th does not
    change = _pct(figures["attained"].value - figures["attained"].previous, figures["attained"].previous)
    assert figures["attained"].previous_change == change


def test_a_part_month_is_not_the_whole_months_target(personas, rows):
    whole = ReportPeriod(CUSTOM, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    dave = personas["auditor_dave"].user
    part = {f.key: f for f in cockpit_selectors.cockpit(dave, PERIOD, sections=["sales"], today=TODAY)[0].figures}
    full = {f.key: f for f in cockpit_selectors.cockpit(dave, whole, sections=["sales"], today=TODAY)[0].figures}
    assert full["target"].value == _monthly(2026)[11] + _monthly(2026)[12] == _target(whole)
    assert part["target"].value < full["target"].value
    assert full["attained"].value == _signed(whole) != part["attained"].value
