"""The service dashboard: every figure is computed here again, independently, from the records the viewer may see
(a manager of the service department sees its tickets, senior management all), with a frozen clock; the number of
queries does not grow with the data; the area's entry page sends managers to the dashboard and staff to their
tickets."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import secrets
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from apps.core.workdays import TZ, add_working_hours, working_hours_between
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.policy.selectors import rules_in_force
from apps.service.choices import (
    OPEN_STATUSES,
    ComplaintCategory,
    DueContactReason,
    DueContactStatus,
    EscalationLevel,
    RoutingStatus,
    TicketStatus,
    TicketType,
)
from apps.service.models import DueContact, Feedback, FeedbackRouting, Ticket
from apps.surveys.models import Questionnaire, SurveyCampaign, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 9, 30, 16, 0, tzinfo=TZ)  # Q3 2026: 2026-07-01 ~ 2026-09-30
Q3 = (dt.datetime(2026, 7, 1, tzinfo=TZ), dt.datetime(2026, 10, 1, tzinfo=TZ))
TYPES = [TicketType.CONSULTATION, TicketType.REPAIR, TicketType.COMPLAINT, TicketType.SUGGESTION]
PRIORITIES = ["urgent", "high", "medium", "low"]


@pytest.fixture
def world(personas: dict) -> dict[str, Any]:
    """The service department (personas' 客户服务部, with carol) gets a manager; sales A has alice's tickets."""
    service = personas["rep_carol"].unit
    manager = make_employee("svc_mgr", "服务经理", service, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    service.manager = manager
    service.save(update_fields=["manager"])
    other = make_department("外部服务组", "t-other", DepartmentKind.CUSTOMER_SERVICE)
    return {
        "service": service,
        "other": other,
        "manager": manager,
        "carol": personas["rep_carol"].user,
        "alice": personas["rep_alice"].user,
        "dave": personas["auditor_dave"].user,
        "personas": personas,
    }


def _tickets(world: dict[str, Any], count: int, seed: int = 7) -> list[Ticket]:
    """``count`` tickets of the service department (carol's) and ``count`` // 2 of sales A (alice's), opened over
    June–September, in every state, with deadlines from the rules in force."""
    rng = random.Random(seed)
    rules = rules_in_force(NOW.date())
    made = []
    for i in range(count + count // 2):
        mine = i < count
        ticket_type = rng.choice(TYPES)
        priority = rng.choice(PRIORITIES)
        deadline = rules.rules.deadline(ticket_type, priority)
        created = dt.datetime(2026, 6, 1, 9, tzinfo=TZ) + dt.timedelta(hours=rng.randint(0, 2900))
        created = min(created, NOW - dt.timedelta(hours=2))
        first_due = add_working_hours(created, deadline.first_response_hours)
        resolution_due = add_working_hours(created, deadline.resolution_hours)
        status = rng.choice(
            [
                TicketStatus.NEW,
                TicketStatus.IN_PROGRESS,
                TicketStatus.WAITING_CUSTOMER,
                TicketStatus.RESOLVED,
                TicketStatus.CLOSED,
                TicketStatus.CLOSED,
            ]
        )
        responded = None if status == TicketStatus.NEW else min(created + dt.timedelta(hours=rng.uniform(0.2, 30)), NOW)
        resolved = (
            min(responded + dt.timedelta(hours=rng.uniform(1, 120)), NOW)
            if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED)
            else None
        )
        escalation = rng.choice([0, 0, 0, 1, 2])
        ticket = Ticket.objects.create(
            number=f"GD-T{seed}-{i:04d}",
            title=f"测试工单{i}",
            ticket_type=ticket_type,
            priority=priority,
            complaint_category=rng.choice(ComplaintCategory.values) if ticket_type == TicketType.COMPLAINT else "",
            description="测试",
            status=status,
            assignee=world["carol"] if mine else world["alice"],
            department=world["service"] if mine else world["personas"]["rep_alice"].unit,
            rules_version_id=rules.version_id,
            first_response_due=first_due,
            resolution_due=resolution_due,
            first_responded_at=responded,
            resolved_at=resolved,
            paused_hours=Decimal(rng.choice(["0", "0", "1.50", "4.00"])) if resolved else Decimal("0"),
            escalation_level=escalation,
            escalated_at=created + dt.timedelta(hours=rng.randint(1, 40)) if escalation else None,
            public_token=secrets.token_urlsafe(32),
        )
        Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
        ticket.created_at = created
        made.append(ticket)
    return made


def _answers(world: dict[str, Any], count: int, seed: int = 3) -> list[SurveyResponse]:
    """Survey answers of the service department (carol's) and of alice's, from April to September."""
    rng = random.Random(seed)
    questionnaire = Questionnaire.objects.create(title="测试问卷")
    bob = world["personas"]["lead_bob"]  # the campaign's owner sees all its answers; the viewers here do not own it
    campaign = SurveyCampaign.objects.create(
        name="测试调查", questionnaire=questionnaire, owner=bob.user, owner_unit=bob.unit
    )
    from apps.customers.tests.factories import CustomerFactory

    customer = CustomerFactory()
    made = []
    for i in range(count + count // 2):
        mine = i < count
        invitation = SurveyInvitation.objects.create(
            campaign=campaign,
            customer=customer,
            token=secrets.token_urlsafe(32),
            expires_at=NOW + dt.timedelta(days=30),
            owner=world["carol"] if mine else world["alice"],
            owner_unit=world["service"] if mine else world["personas"]["rep_alice"].unit,
        )
        made.append(
            SurveyResponse.objects.create(
                invitation=invitation,
                campaign=campaign,
                submitted_at=dt.datetime(2026, 4, 1, 10, tzinfo=TZ) + dt.timedelta(hours=rng.randint(0, 4300)),
                csat=Decimal(rng.choice(["2.00", "3.33", "4.00", "4.67", "5.00"])),
                nps_score=rng.randint(3, 10),
            )
        )
    return made


def _visible(world: dict[str, Any], viewer: str, tickets: list[Any]) -> list[Any]:
    if viewer == "dave":
        return tickets
    unit = world["service"]
    return [t for t in tickets if (t.department_id if isinstance(t, Ticket) else t.invitation.owner_unit_id) == unit.pk]


def _pct(part: int, whole: int) -> Decimal | None:
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP) if whole else None


def _avg(values: list[float]) -> Decimal | None:
    return Decimal(str(sum(values) / len(values))).quantize(Decimal("0.1"), ROUND_HALF_UP) if values else None


def _in_q3(moment: dt.datetime | None) -> bool:
    return moment is not None and Q3[0] <= moment < Q3[1]


def _get(world: dict[str, Any], who: str, **params: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(world[who])
    with time_machine.travel(NOW, tick=False):
        return client.get(reverse("service:dashboard"), params)


@pytest.mark.parametrize("viewer", ["manager", "dave"])
def test_every_figure_counts_the_viewers_tickets(world: dict[str, Any], viewer: str) -> None:
    tickets = _visible(world, "dave" if viewer == "dave" else viewer, _tickets(world, 40))
    response = _get(world, viewer)
    assert response.status_code == 200
    ctx = response.context

    open_ = [t for t in tickets if t.status in OPEN_STATUSES]
    assert ctx["open"].total == len(open_)
    assert {r["status"]: r["count"] for r in ctx["open"].by_status} == {
        s: sum(t.status == s for t in open_) for s in OPEN_STATUSES
    }
    assert ctx["open"].overdue == sum(
        t.resolution_due < NOW and t.status != TicketStatus.WAITING_CUSTOMER for t in open_
    )
    assert ctx["open"].escalated == sum(t.escalation_level > 0 for t in open_)

    fr_due = [
        t for t in tickets if _in_q3(t.first_response_due) and (t.first_response_due <= NOW or t.first_responded_at)
    ]
    fr_met = [t for t in fr_due if t.first_responded_at and t.first_responded_at <= t.first_response_due]
    res_due = [t for t in tickets if _in_q3(t.resolution_due) and (t.resolution_due <= NOW or t.resolved_at)]
    res_met = [t for t in res_due if t.resolved_at and t.resolved_at <= t.resolution_due]
    c = ctx["compliance"]
    assert (c.first_response_total, c.first_response_met) == (len(fr_due), len(fr_met))
    assert (c.resolution_total, c.resolution_met) == (len(res_due), len(res_met))
    assert c.first_response_pct == _pct(len(fr_met), len(fr_due))
    assert f'data-testid="kpi-resolution-pct">{_pct(len(res_met), len(res_due))}%' in response.content.decode()
    assert c.escalated == sum(_in_q3(t.escalated_at) for t in tickets)
    assert c.escalated_senior == sum(
        _in_q3(t.escalated_at) and t.escalation_level == EscalationLevel.SENIOR_MANAGEMENT for t in tickets
    )

    def resolution_hours(t: Ticket) -> float:
        return max(working_hours_between(t.created_at, t.resolved_at) - float(t.paused_hours), 0.0)

    times = ctx["times"]
    first = [working_hours_between(t.created_at, t.first_responded_at) for t in tickets if _in_q3(t.first_responded_at)]
    resolved = [resolution_hours(t) for t in tickets if _in_q3(t.resolved_at)]
    assert (times.first_response_hours, times.first_response_count) == (_avg(first), len(first))
    assert (times.resolution_hours, times.resolution_count) == (_avg(resolved), len(resolved))

    complaints = [t for t in tickets if t.ticket_type == TicketType.COMPLAINT and _in_q3(t.created_at)]
    assert {r.category: (r.count, r.resolved) for r in times.complaints} == {
        cat: (
            sum(t.complaint_category == cat for t in complaints),
            sum(t.complaint_category == cat and t.resolved_at is not None for t in complaints),
        )
        for cat in ComplaintCategory.values
    }
    assert times.complaint_resolved_pct == _pct(sum(t.resolved_at is not None for t in complaints), len(complaints))
    assert times.complaint_resolution_hours == _avg([resolution_hours(t) for t in complaints if t.resolved_at])

    per_month = {r["month"]: (r["tickets"], r["complaints"]) for r in ctx["per_month"]}
    assert list(per_month) == ["2026-07", "2026-08", "2026-09"]
    for month, (n, n_complaints) in per_month.items():
        in_month = [t for t in tickets if t.created_at.astimezone(TZ).strftime("%Y-%m") == month]
        assert (n, n_complaints) == (len(in_month), sum(t.ticket_type == TicketType.COMPLAINT for t in in_month))


@pytest.mark.parametrize("viewer", ["manager", "dave"])
def test_csat_and_nps_count_the_viewers_answers(world: dict[str, Any], viewer: str) -> None:
    answers = _visible(world, "dave" if viewer == "dave" else viewer, _answers(world, 30))
    quarter = [a for a in answers if _in_q3(a.submitted_at)]
    response = _get(world, viewer)
    summary = response.context["satisfaction"]["quarter"]
    assert summary["count"] == len(quarter)
    assert summary["csat"] == (sum(a.csat for a in quarter) / len(quarter)).quantize(Decimal("0.01"), ROUND_HALF_UP)
    promoters = sum(a.nps_score >= 9 for a in quarter)
    detractors = sum(a.nps_score <= 6 for a in quarter)
    assert (summary["promoters"], summary["detractors"]) == (promoters, detractors)
    assert summary["nps"] == int(
        (Decimal(promoters - detractors) * 100 / len(quarter)).quantize(Decimal("1"), ROUND_HALF_UP)
    )
    assert f'data-testid="kpi-nps">{summary["nps"]}<' in response.content.decode()
    trend = {r["month"]: r["count"] for r in response.context["satisfaction"]["trend"]}
    assert len(trend) == 12 and list(trend)[-1] == "2026-09"
    for month, n in trend.items():
        assert n == sum(a.submitted_at.astimezone(TZ).strftime("%Y-%m") == month for a in answers)


def test_staff_see_only_their_own_tickets(world: dict[str, Any]) -> None:
    tickets = _tickets(world, 12)
    other_staff = make_employee("svc2", "客服二", world["service"], BuiltinRole.STAFF).user
    Ticket.objects.filter(pk=tickets[0].pk).update(assignee=other_staff)
    response = _get(world, "carol")
    carols = [t for t in tickets[1:12] if t.status in OPEN_STATUSES]
    assert response.context["open"].total == len(carols)
    assert response.context["own_figures_only"]


def test_waiting_items_are_counted_and_linked(world: dict[str, Any]) -> None:
    from apps.customers.tests.factories import CustomerFactory

    customer = CustomerFactory(service_owner=world["carol"])
    feedback = Feedback.objects.create(
        customer=customer, category="product", content="反馈", created_by=world["carol"], owner_unit=world["service"]
    )
    for i, (department, due, status) in enumerate(
        [
            (world["service"], NOW - dt.timedelta(hours=3), RoutingStatus.PENDING),
            (world["service"], NOW + dt.timedelta(hours=3), RoutingStatus.PENDING),
            (world["other"], NOW - dt.timedelta(hours=3), RoutingStatus.PENDING),
        ]
    ):
        f = (
            feedback
            if i == 0
            else Feedback.objects.create(
                customer=customer,
                category="price",
                content=f"反馈{i}",
                created_by=world["carol"],
                owner_unit=world["service"],
            )
        )
        FeedbackRouting.objects.create(feedback=f, department=department, acknowledge_due=due, status=status)
    for days, status in (
        (-2, DueContactStatus.OPEN),
        (0, DueContactStatus.OPEN),
        (3, DueContactStatus.OPEN),
        (-5, DueContactStatus.DONE),
    ):
        DueContact.objects.create(
            customer=customer,
            reason=DueContactReason.CADENCE,
            due_on=NOW.date() + dt.timedelta(days=days),
            status=status,
            owner=world["carol"],
            owner_unit=world["service"],
        )
    response = _get(world, "manager")
    # Overdue: the one routed to the service department, and the one it sent elsewhere (its own feedback).
    assert (response.context["overdue_routings"], response.context["overdue_routings_to_us"]) == (2, 1)
    assert response.context["due_contacts"] == 2
    html = response.content.decode()
    for name, testid in (("service:routing_list", "overdue-routings"), ("service:due_contact_list", "due-contacts")):
        with contextlib.suppress(NoReverseMatch):
            assert f'data-testid="{testid}"><a href="{reverse(name)}">' in html


def test_the_period_switch(world: dict[str, Any]) -> None:
    _tickets(world, 6)
    assert _get(world, "manager", period="month").context["period"].start == dt.date(2026, 9, 1)
    year = _get(world, "manager", period="year").context["period"]
    assert (year.start, year.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    custom = _get(world, "manager", period="custom", start="2026-08-31", end="2026-06-01")
    assert (custom.context["period"].start, custom.context["period"].end) == (dt.date(2026, 6, 1), dt.date(2026, 8, 31))
    assert [r["month"] for r in custom.context["per_month"]] == ["2026-06", "2026-07", "2026-08"]
    assert _get(world, "manager", period="nonsense").context["period"].kind == "quarter"


def test_the_number_of_queries_does_not_grow_with_the_data(world: dict[str, Any]) -> None:
    from django.test import Client

    client = Client()
    client.force_login(world["manager"])
    counts = []
    for seed, size in ((1, 6), (2, 60)):
        _tickets(world, size, seed=seed)
        _answers(world, size // 2, seed=seed)
        with time_machine.travel(NOW, tick=False):
            client.get(reverse("service:dashboard"), {"period": "year"})  # warm: the user's access is cached
        with time_machine.travel(NOW, tick=False), CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("service:dashboard"), {"period": "year"}).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 25


def test_the_entry_page_sends_managers_to_the_dashboard_and_staff_to_their_tickets(world: dict[str, Any]) -> None:
    from django.test import Client

    for who, expected in (
        ("manager", "service:dashboard"),
        ("dave", "service:dashboard"),
        ("carol", "service:ticket_list"),
    ):
        client = Client()
        client.force_login(world[who])
        try:
            target = reverse(expected)
        except NoReverseMatch:
            target = reverse("service:dashboard")
        response = client.get(reverse("service:index"))
        assert response.status_code == 302 and response["Location"] == target, who


def test_anonymous_and_unpermitted(world: dict[str, Any]) -> None:
    from django.test import Client

    anonymous = Client().get(reverse("service:dashboard"))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    nobody = make_employee("nobody", "无权限", world["other"]).user
    client = Client()
    client.force_login(nobody)
    assert client.get(reverse("service:dashboard")).status_code == 403
    assert client.get(reverse("service:index")).status_code == 403
