"""One FilterSet (``service.filters.TicketFilterSet``) for the ticket list page, the API and the Excel export: the
same GET parameters give the same tickets in all three, within each user's scope, and an invalid value is a
Chinese form error in all three, never a 500 and never a wider list."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import escape

from apps.core.testing import ListReaders
from apps.service.choices import TicketPriority, TicketType
from apps.service.tests.factories_tickets import customer_of, make_ticket

pytestmark = pytest.mark.django_db

TICKETS = ListReaders(page="/service/tickets/", api="/api/v1/tickets/", export="/service/tickets/export/")
PUMP_REPAIRS = {"ticket_type": TicketType.REPAIR, "priority": TicketPriority.HIGH, "state": "open", "q": "水泵"}


@pytest.fixture
def tickets(personas: dict) -> dict[str, str]:
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    service_unit = personas["rep_carol"].unit
    alices, bobs, nobodys = customer_of(owner=alice), customer_of(owner=bob), customer_of(owner=None)
    made = {
        "alice_pump": make_ticket(None, customer=alices, department=service_unit, title="水泵漏水",
                                  ticket_type=TicketType.REPAIR, priority=TicketPriority.HIGH),
        "alice_low": make_ticket(None, customer=alices, department=service_unit, title="水泵异响",
                                 ticket_type=TicketType.REPAIR, priority=TicketPriority.LOW),
        "alice_screen": make_ticket(None, customer=alices, department=service_unit, title="屏幕不亮",
                                    ticket_type=TicketType.REPAIR, priority=TicketPriority.HIGH),
        "bob_pump": make_ticket(None, customer=bobs, department=service_unit, title="水泵停转",
                                ticket_type=TicketType.REPAIR, priority=TicketPriority.HIGH),
        "pool_pump": make_ticket(None, customer=nobodys, department=service_unit, title="水泵过热",
                                 ticket_type=TicketType.REPAIR, priority=TicketPriority.HIGH),
    }  # fmt: skip
    return {key: ticket.number for key, ticket in made.items()}


@pytest.mark.parametrize(
    ("viewer", "expected"), [("rep_alice", {"alice_pump"}), ("lead_bob", {"alice_pump", "bob_pump"})]
)
def test_page_api_and_export_list_the_same_tickets_for_the_same_filters(
    personas: dict, tickets: dict[str, str], viewer: str, expected: set[str]
) -> None:
    client = personas[viewer].client()
    assert TICKETS.agree(client, PUMP_REPAIRS) == {tickets[key] for key in expected}
    # Without the search the screen repair joins; the low-priority pump never does; scope still applies.
    wider = TICKETS.agree(client, {**PUMP_REPAIRS, "q": ""})
    assert tickets["alice_screen"] in wider and tickets["alice_low"] not in wider
    assert tickets["pool_pump"] not in wider


def test_an_invalid_filter_value_is_a_chinese_form_error_everywhere(personas: dict, tickets: dict[str, str]) -> None:
    with translation.override("zh-hans"):
        message = str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": "urgentest"}
    assert re.search(r"[\u4e00-\u9fff]", message)
    page, export, api = TICKETS.refusals(personas["lead_bob"].client(), {"priority": "urgentest", "q": "水泵"})
    assert escape(message) in page and 'data-testid="filter-errors"' in page
    assert message in export
    assert api["priority"] == [message]


def test_the_ticket_export_is_logged(personas: dict, tickets: dict[str, str]) -> None:
    """Who exported the tickets, how many rows, with which filter: one ExportLog row (CONVENTIONS-CN §1 row 29),
    written by the export page itself (``core.views.ListExportMixin``)."""
    bob = personas["lead_bob"]
    log = TICKETS.export_logged(bob.client(), bob.user, PUMP_REPAIRS)
    assert (log.resource, log.row_count) == ("service.ticket", 2)
    assert TICKETS.export_logged(bob.client(), bob.user, {}).row_count == 4  # all of his people's, any type
