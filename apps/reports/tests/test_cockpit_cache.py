"""The live cockpit is cached per viewer and period under the data version (issue 14: the cockpit within 150 ms):
a second look costs a few queries, any write shows at once, and one viewer never gets another's figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import dataversion
from apps.reports.tests.test_cockpit import _contracts_total, records  # noqa: F401  (the fixture)
from apps.sales.tests.factories_attainment import make_contract

pytestmark = pytest.mark.django_db
QUERY = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
START, END = dt.date(2025, 12, 1), dt.date(2026, 1, 31)


def _page(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reports:cockpit"), QUERY)
    assert response.status_code == 200
    figures = {f.key: f for s in response.context["sections"] for f in s.figures}
    return figures, len(captured.captured_queries)


def test_a_second_look_is_served_from_the_cache_and_a_write_shows_at_once(client, personas, records):  # noqa: F811
    alice = personas["rep_alice"].user
    client.force_login(personas["auditor_dave"].user)
    figures, computed = _page(client)
    assert figures["contract_amount"].value == _contracts_total(START, END)
    again, cached = _page(client)
    assert again["contract_amount"].value == figures["contract_amount"].value
    assert cached < computed - 20, (computed, cached)  # the sections' queries are gone, the page's own remain
    make_contract(alice, "7000.00", dt.date(2026, 1, 12))
    after, recomputed = _page(client)
    assert (
        after["contract_amount"].value
        == _contracts_total(START, END)
        == figures["contract_amount"].value + Decimal("7000.00")
    )
    assert recomputed > cached


def test_each_viewer_gets_their_own_figures(client, personas, records):  # noqa: F811
    bob = personas["lead_bob"]
    client.force_login(personas["auditor_dave"].user)
    everyone, _ = _page(client)
    mine, _ = _page(bob.client())  # right after the company figures were cached
    team = [personas["rep_alice"].user, bob.user]
    assert mine["contract_amount"].value == _contracts_total(START, END, owners=team)
    assert mine["contract_amount"].value < everyone["contract_amount"].value  # carol's contract is not his
    assert set(mine) < set(everyone)  # the sales section only


def test_the_data_version_moves_with_writes_and_commits(personas):
    alice = personas["rep_alice"].user
    before = dataversion.current()
    assert dataversion.current() == before  # reading does not move it
    with transaction.atomic():
        make_contract(alice, "1.00", dt.date(2026, 1, 12))
        inside = dataversion.current()
        assert inside != before  # this transaction's own reads do not share the committed key
        make_contract(alice, "2.00", dt.date(2026, 1, 13))
        assert dataversion.current() != inside  # nor a key of before its latest write
    # The commit runs the transaction's one pending callback (the test's transaction never commits: run it here).
    pending = [entry[1] for entry in connection.run_on_commit if isinstance(entry[1], dataversion._Pending)]
    assert len(pending) == 1
    shared = int(before.split("-")[0])
    pending[0]()
    assert int(dataversion.current().split("-")[0]) == shared + 1  # every process reads the moved version


class _DownCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_a_cache_that_is_down_fails_neither_a_write_nor_the_cockpit(client, personas, records, monkeypatch):  # noqa: F811
    from apps.reports.selectors import cockpit as cockpit_selectors

    monkeypatch.setattr(dataversion, "cache", _DownCache())
    monkeypatch.setattr(cockpit_selectors, "cache", _DownCache())
    dataversion.bump()  # logged, not raised
    make_contract(personas["rep_alice"].user, "3000.00", dt.date(2026, 1, 14))
    client.force_login(personas["auditor_dave"].user)
    figures, _ = _page(client)
    assert figures["contract_amount"].value == _contracts_total(START, END)
    assert dataversion.current() != dataversion.current()  # unknown: never a shared key
