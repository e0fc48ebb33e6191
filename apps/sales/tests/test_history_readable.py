"""The history panel reads as the pages do (issue 10, "the history panel shows amounts formatted and drops no-op
changes"): amounts grouped by thousands, and a change the reader cannot see is not listed ("由 09:40 修改为 09:40")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.core.history import _display, change_sentence, history_entries
from apps.marketing.models import Lead
from apps.marketing.tests.factories_plans import make_lead
from apps.sales.models import Contract

pytestmark = pytest.mark.django_db


def test_an_amount_reads_grouped_by_thousands() -> None:
    assert _display(Contract, "amount", Decimal("124120.28"), {}) == "124,120.28"
    assert _display(Contract, "amount", Decimal("5000000.00"), {}) == "5,000,000.00"


def test_a_time_changed_only_in_its_seconds_is_not_listed_but_a_real_change_is(personas: dict) -> None:
    lead = make_lead(personas["rep_alice"].user, created=dt.date(2026, 11, 2))
    first = timezone.make_aware(dt.datetime(2026, 11, 3, 9, 40, 10))
    for moment in (first, first + dt.timedelta(seconds=40), first + dt.timedelta(minutes=5)):
        lead.qualified_at = moment
        lead.save()
    label = str(Lead._meta.get_field("qualified_at").verbose_name)
    entries = history_entries(lead)
    assert entries[0].lines == [change_sentence(label, "2026-11-03 09:40", "2026-11-03 09:45")]
    assert all("09:40 " not in line or "09:45" in line for e in entries for line in e.lines)
    # the seconds-only save left no line at all (the entry is dropped, not shown empty)
    assert [e.kind for e in entries].count("~") == 2
