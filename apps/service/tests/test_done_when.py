"""Issue 5, "done when", with a frozen clock and the demo organisation:

cs1 opens a complaint; its deadlines come from the rules in force and skip the National Day holiday; unanswered at
the deadline it escalates to cs_mgr with a notification, and later to ceo; resolved, it sends a survey link; the
customer answers without an account; CSAT/NPS and the service dashboard change accordingly; the feedback it carried
is acknowledged by sales_mgr.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from apps.core.models import Notification
from apps.core.workdays import TZ, add_working_hours
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.org.models import Department, User
from apps.policy.selectors import rules_in_force
from apps.service.choices import (
    ComplaintCategory,
    EscalationLevel,
    FeedbackCategory,
    FeedbackSource,
    RoutingStatus,
    TicketChannel,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from apps.service.models import FeedbackRouting, Ticket
from apps.service.services import tickets as ticket_services
from apps.surveys.choices import QuestionKind
from apps.surveys.models import SurveyInvitation, SurveyResponse

OPENED = dt.datetime(2026, 9, 30, 16, 0, tzinfo=TZ)  # Wednesday before the National Day holiday (1–7 Oct)


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _run_jobs() -> None:
    call_command("run_due_jobs", stdout=io.StringIO())


def _notified(username: str, ticket: Ticket) -> bool:
    mentions = Q(body__contains=ticket.number) | Q(title__contains=ticket.number)
    return Notification.objects.filter(mentions, recipient__username=username).exists()


def _dashboard(client: Client) -> dict:
    response = client.get(reverse("service:dashboard"), {"period": "year"})
    assert response.status_code == 200
    return {
        "satisfaction": response.context["satisfaction"],
        "open": response.context["open"],
        "compliance": response.context["compliance"],
    }


@pytest.mark.django_db
def test_a_complaint_from_opening_to_the_survey_answer_and_the_dashboard() -> None:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    cs1, sales1 = User.objects.get(username="cs1"), User.objects.get(username="sales1")
    customer = CustomerFactory(
        owner=sales1,
        owner_unit=sales1.employee.department,
        service_owner=cs1,
        name="杭州云杉智能制造有限公司",
        level="A",
    )
    contact = ContactFactory(customer=customer, name="周建华", mobile="13957112345", is_primary=True)

    # cs1 opens a high-priority complaint at 16:00 on the Wednesday before National Day.
    with time_machine.travel(OPENED, tick=False):
        rules = rules_in_force()
        ticket = ticket_services.ticket_create(
            actor=cs1,
            data={
                "title": "设备频繁死机",
                "ticket_type": TicketType.COMPLAINT,
                "complaint_category": ComplaintCategory.PRODUCT_QUALITY,
                "priority": TicketPriority.HIGH,
                "channel": TicketChannel.PHONE,
                "customer": customer,
                "contact": contact,
                "description": "客户反映上周交付的网关设备每天死机两三次，影响产线。",
                "assignee": cs1,
            },
        )
    deadline = rules.rules.deadline(TicketType.COMPLAINT, TicketPriority.HIGH)
    assert ticket.rules_version_id == rules.version_id
    assert ticket.first_response_due == add_working_hours(OPENED, deadline.first_response_hours)
    assert ticket.resolution_due == add_working_hours(OPENED, deadline.resolution_hours)
    # 2 working hours left on the 30th (16–18), then 1–7 Oct are skipped: the rest falls on 8 and 9 October.
    remaining_after_30th = deadline.resolution_hours - 2
    assert ticket.resolution_due.astimezone(TZ).date() == dt.date(2026, 10, 8 + remaining_after_30th // 8)
    assert all(
        not (dt.date(2026, 10, 1) <= d.astimezone(TZ).date() <= dt.date(2026, 10, 7))
        for d in (ticket.first_response_due, ticket.resolution_due)
    )

    # Nobody answers: on the first working morning after the holiday the job escalates it to cs_mgr, not yet to ceo.
    with time_machine.travel(dt.datetime(2026, 10, 8, 9, 30, tzinfo=TZ), tick=False):
        _run_jobs()
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    assert _notified("cs_mgr", ticket)
    assert not _notified("ceo", ticket)

    # Still open the senior-management interval of working hours later: it goes on to ceo.
    later = add_working_hours(ticket.escalated_at, rules.rules.service_escalation.senior_after_hours)
    with time_machine.travel(later + dt.timedelta(minutes=5), tick=False):
        _run_jobs()
    ticket.refresh_from_db()
    assert ticket.escalation_level == EscalationLevel.SENIOR_MANAGEMENT
    assert _notified("ceo", ticket)

    cs_mgr_client = _login("cs_mgr")
    with time_machine.travel(later + dt.timedelta(hours=1), tick=False):
        before = _dashboard(cs_mgr_client)

        # cs1 works it, records the customer's feedback for sales, and resolves it: a survey link is sent.
        ticket_services.ticket_start(actor=cs1, ticket=ticket)
        cs1_client = _login("cs1")
        sales = Department.objects.get(code="sales")
        response = cs1_client.post(
            reverse("service:feedback_create"),
            {
                "ticket": ticket.pk,
                "customer": customer.pk,
                "category": FeedbackCategory.PRODUCT,
                "source_kind": FeedbackSource.TICKET,
                "content": "客户希望网关固件支持远程升级，减少上门次数。",
                "departments": [sales.pk],
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        routing = FeedbackRouting.objects.get(feedback__ticket=ticket, department=sales)
        ticket_services.ticket_resolve(
            actor=cs1,
            ticket=ticket,
            resolution="更换主板并升级固件，观察48小时无死机。",
            root_cause="批次主板电容虚焊",
            corrective_action="该批次全部复检并加固",
        )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    invitation = SurveyInvitation.objects.get(source_id=ticket.pk, customer=customer)
    assert invitation.answered_at is None

    # The customer answers on the public page without an account.
    anonymous = Client()
    answer_url = reverse("survey_answer:answer", args=[invitation.token])
    with time_machine.travel(later + dt.timedelta(hours=2), tick=False):
        page = anonymous.get(answer_url)
    assert page.status_code == 200
    assert customer.name in page.content.decode()
    questions = list(invitation.campaign.questionnaire.questions.order_by("order", "id"))
    ratings = [5, 4, 5]
    form: dict[str, object] = {}
    rating_questions = [q for q in questions if q.kind == QuestionKind.RATING]
    for question, value in zip(rating_questions, ratings, strict=False):
        form[f"q{question.pk}"] = value
    nps_question = next(q for q in questions if q.kind == QuestionKind.NPS)
    form[f"q{nps_question.pk}"] = 9
    with time_machine.travel(later + dt.timedelta(hours=2), tick=False):
        answered = anonymous.post(answer_url, form)
    assert answered.status_code in (200, 302)
    stored = SurveyResponse.objects.get(invitation=invitation)
    given = ratings[: len(rating_questions)]
    assert stored.csat == (Decimal(sum(given)) / len(given)).quantize(Decimal("0.01"))
    assert stored.nps_score == 9
    assert not Ticket.objects.filter(survey_response=stored).exists()  # a promoter opens no follow-up ticket

    # The dashboard's satisfaction moves by exactly this answer.
    with time_machine.travel(later + dt.timedelta(hours=3), tick=False):
        after = _dashboard(cs_mgr_client)
    assert after["satisfaction"]["period"]["count"] == before["satisfaction"]["period"]["count"] + 1
    assert after["satisfaction"]["period"]["promoters"] == before["satisfaction"]["period"]["promoters"] + 1
    assert after["satisfaction"]["period"]["csat"] == stored.csat  # the only answer in cs_mgr's scope
    assert after["satisfaction"]["period"]["nps"] == 100
    # …and the ticket left the open tickets: its first response was missed (hence the escalations) but it was
    # resolved before its resolution deadline (9 Oct 16:00), and the compliance figures say exactly that.
    assert after["open"].total == before["open"].total - 1
    assert before["open"].escalated == 1 and after["open"].escalated == 0
    assert (after["compliance"].first_response_total, after["compliance"].first_response_met) == (1, 0)
    assert (before["compliance"].resolution_total, after["compliance"].resolution_total) == (0, 1)
    assert after["compliance"].resolution_met == 1
    assert after["compliance"].escalated_senior == 1

    # sales_mgr acknowledges the feedback the complaint carried.
    with time_machine.travel(later + dt.timedelta(hours=3), tick=False):
        acknowledged = _login("sales_mgr").post(reverse("service:routing_acknowledge", args=[routing.pk]))
    assert acknowledged.status_code in (200, 302)
    routing.refresh_from_db()
    assert routing.status == RoutingStatus.ACKNOWLEDGED
    assert routing.acknowledged_by.username == "sales_mgr"


@pytest.mark.django_db
def test_cs1_sees_own_tickets_and_their_customers_and_cs_mgr_the_departments() -> None:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    users = {u.username: u for u in User.objects.filter(username__in=["cs1", "cs2", "cs_mgr", "sales1"])}
    mine = CustomerFactory(
        owner=users["sales1"],
        owner_unit=users["sales1"].employee.department,
        service_owner=users["cs1"],
        name="由cs1负责客服的客户",
    )
    other = CustomerFactory(
        owner=users["sales1"],
        owner_unit=users["sales1"].employee.department,
        service_owner=users["cs2"],
        name="由cs2负责客服的客户",
    )

    def open_ticket(title: str, customer, assignee, by: str = "cs_mgr") -> Ticket:
        return ticket_services.ticket_create(
            actor=users[by],
            data={
                "title": title,
                "ticket_type": TicketType.REPAIR,
                "priority": TicketPriority.MEDIUM,
                "channel": TicketChannel.PHONE,
                "customer": customer,
                "description": "设备无法开机，需要上门检修。",
                "assignee": assignee,
            },
        )

    own = open_ticket("cs1处理的工单", other, users["cs1"])
    customers_ticket = open_ticket("cs1客户的工单", mine, users["cs2"])
    colleagues = open_ticket("cs2处理的工单", other, users["cs2"])
    # sales1 opens and works one for their own customer: the sales department is responsible for it.
    elsewhere = open_ticket("销售部处理的工单", other, users["sales1"], by="sales1")
    assert elsewhere.department == users["sales1"].employee.department

    def seen(username: str) -> set[str]:
        page = _login(username).get(reverse("service:ticket_list"), {"page_size": 100})
        assert page.status_code == 200
        body = page.content.decode()
        api = {row["number"] for row in _login(username).get("/api/v1/tickets/", {"page_size": 100}).json()["results"]}
        shown_numbers = {t.number for t in (own, customers_ticket, colleagues, elsewhere) if t.number in body}
        assert shown_numbers == api
        return {t.title for t in Ticket.objects.filter(number__in=api)}

    assert seen("cs1") == {own.title, customers_ticket.title}
    # cs2 follows the sales department's ticket as the customer's service owner, so cs2's manager sees it too.
    assert seen("cs_mgr") == {own.title, customers_ticket.title, colleagues.title, elsewhere.title}
    for ticket in (colleagues, elsewhere):
        assert _login("cs1").get(reverse("service:ticket_detail", args=[ticket.pk])).status_code == 404
