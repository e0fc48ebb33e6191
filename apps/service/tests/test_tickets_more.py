"""Tickets: detractor follow-ups, improvement actions from complaints, the customer timeline, the workbench,
the resolution warning after the first response, and editing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core.workbench import workbench_items
from apps.core.workdays import TZ
from apps.customers.selectors.archive import customer_timeline
from apps.improvements.choices import ImprovementSource
from apps.improvements.models import ImprovementAction
from apps.service.choices import TicketOrigin, TicketPriority, TicketStatus, TicketType
from apps.service.models import Ticket
from apps.service.services import tickets as svc
from apps.service.tests.factories_tickets import customer_of, make_ticket, service_manager
from apps.surveys.models import SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def _resolved_with_invitation(personas: dict) -> Ticket:
    carol = personas["rep_carol"].user
    customer = customer_of(owner=None, service_owner=carol)
    ticket = make_ticket(carol, customer=customer, assignee=carol)
    ticket = svc.ticket_start(actor=carol, ticket=ticket)
    return svc.ticket_resolve(actor=carol, ticket=ticket, resolution="已处理")


def test_detractor_opens_one_follow_up_complaint(personas: dict) -> None:
    ticket = _resolved_with_invitation(personas)
    invitation = SurveyInvitation.objects.get(source_id=ticket.pk)
    response = SurveyResponse.objects.create(
        invitation=invitation,
        campaign=invitation.campaign,
        submitted_at=timezone.now(),
        csat=Decimal("1.67"),
        nps_score=3,
    )
    follow_up = svc.ticket_open_for_detractor(response=response)
    again = svc.ticket_open_for_detractor(response=response)
    assert follow_up.pk == again.pk
    assert follow_up.origin == TicketOrigin.SURVEY and follow_up.ticket_type == TicketType.COMPLAINT
    assert follow_up.priority == TicketPriority.HIGH and follow_up.complaint_category == "other"
    assert follow_up.assignee == invitation.owner and follow_up.customer == invitation.customer
    assert follow_up.created_by is None and follow_up.status == TicketStatus.ASSIGNED


def test_complaint_raises_an_improvement_action_and_others_cannot(personas: dict) -> None:
    carol = personas["rep_carol"].user
    complaint = make_ticket(carol, ticket_type=TicketType.COMPLAINT, complaint_category="product_quality")
    manager = service_manager(personas)
    action = svc.ticket_raise_improvement(
        actor=manager,
        ticket=complaint,
        title="改进包装",
        owner=carol,
        due_date=timezone.localdate() + dt.timedelta(days=10),
    )
    assert ImprovementAction.objects.get(pk=action.pk).source_kind == ImprovementSource.COMPLAINT
    assert action.source == complaint
    with pytest.raises(ValidationError):
        svc.ticket_raise_improvement(
            actor=manager,
            ticket=make_ticket(carol),
            title="x",
            owner=carol,
            due_date=timezone.localdate() + dt.timedelta(days=10),
        )


def test_customer_timeline_shows_tickets(personas: dict) -> None:
    carol = personas["rep_carol"].user
    customer = customer_of(owner=None, service_owner=carol)
    ticket = make_ticket(carol, customer=customer, title="时间线工单")
    events = [e for e in customer_timeline(customer=customer, user=carol) if e.kind == "ticket"]
    assert len(events) == 1 and ticket.number in events[0].title and events[0].url.endswith(f"/{ticket.pk}/")


def test_workbench_lists_my_tickets_at_risk_and_unassigned_for_managers(personas: dict) -> None:
    carol = personas["rep_carol"].user
    manager = service_manager(personas)
    with time_machine.travel(at("2026-11-23T09:00"), tick=False):
        make_ticket(carol, assignee=carol, priority=TicketPriority.URGENT, title="紧急报修")
        make_ticket(carol, title="无人处理")
    with time_machine.travel(at("2026-11-23T10:40"), tick=False):  # past 75 % of the urgent first response
        svc.ticket_check_deadlines()
        mine = [i.title for i in workbench_items(carol)]
        theirs = [i.title for i in workbench_items(manager)]
    assert any("紧急报修" in t for t in mine)
    assert theirs, theirs  # the unassigned ticket (and the urgent one's escalation, if any)


def test_after_the_first_response_the_resolution_deadline_warns_again(personas: dict) -> None:
    carol = personas["rep_carol"].user
    service_manager(personas)
    with time_machine.travel(at("2026-11-23T09:00"), tick=False):
        ticket = make_ticket(carol, assignee=carol, priority=TicketPriority.URGENT)  # repair urgent: 2 h / 8 h
    with time_machine.travel(at("2026-11-23T10:40"), tick=False):
        assert svc.ticket_check_deadlines()["warned"] == 1
        ticket = svc.ticket_start(actor=carol, ticket=ticket)
    with time_machine.travel(at("2026-11-23T17:00"), tick=False):  # 7 of 8 h of the resolution
        assert svc.ticket_check_deadlines()["warned"] == 1
        assert svc.ticket_check_deadlines()["warned"] == 0


def test_update_complaint_fields_and_closed_ticket_is_read_only(personas: dict) -> None:
    carol = personas["rep_carol"].user
    complaint = make_ticket(carol, ticket_type=TicketType.COMPLAINT, complaint_category="price", assignee=carol)
    complaint = svc.ticket_update(
        actor=carol,
        ticket=complaint,
        data={"root_cause": "报价口径不一", "corrective_action": "统一报价单", "compensation_amount": Decimal("500")},
    )
    assert complaint.root_cause == "报价口径不一"
    complaint = svc.ticket_start(actor=carol, ticket=complaint)
    complaint = svc.ticket_resolve(actor=carol, ticket=complaint, resolution="退差价")  # uses the stored fields
    assert complaint.status == TicketStatus.RESOLVED
    with pytest.raises(ValidationError):
        svc.ticket_update(actor=carol, ticket=complaint, data={"title": "改"})
    repair = make_ticket(carol)
    suggestion = svc.ticket_update(actor=carol, ticket=repair, data={"ticket_type": TicketType.SUGGESTION})
    assert suggestion.complaint_category == ""
