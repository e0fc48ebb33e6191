"""Ticket services: the clock from the rules in force, pause and resume, the status machine, complaints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from apps.core.models import Notification
from apps.core.testing import shown
from apps.core.workdays import TZ, working_hours_between
from apps.policy.selectors import rules_in_force
from apps.service.choices import TicketEventKind, TicketOrigin, TicketPriority, TicketStatus, TicketType
from apps.service.services import sla
from apps.service.services import tickets as svc
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def travel(text: str) -> time_machine.travel:
    return time_machine.travel(at(text), tick=False)


def test_create_sets_number_token_rules_version_and_deadlines_skipping_national_day(personas: dict) -> None:
    carol = personas["rep_carol"].user
    customer = customer_of(owner=None, service_owner=carol)
    with travel("2026-09-30T16:00"):
        ticket = make_ticket(
            carol,
            ticket_type=TicketType.COMPLAINT,
            complaint_category="product_quality",
            priority=TicketPriority.HIGH,
            customer=customer,
        )
    in_force = rules_in_force(dt.date(2026, 9, 30))
    assert ticket.rules_version_id == in_force.version_id
    assert ticket.number.startswith("GD") and len(ticket.public_token) >= 40
    assert ticket.status == TicketStatus.NEW and ticket.department == personas["rep_carol"].unit
    assert ticket.created_by == carol and ticket.origin == TicketOrigin.STAFF
    # complaint/high: first response 2 h (16:00–18:00 on the 30th), resolution 16 h:
    # 2 h on 30 Sep, 1–7 Oct off, 8 Oct 8 h, 9 Oct 6 h → 9 Oct 16:00.
    assert in_force.rules.deadline("complaint", "high").first_response_hours == 2
    assert ticket.first_response_due == at("2026-09-30T18:00")
    assert ticket.resolution_due == at("2026-10-09T16:00")
    assert list(ticket.events.values_list("kind", flat=True)) == [TicketEventKind.CREATED]


def test_make_up_saturday_counts(personas: dict) -> None:
    carol = personas["rep_carol"].user
    with travel("2026-10-09T14:00"):  # Friday; Saturday 10 Oct is a make-up workday
        ticket = make_ticket(carol, ticket_type=TicketType.REPAIR, priority=TicketPriority.MEDIUM)  # 8 h / 32 h
    assert ticket.first_response_due == at("2026-10-10T14:00")
    assert working_hours_between(ticket.created_at, ticket.resolution_due) == pytest.approx(32)


def test_public_ticket_without_actor(personas: dict) -> None:
    with travel("2026-11-25T10:00"):
        ticket = make_ticket(
            None,
            origin=TicketOrigin.PUBLIC_FORM,
            requester_name="王先生",
            requester_mobile="13900000000",
            channel="web",
        )
    assert ticket.created_by is None and ticket.origin == TicketOrigin.PUBLIC_FORM
    assert ticket.department.kind == "customer_service"


def test_complaint_needs_category(personas: dict) -> None:
    with pytest.raises(ValidationError) as exc:
        make_ticket(personas["rep_carol"].user, ticket_type=TicketType.COMPLAINT)
    assert "complaint_category" in exc.value.message_dict


def test_pause_and_resume_push_the_deadlines_by_the_paused_working_hours(personas: dict) -> None:
    carol = personas["rep_carol"].user
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(carol, assignee=carol)
    with travel("2026-11-23T10:00"):
        ticket = svc.ticket_start(actor=carol, ticket=ticket)
    before = ticket.resolution_due
    first_before = ticket.first_response_due
    with travel("2026-11-23T11:00"):
        ticket = svc.ticket_await_customer(actor=carol, ticket=ticket, body="请提供设备序列号")
    with travel("2026-11-23T11:30"):
        assert sla.countdown(ticket).state == sla.STATE_PAUSED
    with travel("2026-11-24T10:30"):  # 11:00–12:00, 13:00–18:00 and 09:00–10:30: 7.5 working hours
        ticket = svc.ticket_resume(actor=carol, ticket=ticket)
    assert ticket.paused_hours == Decimal("7.5")
    assert working_hours_between(before, ticket.resolution_due) == pytest.approx(7.5)
    assert ticket.first_response_due == first_before  # already met when work started
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.waiting_since is None


def test_changing_priority_recomputes_from_created_at_keeping_paused_hours(personas: dict) -> None:
    carol = personas["rep_carol"].user
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(carol, assignee=carol)
        ticket = svc.ticket_start(actor=carol, ticket=ticket)
        ticket = svc.ticket_await_customer(actor=carol, ticket=ticket)
    with travel("2026-11-23T11:00"):
        ticket = svc.ticket_resume(actor=carol, ticket=ticket)
    with travel("2026-11-23T14:00"):
        ticket = svc.ticket_update(actor=carol, ticket=ticket, data={"priority": TicketPriority.URGENT})
    # repair/urgent: resolution 8 h + 2 h paused from 09:00 Monday → Tuesday 11:00
    assert ticket.resolution_due == at("2026-11-24T11:00")


def test_illegal_transitions_are_refused(personas: dict) -> None:
    carol = personas["rep_carol"].user
    ticket = make_ticket(carol)
    with pytest.raises(ValidationError):
        svc.ticket_resolve(actor=carol, ticket=ticket, resolution="done")
    with pytest.raises(ValidationError):
        svc.ticket_resume(actor=carol, ticket=ticket)
    with pytest.raises(ValidationError):
        svc.ticket_reopen(actor=carol, ticket=ticket)
    manager = service_manager(personas)
    with pytest.raises(ValidationError) as exc:
        svc.ticket_close(actor=manager, ticket=ticket)
    assert shown(TicketStatus.NEW.label) in " ".join(exc.value.messages)


def test_first_response_is_the_first_reply(personas: dict) -> None:
    carol = personas["rep_carol"].user
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(carol)
    with travel("2026-11-23T09:30"):
        svc.ticket_reply(actor=carol, ticket=ticket, body="您好，已收到")
    with travel("2026-11-23T10:00"):
        svc.ticket_reply(actor=carol, ticket=ticket, body="第二次")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == at("2026-11-23T09:30")


def test_complaint_resolve_needs_root_cause_and_sends_the_survey(personas: dict) -> None:
    carol = personas["rep_carol"].user
    customer = customer_of(owner=None, service_owner=carol)
    ticket = make_ticket(
        carol,
        ticket_type=TicketType.COMPLAINT,
        complaint_category="service_attitude",
        customer=customer,
        assignee=carol,
    )
    ticket = svc.ticket_start(actor=carol, ticket=ticket)
    with pytest.raises(ValidationError) as exc:
        svc.ticket_resolve(actor=carol, ticket=ticket, resolution="已道歉")
    assert shown(svc.ROOT_CAUSE_REQUIRED) in [shown(m) for m in exc.value.message_dict["root_cause"]]
    ticket = svc.ticket_resolve(
        actor=carol,
        ticket=ticket,
        resolution="已道歉",
        root_cause="话术不当",
        corrective_action="培训",
        compensation_amount=Decimal("200"),
    )
    assert ticket.status == TicketStatus.RESOLVED and ticket.resolved_at is not None
    from apps.surveys.models import SurveyInvitation

    assert SurveyInvitation.objects.filter(source_id=ticket.pk).count() == 1


def test_customer_confirm_reopen_and_message(personas: dict) -> None:
    carol = personas["rep_carol"].user
    ticket = make_ticket(carol, assignee=carol)
    ticket = svc.ticket_start(actor=carol, ticket=ticket)
    ticket = svc.ticket_await_customer(actor=carol, ticket=ticket)
    svc.ticket_customer_message(ticket=ticket, body="序列号是 123")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert Notification.objects.filter(recipient=carol).exists()
    ticket = svc.ticket_resolve(actor=carol, ticket=ticket, resolution="已更换主板")
    ticket = svc.ticket_customer_reopen(ticket=ticket, body="还是不行")
    assert ticket.status == TicketStatus.IN_PROGRESS and ticket.reopen_count == 1
    ticket = svc.ticket_resolve(actor=carol, ticket=ticket, resolution="已更换电源")
    ticket = svc.ticket_customer_confirm(ticket=ticket)
    assert ticket.status == TicketStatus.CLOSED and ticket.closed_at is not None


def test_staff_cannot_assign_or_close(personas: dict) -> None:
    carol = personas["rep_carol"].user
    ticket = make_ticket(carol)
    with pytest.raises(PermissionDenied):
        svc.ticket_assign(actor=carol, ticket=ticket, assignee=carol)
    manager = service_manager(personas)
    ticket = svc.ticket_assign(actor=manager, ticket=ticket, assignee=carol)
    assert ticket.status == TicketStatus.ASSIGNED
    assert Notification.objects.filter(recipient=carol, url__contains=str(ticket.pk)).exists()


def test_countdown_states(personas: dict) -> None:
    carol = personas["rep_carol"].user
    with travel("2026-11-23T09:00"):
        ticket = make_ticket(carol, assignee=carol)  # repair/medium: first response 8 h → 18:00
    with travel("2026-11-23T10:00"):
        clock = sla.countdown(ticket)
        assert (clock.state, clock.which, clock.remaining_hours, clock.colour) == ("ok", "first_response", 7, "success")
    with travel("2026-11-23T16:30"):
        assert sla.countdown(ticket).state == sla.STATE_WARNING
    with travel("2026-11-24T10:00"):
        clock = sla.countdown(ticket)
        assert clock.state == sla.STATE_OVERDUE and clock.remaining_hours == -1
        with translation.override("en"):
            assert clock.remaining_text == "1 h"
    with travel("2026-11-24T10:00"):
        many = sla.countdowns([ticket])
    assert many[ticket.pk] == clock


@pytest.mark.parametrize(
    ("hours", "english", "chinese"),
    [
        (-1, "1 h", "1 工作小时"),
        (11.5, "1 working day 3.5 h", "1 个工作日 3.5 工作小时"),
        (16, "2 working days", "2 个工作日"),
        (-24.5, "3 working days 0.5 h", "3 个工作日 0.5 工作小时"),
    ],
)
def test_time_left_reads_in_working_days_and_hours(hours: float, english: str, chinese: str) -> None:
    """ "剩余 15.9 h" read badly: a countdown says working days (8 working hours) and working hours, in Chinese."""
    clock = sla.Countdown(sla.STATE_OK, remaining_hours=hours)
    with translation.override("en"):
        assert clock.remaining_text == english
    with translation.override("zh-hans"):
        assert clock.remaining_text == chinese
