"""今日概览 on the workbench (issue 10: "for ceo, an overview of today's figures, not only a to-do list"): those who
see the company cockpit get this month's headline figures — the same figures the cockpit shows, recomputed here
from the raw rows — and nobody else gets any."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from apps.reports.tests.test_cockpit import TZ, _contracts_total, _leads, records  # noqa: F401 (fixture)
from apps.reports.workbench import overview_items

pytestmark = pytest.mark.django_db


def test_senior_management_sees_this_months_figures_and_staff_none(client, personas, records):  # noqa: F811
    cache.clear()
    with time_machine.travel(dt.datetime(2026, 1, 25, 10, tzinfo=TZ), tick=False):
        figures = {f.label: f.value for f in overview_items(personas["auditor_dave"].user)}
        january = (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
        signed = _contracts_total(*january)
        assert signed > Decimal("0")
        assert f"¥{signed:,.2f}" in figures.values()
        assert str(_leads(*january)) in figures.values()
        assert overview_items(personas["rep_alice"].user) == []
        assert overview_items(personas["lead_bob"].user) == []  # a department manager: his cockpit, no overview
        client.force_login(personas["auditor_dave"].user)
        page = client.get(reverse("core:workbench")).content.decode()
        assert 'data-testid="overview"' in page and f"¥{signed:,.2f}" in page
        client.force_login(personas["rep_alice"].user)
        assert 'data-testid="overview"' not in client.get(reverse("core:workbench")).content.decode()
