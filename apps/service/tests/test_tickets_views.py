"""Ticket pages and API: the data scope, query counts, the form, the actions, the API writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from apps.core.testing import Persona, ScopeMatrixTests, shown
from apps.service.choices import TicketStatus, TicketType
from apps.service.models import Ticket
from apps.service.services import tickets as svc
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager

pytestmark = pytest.mark.django_db


class TestTicketScope(ScopeMatrixTests):
    """A ticket assigned to the persona, in the persona's department, opened by nobody (the public form)."""

    model = Ticket
    list_url = "/service/tickets/"
    api_list_url = "/api/v1/tickets/"

    def make(self, persona: Persona) -> Any:
        return make_ticket(None, assignee=persona.user, department=persona.unit, title=f"工单 {persona.key}")

    def detail_url(self, record: Any) -> str:
        return f"/service/tickets/{record.pk}/"

    def label(self, record: Any) -> str:
        return record.title


def test_staff_see_tickets_they_opened_and_of_customers_they_serve(personas: dict) -> None:
    carol, alice = personas["rep_carol"].user, personas["rep_alice"].user
    manager = service_manager(personas)
    opened = make_ticket(carol, title="我开的")
    unit = personas["rep_carol"].unit
    served = make_ticket(
        None, title="我服务的客户", department=unit, customer=customer_of(owner=None, service_owner=carol)
    )
    sold = make_ticket(None, title="我的客户", department=unit, customer=customer_of(owner=alice))
    other = make_ticket(manager, title="别人的")
    mine = set(Ticket.objects.visible_to(carol).values_list("pk", flat=True))
    assert {opened.pk, served.pk} <= mine and other.pk not in mine and sold.pk not in mine
    assert sold.pk in set(Ticket.objects.visible_to(alice).values_list("pk", flat=True))
    department = set(Ticket.objects.visible_to(manager).values_list("pk", flat=True))
    assert {opened.pk, served.pk, sold.pk, other.pk} <= department


def test_list_query_count_is_flat(personas: dict) -> None:
    manager = service_manager(personas)
    carol = personas["rep_carol"].user
    client = Client()
    client.force_login(manager)

    def queries_for(total: int) -> int:
        while Ticket.objects.count() < total:
            n = Ticket.objects.count()
            make_ticket(None, title=f"批量{n}", assignee=carol, customer=customer_of(owner=None, service_owner=carol))
        client.get("/service/tickets/", {"page_size": 50})  # warm: the user's access is cached (org.scope)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/service/tickets/", {"page_size": 50})
        assert response.content.decode().count('data-testid="ticket-row"') == total
        return len(captured.captured_queries)

    small, large = queries_for(5), queries_for(30)
    assert small == large <= 15, (small, large)


def test_list_filters_and_badges(personas: dict) -> None:
    carol = personas["rep_carol"].user
    make_ticket(carol, title="投诉甲", ticket_type=TicketType.COMPLAINT, complaint_category="price")
    make_ticket(carol, title="报修乙")
    client = personas["rep_carol"].client()
    body = client.get("/service/tickets/", {"ticket_type": "complaint"}).content.decode()
    assert "投诉甲" in body and "报修乙" not in body and 'data-testid="countdown"' in body
    body = client.get("/service/tickets/", {"q": "报修"}).content.decode()
    assert "报修乙" in body and "投诉甲" not in body
    assert client.get("/service/tickets/", {"state": "overdue", "sort": "-resolution_due"}).status_code == 200
    partial = client.get("/service/tickets/", {"state": "at_risk"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="rows"' in partial and "<html" not in partial
    export = client.get("/service/tickets/export/")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_create_page_and_detail_actions(personas: dict) -> None:
    carol = personas["rep_carol"].user
    client = personas["rep_carol"].client()
    assert client.get("/service/tickets/new/").status_code == 200
    customer = customer_of(owner=None, service_owner=carol)
    response = client.post(
        "/service/tickets/new/",
        {
            "ticket_type": "complaint",
            "complaint_category": "service_attitude",
            "priority": "high",
            "channel": "phone",
            "title": "态度投诉",
            "customer": customer.pk,
            "description": "客服态度差",
            "complaint-root_cause": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ticket = Ticket.objects.get(title="态度投诉")
    detail = client.get(f"/service/tickets/{ticket.pk}/").content.decode()
    assert ticket.rules_version.label in detail and f"/support/t/{ticket.public_token}/" in detail
    assert 'data-testid="complaint-section"' in detail
    client.post(f"/service/tickets/{ticket.pk}/start/")
    response = client.post(f"/service/tickets/{ticket.pk}/resolve/", {"resolve-resolution": "已道歉"})
    assert response.status_code == 422
    assert shown(svc.ROOT_CAUSE_REQUIRED) in response.content.decode()
    response = client.post(
        f"/service/tickets/{ticket.pk}/resolve/",
        {"resolve-resolution": "已道歉", "resolve-root_cause": "培训不足", "resolve-corrective_action": "专项培训"},
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    detail = client.get(f"/service/tickets/{ticket.pk}/").content.decode()
    assert 'data-testid="survey-invitation"' in detail


def test_illegal_action_shows_the_message(personas: dict) -> None:
    carol = personas["rep_carol"].user
    ticket = make_ticket(carol)
    response = personas["rep_carol"].client().post(f"/service/tickets/{ticket.pk}/resume/", follow=True)
    expected = str(svc.ILLEGAL_TRANSITION) % {"status": TicketStatus.NEW.label, "action": svc.ACTION_LABELS["resume"]}
    assert shown(expected) in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW


def test_api_create_list_and_actions(personas: dict) -> None:
    carol = personas["rep_carol"].user
    client = personas["rep_carol"].client()
    customer = customer_of(owner=None, service_owner=carol)
    response = client.post(
        "/api/v1/tickets/",
        {
            "title": "API 工单",
            "ticket_type": "repair",
            "priority": "urgent",
            "customer": customer.pk,
            "description": "无法开机",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["number"].startswith("GD") and data["countdown"]["state"] in ("ok", "warning", "overdue")
    listed = client.get("/api/v1/tickets/", {"priority": "urgent"}).json()
    assert [row["id"] for row in listed["results"]] == [data["id"]]
    assert client.post(f"/api/v1/tickets/{data['id']}/resume/", {}, content_type="application/json").status_code == 400
    assert (
        client.post(f"/api/v1/tickets/{data['id']}/start/", {}, content_type="application/json").json()["status"]
        == "in_progress"
    )
    assert (
        client.post(
            f"/api/v1/tickets/{data['id']}/assign/", {"assignee": carol.pk}, content_type="application/json"
        ).status_code
        == 403
    )
    resolved = client.post(
        f"/api/v1/tickets/{data['id']}/resolve/", {"resolution": "更换电源"}, content_type="application/json"
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    events = client.get(f"/api/v1/tickets/{data['id']}/events/").json()
    assert [e["kind"] for e in events][0] == "created"


def test_api_raise_improvement_from_a_complaint(personas: dict) -> None:
    carol = personas["rep_carol"].user
    manager = service_manager(personas)
    complaint = make_ticket(carol, ticket_type=TicketType.COMPLAINT, complaint_category="delivery")
    client = Client()
    client.force_login(manager)
    response = client.post(
        f"/api/v1/tickets/{complaint.pk}/raise-improvement/",
        {"title": "优化发货流程", "owner": carol.pk, "due_date": "2099-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    repair = make_ticket(carol)
    response = client.post(
        f"/api/v1/tickets/{repair.pk}/raise-improvement/",
        {"title": "x", "owner": carol.pk, "due_date": "2099-01-31"},
        content_type="application/json",
    )
    assert response.status_code == 400
