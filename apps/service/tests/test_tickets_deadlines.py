"""Warnings and escalations of the service clock (``ticket_check_deadlines``), with a frozen clock."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from apps.core.models import Notification
from apps.core.workdays import TZ
from apps.service.choices import EscalationLevel, TicketEventKind, TicketPriority, TicketType
from apps.service.services import tickets as svc
from apps.service.tasks.tickets import check_ticket_deadlines
from apps.service.tests.factories_tickets import make_ticket, service_manager

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def travel(text: str) -> time_machine.travel:
    return time_machine.travel(at(text), tick=False)


def check(text: str) -> dict:
    with travel(text):
        return svc.ticket_check_deadlines()


def notes(user: object) -> int:
    return Notification.objects.filter(recipient=user).count()


@pytest.fixture
def complaint(personas: dict) -> object:
    """A high-priority complaint opened by carol on Monday 09:00: first response due 11:00 (2 working hours)."""
    service_manager(personas)
    with travel("2026-11-23T09:00"):
        return make_ticket(
            personas["rep_carol"].user,
            ticket_type=TicketType.COMPLAINT,
            complaint_category="product_quality",
            priority=TicketPriority.HIGH,
        )


def test_warning_once_at_the_warning_share(personas: dict, complaint: object) -> None:
    manager = complaint.department.manager
    before = notes(manager)
    assert check("2026-11-23T10:00")["warned"] == 0  # 50 %
    assert check("2026-11-23T10:31")["warned"] == 1  # past 75 %
    assert check("2026-11-23T10:40")["warned"] == 0  # once
    assert notes(manager) == before + 1  # unassigned: the department manager is warned
    assert complaint.events.filter(kind=TicketEventKind.WARNED).count() == 1


def test_assignee_is_warned(personas: dict) -> None:
    carol = personas["rep_carol"].user
    service_manager(personas)
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(carol, priority=TicketPriority.MEDIUM, assignee=carol)  # repair: 8 h first response
    before = notes(carol)
    assert check("2026-11-23T16:30")["warned"] == 1  # 6.5 of 8 working hours
    assert notes(carol) == before + 1
    ticket.refresh_from_db()
    assert ticket.warned_at is not None


def test_breached_complaint_escalates_to_the_manager_then_to_senior_management(
    personas: dict, complaint: object
) -> None:
    manager = complaint.department.manager
    dave = personas["auditor_dave"].user
    assert check("2026-11-23T11:01")["escalated"] == 1
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    assert Notification.objects.filter(recipient=manager, url__endswith=f"/{complaint.pk}/").exists()
    assert notes(dave) == 0
    assert check("2026-11-23T11:30") == {"checked": 1, "warned": 0, "escalated": 0, "escalated_senior": 0}
    # senior_after_hours (8 working hours) after 11:01 Monday is 11:01 Tuesday.
    assert check("2026-11-24T10:59")["escalated_senior"] == 0
    with travel("2026-11-24T11:02"):
        assert check_ticket_deadlines()["escalated_senior"] == 1
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.SENIOR_MANAGEMENT
    assert notes(dave) == 1
    assert check("2026-11-25T11:02")["escalated_senior"] == 0
    assert notes(dave) == 1
    assert complaint.events.filter(kind=TicketEventKind.ESCALATED).count() == 2


def test_other_types_stop_at_the_department_manager(personas: dict) -> None:
    service_manager(personas)
    dave = personas["auditor_dave"].user
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(personas["rep_carol"].user, priority=TicketPriority.URGENT)  # repair: 2 h
    assert check("2026-11-23T11:01")["escalated"] == 1
    assert check("2026-11-26T11:01")["escalated_senior"] == 0
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    assert notes(dave) == 0


def test_paused_tickets_neither_warn_nor_escalate(personas: dict, complaint: object) -> None:
    carol = personas["rep_carol"].user
    manager = complaint.department.manager
    with travel("2026-11-23T09:10"):
        ticket = svc.ticket_assign(actor=manager, ticket=complaint, assignee=carol)
        ticket = svc.ticket_start(actor=carol, ticket=ticket)
        svc.ticket_await_customer(actor=carol, ticket=ticket)
    # resolution 16 h would be due Tuesday 09:00 + … but the ticket waits: nothing happens
    assert check("2026-11-27T17:00") == {"checked": 0, "warned": 0, "escalated": 0, "escalated_senior": 0}
