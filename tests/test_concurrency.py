"""Several people at once on the embedded database (and on PostgreSQL): no 500, no "database is locked".

Eight people log in at the same instant and each saves tickets, lists and exports them, each in their own thread
with their own database connection, as the threads of `make run`'s server do. On SQLite the test database is a
file (config/settings/test.py) opened with the settings `make run` uses (WAL, busy timeout, IMMEDIATE).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from apps.core.testing import run_together
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.service.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 8
TICKETS_EACH = 3
PASSWORD = "pw-123456"


def _seed_policy() -> None:
    """A transactional test that ran before flushed the data migration's policy; seed it again (idempotent)."""
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(apps, None)


def test_eight_people_log_in_and_save_tickets_at_once(personas: dict[str, Any]) -> None:
    _seed_policy()
    unit = personas["rep_carol"].unit
    for i in range(PEOPLE):
        make_employee(f"cs{i}", f"客服{i}", unit, BuiltinRole.STAFF, password=PASSWORD)
    statuses: list[tuple[str, int]] = []

    def work(index: int) -> None:
        client = Client()
        login = client.post("/accounts/login/", {"username": f"cs{index}", "password": PASSWORD})
        statuses.append(("login", login.status_code))
        assert login.status_code == 302, login.content.decode()[:2000]
        for n in range(TICKETS_EACH):
            saved = client.post(
                "/service/tickets/new/",
                {
                    "ticket_type": "repair",
                    "priority": "medium",
                    "channel": "phone",
                    "title": f"并发工单 {index}-{n}",
                    "description": "客户来电：设备开机无反应。",
                },
            )
            statuses.append(("save", saved.status_code))
            statuses.append(("list", client.get("/service/tickets/").status_code))
        statuses.append(("export", client.get("/service/tickets/export/").status_code))

    _, errors = run_together(work, PEOPLE)
    assert not errors, errors
    assert [s for s in statuses if s[1] >= 400] == []
    assert sorted(code for kind, code in statuses if kind == "save") == [302] * (PEOPLE * TICKETS_EACH)
    assert Ticket.objects.filter(title__startswith="并发工单").count() == PEOPLE * TICKETS_EACH
    # Every ticket got its own number although they were numbered at the same time.
    numbers = list(Ticket.objects.filter(title__startswith="并发工单").values_list("number", flat=True))
    assert len(set(numbers)) == len(numbers)
