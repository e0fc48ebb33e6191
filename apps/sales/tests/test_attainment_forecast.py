"""The forecast on day 7 of a month does not extrapolate one early deal over the month: it blends the run rate with
the weighted pipeline due in the period, and the page says how. An overshoot reads 超额 with the amount in ¥."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from apps.sales.choices import OpportunityStage
from apps.sales.selectors.attainment import FORECAST_RULE, make_period, node_attainment
from apps.sales.tests.factories_attainment import (
    YEAR,
    make_contract,
    make_opportunity,
    make_target_set,
    persona_tree,
    stage_settings,
)

pytestmark = pytest.mark.django_db
NOVEMBER = make_period("month", YEAR, 11)  # 30 days
DAY_7 = dt.date(YEAR, 11, 7)
CENT = Decimal("0.01")


def test_on_day_7_one_early_deal_is_not_extrapolated_over_the_month(personas: dict) -> None:
    stage_settings()
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set(), monthly="100000")
    make_contract(alice, "150000.00", dt.date(YEAR, 11, 2))
    make_opportunity(alice, "40000.00", OpportunityStage.NEGOTIATION, dt.date(YEAR, 11, 20))  # 70 %
    figures = node_attainment(tree["alice"], NOVEMBER, as_of=DAY_7)

    actual, elapsed, days = Decimal("150000.00"), 7, 30
    run_rate = (actual / elapsed * (days - elapsed)).quantize(CENT, ROUND_HALF_UP)  # the pace carried on
    pipeline = Decimal("40000.00") * Decimal("0.7")
    blended = (
        actual
        + (run_rate * elapsed / days).quantize(CENT, ROUND_HALF_UP)
        + (pipeline * (days - elapsed) / days).quantize(CENT, ROUND_HALF_UP)
    )
    assert figures.forecast == blended
    naive = actual + run_rate  # what the page used to show (642,857.14 = 643 %)
    assert figures.forecast_pct < (naive * 100 / Decimal("100000")).quantize(Decimal("0.1"))
    assert figures.forecast_pct == (blended * 100 / Decimal("100000")).quantize(Decimal("0.1"), ROUND_HALF_UP)


def test_the_page_explains_the_forecast_and_shows_an_overshoot_as_such(personas: dict) -> None:
    alice, dave = personas["rep_alice"].user, personas["auditor_dave"]
    tree = persona_tree(personas, make_target_set(), monthly="100000")
    make_contract(alice, "455179.44", dt.date(YEAR, 11, 2))
    client = dave.client()
    body = client.get(
        reverse("sales:attainment", args=[tree["company"].target_set.pk]),
        {"period": NOVEMBER.key},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    ).content.decode()
    with translation.override("zh-hans"):
        assert str(FORECAST_RULE) in body
        over = translation.gettext("Over target by")
    assert over == "超额"
    row = re.search(rf'data-node="{tree["alice"].pk}".*?</tr>', body, re.S).group(0)
    assert re.search(r'data-overshoot="1">超额\s*¥355,179\.44', row)
    assert "-355,179.44" not in body
