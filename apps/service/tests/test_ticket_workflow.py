"""The ticket workflow is one table (``TICKET_WORKFLOW``): for every status and every demo role, the buttons on the
ticket page, the API's ``allowed_actions`` and what the services accept are the same, and match the table.

sales1 owns the customer and only sees the ticket (and may add a note); cs1, its service owner, opened it and works
it; cs2, a colleague, does not see it; cs_mgr manages the department; ceo sees everything and may close a resolved
ticket.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from apps.core.testing import assert_each_person_agrees
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User
from apps.service.choices import TicketStatus, TicketType
from apps.service.models import Ticket
from apps.service.models.tickets import TICKET_ACTIONS, TICKET_WORKFLOW
from apps.service.selectors.tickets import ticket_allowed
from apps.service.services import tickets as svc

PEOPLE = ("sales1", "cs1", "cs2", "cs_mgr", "ceo")
BUTTONS = {
    "start": "action-start",
    "reply": "action-reply",
    "assign": "action-assign",
    "await": "action-await",
    "resume": "action-resume",
    "resolve": "action-resolve",
    "close": "action-close",
    "reopen": "action-reopen",
    "comment": "action-comment",
    "edit": "ticket-edit",
    "raise": "raise-improvement",
}


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _ticket_in(status: str, people: dict[str, User]) -> Ticket:
    """A complaint about sales1's customer (cs1 its service owner), opened by cs1 and moved to ``status``."""
    customer = CustomerFactory(
        owner=people["sales1"], owner_unit=people["sales1"].employee.department, service_owner=people["cs1"]
    )
    cs1, manager = people["cs1"], people["cs_mgr"]
    ticket = svc.ticket_create(
        actor=cs1,
        data={
            "title": "设备频繁死机",
            "ticket_type": TicketType.COMPLAINT,
            "complaint_category": "product_quality",
            "customer": customer,
            "description": "客户投诉设备频繁死机",
        },
    )
    path = [
        TicketStatus.NEW,
        TicketStatus.ASSIGNED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.WAITING_CUSTOMER,
        TicketStatus.RESOLVED,
        TicketStatus.CLOSED,
    ]
    moves = {
        TicketStatus.ASSIGNED: lambda t: svc.ticket_assign(actor=manager, ticket=t, assignee=cs1),
        TicketStatus.IN_PROGRESS: lambda t: svc.ticket_start(actor=cs1, ticket=t),
        TicketStatus.WAITING_CUSTOMER: lambda t: svc.ticket_await_customer(actor=cs1, ticket=t),
        TicketStatus.RESOLVED: lambda t: svc.ticket_resolve(
            actor=cs1, ticket=t, resolution="更换主板", root_cause="批次缺陷", corrective_action="召回同批次"
        ),
        TicketStatus.CLOSED: lambda t: svc.ticket_close(actor=manager, ticket=t),
    }
    for step in path[1 : path.index(status) + 1]:
        ticket = moves[step](ticket)
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.status == status
    return ticket


def _call(action: str, user: User, ticket: Ticket, people: dict[str, User]) -> Any:
    calls = {
        "start": lambda: svc.ticket_start(actor=user, ticket=ticket),
        "reply": lambda: svc.ticket_reply(actor=user, ticket=ticket, body="您好，已安排工程师"),
        "assign": lambda: svc.ticket_assign(actor=user, ticket=ticket, assignee=people["cs1"]),
        "await": lambda: svc.ticket_await_customer(actor=user, ticket=ticket),
        "resume": lambda: svc.ticket_resume(actor=user, ticket=ticket),
        "resolve": lambda: svc.ticket_resolve(
            actor=user, ticket=ticket, resolution="已处理", root_cause="缺陷", corrective_action="整改"
        ),
        "close": lambda: svc.ticket_close(actor=user, ticket=ticket),
        "reopen": lambda: svc.ticket_reopen(actor=user, ticket=ticket),
        "comment": lambda: svc.ticket_comment(actor=user, ticket=ticket, body="备注"),
        "edit": lambda: svc.ticket_update(actor=user, ticket=ticket, data={"title": "设备频繁死机（更新）"}),
        "raise": lambda: svc.ticket_raise_improvement(
            actor=user, ticket=ticket, title="来料检验", owner=user, due_date=dt.date(2027, 1, 31)
        ),
    }
    return calls[action]()


@pytest.mark.parametrize("status", [s.value for s in TicketStatus])
def test_page_api_and_services_agree_with_the_table(status: str, people: dict[str, User]) -> None:
    ticket = _ticket_in(status, people)
    assert_each_person_agrees(
        ticket,
        people,
        PEOPLE,
        allowed_for=ticket_allowed,
        steps=TICKET_WORKFLOW[status],
        call=lambda action, actor, record: _call(action, actor, record, people),
        check=lambda username, allowed: expected_for_person(username, status, allowed),
        label=(status,),
        actions=TICKET_ACTIONS,
        page_url=f"/service/tickets/{ticket.pk}/",
        api_url=f"/api/v1/tickets/{ticket.pk}/",
        buttons=BUTTONS,
        hidden=(404,),
    )


def expected_for_person(username: str, status: str, allowed: set[str]) -> None:
    """What the issue asks, person by person (the table must not drift from it)."""
    if username == "sales1":  # shared with him: seeing and noting only
        assert allowed == {"comment"}, (status, allowed)
    elif username == "cs2":  # a colleague's ticket: not even seen
        assert allowed == set(), (status, allowed)
    elif username == "ceo":
        assert allowed == ({"comment", "close"} if status == TicketStatus.RESOLVED else {"comment"}), allowed
    elif username == "cs_mgr":
        is_open = status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
        assert ("assign" in allowed) == is_open and ("close" in allowed) == (status == TicketStatus.RESOLVED)
        assert "edit" in allowed or not is_open
    elif username == "cs1":
        assert "assign" not in allowed and "close" not in allowed
        assert ("resolve" in allowed) == (status in (TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER))
        assert ("reopen" in allowed) == (status in (TicketStatus.RESOLVED, TicketStatus.CLOSED))


def test_a_manager_assigns_only_within_the_service_scope(people: dict[str, User]) -> None:
    ticket = _ticket_in(TicketStatus.NEW, people)
    with pytest.raises(ValidationError) as refused:
        svc.ticket_assign(actor=people["cs_mgr"], ticket=ticket, assignee=people["sales1"])
    assert "assignee" in refused.value.message_dict
    client = Client()
    client.force_login(people["cs_mgr"])
    answer = client.post(
        f"/api/v1/tickets/{ticket.pk}/assign/", {"assignee": people["sales1"].pk}, content_type="application/json"
    )
    assert answer.status_code == 400
    page = client.get(f"/service/tickets/{ticket.pk}/").content.decode()
    assert people["cs2"].name in page and f'value="{people["sales1"].pk}"' not in page
    assert svc.ticket_assign(actor=people["cs_mgr"], ticket=ticket, assignee=people["cs2"]).assignee == people["cs2"]


def test_the_sales_manager_sees_the_tickets_of_his_staffs_customers(people: dict[str, User]) -> None:
    ticket = _ticket_in(TicketStatus.IN_PROGRESS, people)
    manager = people["sales_mgr"] if "sales_mgr" in people else User.objects.get(username="sales_mgr")
    client = Client()
    client.force_login(manager)
    assert client.get(f"/service/tickets/{ticket.pk}/").status_code == 200
    assert ticket.number in client.get("/service/tickets/").content.decode()
    assert not set(ticket_allowed(manager, ticket)) - {"comment"}  # seeing is all
    other = User.objects.get(username="mkt_mgr")  # no member of marketing follows it
    assert not Ticket.objects.visible_to(other).filter(pk=ticket.pk).exists()


def test_the_edit_page_and_patch_follow_the_table(people: dict[str, User]) -> None:
    """cs1 opened the unassigned ticket and may edit it (the button leads to a page that opens); sales1 may not."""
    ticket = _ticket_in(TicketStatus.NEW, people)
    for username, page_status, patch_status in (("cs1", 200, 200), ("sales1", 403, 403)):
        client = Client()
        client.force_login(people[username])
        assert client.get(f"/service/tickets/{ticket.pk}/edit/").status_code == page_status, username
        patched = client.patch(
            f"/api/v1/tickets/{ticket.pk}/", {"title": f"{username}改的标题"}, content_type="application/json"
        )
        assert patched.status_code == patch_status, (username, patched.content[:300])
    ticket.refresh_from_db()
    assert ticket.title == "cs1改的标题"
