"""Issue 15, "done when": deadlines in 2027, a year the bundled calendar does not know, run on the provisional
calendar (statutory rules), say so on the ticket page, and follow the official schedule once an administrator
pastes it in; met deadlines stay; nothing escalates over the provisional Spring Festival.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Q
from django.test import Client
from django.urls import reverse

from apps.core.models import Notification
from apps.core.workdays import (
    HOURS_PER_DAY,
    TZ,
    add_working_hours,
    calendar_days,
    is_workday,
    provisional_between,
    working_hours_between,
)
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.org.models import Department, User
from apps.policy.selectors import rules_in_force
from apps.service.choices import (
    ComplaintCategory,
    EscalationLevel,
    FeedbackCategory,
    TicketChannel,
    TicketPriority,
    TicketType,
)
from apps.service.models import FeedbackRouting, Ticket
from apps.service.services import feedback as feedback_services
from apps.service.services import tickets as ticket_services

OPENED = dt.datetime(2026, 12, 31, 16, 0, tzinfo=TZ)  # Thursday; 1 January 2027 (元旦) is a Friday
NEW_YEAR = dt.date(2027, 1, 1)
MAKE_UP_SUNDAY = dt.date(2027, 1, 3)
SPRING_FESTIVAL_DAY_2 = dt.datetime(2027, 2, 8, 10, 0, tzinfo=TZ)  # 初二, a Monday

# An illustration of the notice's form (not the real 2027 schedule), with a make-up Sunday on 3 January.
NOTICE_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）放假，共1天。1月3日（周日）上班。
二、春节：2月5日（周五）至12日（周五）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def _login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _run_jobs() -> None:
    call_command("run_due_jobs", stdout=io.StringIO())


def _notified(username: str, ticket: Ticket) -> bool:
    mentions = Q(body__contains=ticket.number) | Q(title__contains=ticket.number)
    return Notification.objects.filter(mentions, recipient__username=username).exists()


@pytest.fixture
def world(db: None) -> dict:
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
    return {"cs1": cs1, "customer": customer, "contact": contact}


def _complaint(
    world: dict, at: dt.datetime, priority: str = TicketPriority.HIGH, title: str = "设备频繁死机"
) -> Ticket:
    with time_machine.travel(at, tick=False):
        return ticket_services.ticket_create(
            actor=world["cs1"],
            data={
                "title": title,
                "ticket_type": TicketType.COMPLAINT,
                "complaint_category": ComplaintCategory.PRODUCT_QUALITY,
                "priority": priority,
                "channel": TicketChannel.PHONE,
                "customer": world["customer"],
                "contact": world["contact"],
                "description": "客户反映网关设备每天死机两三次。",
                "assignee": world["cs1"],
            },
        )


def _hours(ticket_type: str, priority: str) -> tuple[int, int]:
    deadline = rules_in_force(OPENED.date()).rules.deadline(ticket_type, priority)
    return deadline.first_response_hours, deadline.resolution_hours


def _paste_notice(username: str, text: str) -> tuple[int, int]:
    """The administrator pastes the notice, sees the days, confirms; returns (preview status, save status)."""
    client = _login(username)
    url = reverse("core:calendar_enter", args=[2027])
    preview = client.post(url, {"mode": "notice", "text": text, "complete": "on"})
    saved = client.post(url, {"mode": "notice", "text": text, "complete": "on", "confirm": "1"})
    return preview.status_code, saved.status_code


def test_a_complaint_on_new_years_eve_skips_new_years_day_and_the_page_says_provisional(world: dict) -> None:
    ticket = _complaint(world, OPENED)
    _, resolution_hours = _hours(TicketType.COMPLAINT, TicketPriority.HIGH)
    due = ticket.resolution_due
    assert due == add_working_hours(OPENED, resolution_hours)
    # 1 January lies inside the count, is not worked, and comes from the provisional calendar (never weekdays only).
    assert OPENED.date() < NEW_YEAR < due.astimezone(TZ).date()
    new_year = calendar_days(NEW_YEAR, NEW_YEAR)[NEW_YEAR]
    assert not new_year.is_workday and new_year.is_provisional
    weekdays_only = add_working_hours(OPENED, resolution_hours - HOURS_PER_DAY)  # what counting 1 Jan would give
    assert working_hours_between(weekdays_only, due) == HOURS_PER_DAY
    assert provisional_between(OPENED, due)

    with time_machine.travel(OPENED + dt.timedelta(minutes=30), tick=False):
        page = _login("cs1").get(reverse("service:ticket_detail", args=[ticket.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="provisional-resolution"' in html
    assert "按暂定日历" in html
    # The first response is due the same afternoon, on the official 2026 calendar: not marked.
    assert 'data-testid="provisional-first_response"' not in html


def test_the_pasted_notice_moves_unmet_deadlines_by_the_make_up_day_and_leaves_met_ones(world: dict) -> None:
    complaint = _complaint(world, OPENED)
    # Another complaint, answered at once: its first response is met, its resolution is not.
    answered = _complaint(world, OPENED + dt.timedelta(hours=1), priority=TicketPriority.MEDIUM, title="发票抬头错误")
    with time_machine.travel(OPENED + dt.timedelta(hours=1, minutes=30), tick=False):
        ticket_services.ticket_reply(actor=world["cs1"], ticket=answered, body="已收到，正在处理。")
    answered.refresh_from_db()
    assert answered.first_responded_at is not None
    assert answered.first_response_due.astimezone(TZ).date() > MAKE_UP_SUNDAY  # the met deadline lies after it
    # Feedback routed to sales the same afternoon, to be acknowledged after the New Year.
    with time_machine.travel(OPENED, tick=False):
        feedback_services.feedback_record(
            actor=world["cs1"],
            customer=world["customer"],
            category=FeedbackCategory.PRODUCT,
            content="客户希望固件支持远程升级。",
            departments=[Department.objects.get(code="sales")],
            ticket=complaint,
        )
    routing = FeedbackRouting.objects.get(feedback__ticket=complaint)
    before = {
        "complaint": complaint.resolution_due,
        "met": answered.first_response_due,
        "answered": answered.resolution_due,
        "routing": routing.acknowledge_due,
    }
    history_rows = complaint.history.count()
    with time_machine.travel(OPENED + dt.timedelta(hours=1), tick=False):
        routing_page = _login("admin").get(reverse("service:routing_detail", args=[routing.pk]))
    assert 'data-testid="provisional-acknowledge"' in routing_page.content.decode()

    with time_machine.travel(OPENED + dt.timedelta(hours=1, minutes=45), tick=False):
        assert _paste_notice("admin", NOTICE_2027) == (200, 302)

    assert is_workday(MAKE_UP_SUNDAY)
    complaint.refresh_from_db()
    answered.refresh_from_db()
    routing.refresh_from_db()
    _, resolution_hours = _hours(TicketType.COMPLAINT, TicketPriority.HIGH)
    # The unmet deadline is the same working hours after opening, on the new calendar: the make-up Sunday's eight
    # hours come off, so it is exactly one working day (the Sunday's hours) earlier.
    assert complaint.resolution_due == add_working_hours(OPENED, resolution_hours)
    assert complaint.resolution_due < before["complaint"]
    assert working_hours_between(complaint.resolution_due, before["complaint"]) == HOURS_PER_DAY
    assert (
        working_hours_between(
            dt.datetime.combine(MAKE_UP_SUNDAY, dt.time(0), TZ),
            dt.datetime.combine(MAKE_UP_SUNDAY, dt.time(23, 59), TZ),
        )
        == HOURS_PER_DAY
    )
    # …with a history row saying why.
    assert complaint.history.count() == history_rows + 1
    row = complaint.history.first()
    assert MAKE_UP_SUNDAY.isoformat() in row.history_change_reason
    assert row.history_user.username == "admin"
    # The met deadline does not move; the same ticket's unmet resolution and the acknowledgement do.
    assert answered.first_response_due == before["met"]
    assert answered.resolution_due < before["answered"]
    assert routing.acknowledge_due < before["routing"]
    assert routing.history.first().history_change_reason == row.history_change_reason

    # The escalation job reads the new deadline: just after it, the complaint escalates (it would not have before).
    assert before["complaint"] > complaint.resolution_due + dt.timedelta(minutes=5)
    with time_machine.travel(complaint.resolution_due + dt.timedelta(minutes=5), tick=False):
        _run_jobs()
    complaint.refresh_from_db()
    assert complaint.escalation_level == EscalationLevel.DEPARTMENT_MANAGER
    assert _notified("cs_mgr", complaint)

    # The page no longer says provisional: 2027 has its official schedule now.
    with time_machine.travel(complaint.resolution_due + dt.timedelta(minutes=10), tick=False):
        page = _login("cs1").get(reverse("service:ticket_detail", args=[complaint.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "按暂定日历" not in page.content.decode()


def test_a_resolved_tickets_deadlines_and_figures_never_change(world: dict) -> None:
    done = _complaint(world, OPENED - dt.timedelta(hours=2))
    with time_machine.travel(OPENED + dt.timedelta(hours=1), tick=False):
        ticket_services.ticket_start(actor=world["cs1"], ticket=done)
        ticket_services.ticket_resolve(
            actor=world["cs1"],
            ticket=done,
            resolution="更换主板。",
            root_cause="电容虚焊",
            corrective_action="批次复检",
        )
    done.refresh_from_db()
    before = (done.first_response_due, done.resolution_due, done.resolved_at, done.paused_hours)
    rows = done.history.count()
    with time_machine.travel(OPENED + dt.timedelta(hours=1, minutes=45), tick=False):
        assert _paste_notice("admin", NOTICE_2027) == (200, 302)
    done.refresh_from_db()
    assert (done.first_response_due, done.resolution_due, done.resolved_at, done.paused_hours) == before
    assert done.history.count() == rows


def test_nothing_escalates_over_the_provisional_spring_festival(world: dict) -> None:
    # Opened on the last working afternoons before 除夕 (5 February 2027): on weekdays-only counting their
    # deadlines would fall in 5–10 February; on the provisional calendar they come after the holiday.
    eve = dt.datetime(2027, 2, 4, 17, 0, tzinfo=TZ)
    tickets = [
        _complaint(world, eve, title="春节前投诉"),
        _complaint(world, eve, priority=TicketPriority.LOW, title="春节前咨询"),
    ]
    festival = [d for d, day in calendar_days(dt.date(2027, 2, 5), dt.date(2027, 2, 14)).items() if day.is_holiday]
    assert dt.date(2027, 2, 5) in festival and all(calendar_days(d, d)[d].is_provisional for d in festival)
    for ticket in tickets:
        for due in (ticket.first_response_due, ticket.resolution_due):
            assert due.astimezone(TZ).date() > max(festival)
    # A control: a ticket that really breached before the holiday does escalate in the same run.
    breached = _complaint(world, dt.datetime(2027, 2, 3, 9, 0, tzinfo=TZ), title="节前已超时")

    with time_machine.travel(SPRING_FESTIVAL_DAY_2, tick=False):
        _run_jobs()
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.escalation_level == EscalationLevel.NONE
        assert ticket.warned_at is None
        assert not _notified("cs_mgr", ticket)
    breached.refresh_from_db()
    assert breached.escalation_level == EscalationLevel.DEPARTMENT_MANAGER


def test_a_reopened_ticket_counts_its_resolution_from_the_reopening(world: dict) -> None:
    ticket = _complaint(world, OPENED - dt.timedelta(days=3))
    with time_machine.travel(OPENED - dt.timedelta(days=3, hours=-1), tick=False):
        ticket_services.ticket_start(actor=world["cs1"], ticket=ticket)
        ticket_services.ticket_resolve(
            actor=world["cs1"],
            ticket=ticket,
            resolution="更换主板。",
            root_cause="电容虚焊",
            corrective_action="批次复检",
        )
    reopened_at = dt.datetime.combine(MAKE_UP_SUNDAY + dt.timedelta(days=2), dt.time(10), TZ)
    with time_machine.travel(reopened_at, tick=False):
        ticket_services.ticket_reopen(actor=world["cs1"], ticket=ticket, body="客户反馈仍死机。")
    ticket.refresh_from_db()
    before = ticket.resolution_due
    with time_machine.travel(reopened_at + dt.timedelta(hours=1), tick=False):
        assert _paste_notice("admin", NOTICE_2027) == (200, 302)
    ticket.refresh_from_db()
    # The make-up Sunday lies before the reopening: the new count never crossed it, so the deadline stays.
    assert ticket.resolution_due == before
    _, resolution_hours = _hours(TicketType.COMPLAINT, TicketPriority.HIGH)
    assert ticket.resolution_due == add_working_hours(reopened_at, resolution_hours)
