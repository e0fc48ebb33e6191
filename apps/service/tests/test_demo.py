"""The customer-service demo (scaled down): consistent records (deadlines from the rules in force, events for every
handled ticket, CSAT from the ratings given, routings acknowledged by the receiving managers), idempotent."""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal

import pytest
import time_machine
from django.db.models import Count

from apps.core.workdays import TZ, add_working_hours
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.org import demo as org_demo
from apps.org.models import User
from apps.policy.rules import parse_rules
from apps.service import demo
from apps.service.choices import OPEN_STATUSES, RoutingStatus, TicketEventKind, TicketStatus, TicketType
from apps.service.demo import feedback as demo_feedback
from apps.service.demo import relationship as demo_relationship
from apps.service.demo import tickets as demo_tickets
from apps.service.models import DueContact, Feedback, FeedbackRouting, RelationshipContact, Ticket, TicketEvent
from apps.surveys import demo as surveys_demo
from apps.surveys.choices import QuestionKind, SurveyKind
from apps.surveys.models import Answer, SurveyCampaign, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 6, 15, 10, 30, tzinfo=TZ)
MODELS = (
    Ticket,
    TicketEvent,
    Feedback,
    FeedbackRouting,
    RelationshipContact,
    DueContact,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    Answer,
)


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.setattr(demo_tickets, "HISTORY_COUNT", 120)
    monkeypatch.setattr(demo_tickets, "RECENT_COUNT", 12)
    monkeypatch.setattr(demo_feedback, "COUNT", 30)
    monkeypatch.setattr(demo_relationship, "COUNT", 80)
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        org_demo.load(out)
        owners = list(User.objects.filter(username__in=("sales1", "sales2")))
        for i in range(16):
            customer = CustomerFactory(owner=owners[i % 2], level="ABC"[i % 3])
            ContactFactory(customer=customer)
        surveys_demo.load(out)
        demo.load(out)
    return out


def test_the_demo_is_consistent(loaded: io.StringIO) -> None:
    tickets = list(Ticket.objects.select_related("rules_version"))
    assert len(tickets) - sum(t.origin == "survey" for t in tickets) == 120 + 5 + 12 + 6
    assert all(t.customer.service_owner.username in demo_tickets.SERVICE_STAFF for t in tickets)
    complaints = [t for t in tickets if t.ticket_type == TicketType.COMPLAINT]
    assert 0.08 < len(complaints) / len(tickets) < 0.25
    assert all(t.complaint_category for t in complaints)
    assert all(t.root_cause and t.corrective_action for t in complaints if t.resolved_at)
    events = {(e["ticket_id"], e["kind"]) for e in TicketEvent.objects.values("ticket_id", "kind")}
    for t in tickets:
        assert (
            (t.pk, TicketEventKind.CREATED) in events
            and (t.pk, TicketEventKind.ASSIGNED) in events
            or (t.assignee_id is None)
        )
        if t.status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            assert t.first_responded_at <= t.resolved_at <= NOW
            assert (t.pk, TicketEventKind.STATUS) in events
        if t.escalation_level:
            assert (t.pk, TicketEventKind.ESCALATED) in events
        rules = parse_rules(t.rules_version.rules).deadline(t.ticket_type, t.priority)
        assert t.first_response_due == add_working_hours(t.created_at, rules.first_response_hours)
        assert t.resolution_due == add_working_hours(t.created_at, rules.resolution_hours + float(t.paused_hours))
    handled = [t for t in tickets if t.resolved_at]
    on_time = sum(t.first_responded_at <= t.first_response_due for t in handled)
    assert on_time / len(handled) > 0.8
    assert any(t.status in OPEN_STATUSES for t in tickets)

    routings = list(FeedbackRouting.objects.select_related("department", "acknowledged_by"))
    assert routings and {r.department.code for r in routings} <= {"sales", "marketing"}
    managers = {"sales": "sales_mgr", "marketing": "mkt_mgr"}
    for r in routings:
        if r.status != RoutingStatus.PENDING:
            assert r.acknowledged_by.username == managers[r.department.code]
    assert RelationshipContact.objects.count() >= 80
    assert DueContact.objects.exists()

    quarterly = SurveyCampaign.objects.filter(kind=SurveyKind.CAMPAIGN)
    assert quarterly.count() == 6  # 2025 Q1 … 2026 Q2 (sent in May)
    for response in SurveyResponse.objects.prefetch_related("answers__question"):
        ratings = [a.number for a in response.answers.all() if a.question.kind == QuestionKind.RATING]
        assert response.csat == (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    post_ticket = SurveyInvitation.objects.filter(campaign__kind=SurveyKind.POST_TICKET)
    assert post_ticket.count() == sum(1 for t in handled if t.customer_id)


def test_loading_twice_changes_nothing(loaded: io.StringIO) -> None:
    before = {m.__name__: m.objects.count() for m in MODELS}
    statuses = dict(Ticket.objects.values_list("status").annotate(n=Count("pk")))
    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        demo.load(io.StringIO())
        surveys_demo.load(io.StringIO())
    assert {m.__name__: m.objects.count() for m in MODELS} == before
    assert dict(Ticket.objects.values_list("status").annotate(n=Count("pk"))) == statuses
