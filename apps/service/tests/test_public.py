"""The public support pages (/support/): open a ticket without an account, follow it by the private link."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from apps.core.models import Notification
from apps.core.testing import shown
from apps.core.validators import MOBILE_INVALID
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.sales.tests.factories_contracts import ContractFactory
from apps.service.choices import TicketChannel, TicketEventKind, TicketOrigin, TicketStatus, TicketType
from apps.service.forms.public import COMPLAINT_CATEGORY_REQUIRED, DESCRIPTION_TOO_SHORT
from apps.service.models import Ticket, TicketEvent
from apps.service.services import public as public_services
from apps.service.services.tickets import (
    ticket_assign,
    ticket_await_customer,
    ticket_comment,
    ticket_reply,
    ticket_resolve,
    ticket_start,
)
from apps.service.views.public import CONFIRMED, MESSAGE_SENT, REOPENED
from apps.surveys.models import SurveyInvitation

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=TZ)  # a Thursday, a working day

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen_and_fresh() -> Iterator[None]:
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


@pytest.fixture
def org(personas: dict[str, Any]) -> dict[str, Any]:
    """The personas' customer-service department (客户服务部) gets a manager; a second service department has its
    own manager and a service person who looks after a customer."""
    service = personas["rep_carol"].unit
    manager = make_employee("csm", "客服经理", service, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    service.manager = manager
    service.save(update_fields=["manager"])
    second = make_department("客服二部", "t-service-2", DepartmentKind.CUSTOMER_SERVICE, service.parent)
    second_manager = make_employee("csm2", "二部经理", second, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    second.manager = second_manager
    second.save(update_fields=["manager"])
    agent = make_employee("cs2x", "王小明", second, BuiltinRole.STAFF).user
    customer = CustomerFactory(name="华南精密机械有限公司", owner=personas["rep_alice"].user, service_owner=agent)
    contact = ContactFactory(customer=customer, name="李四", mobile="13912345678")
    return {
        "service": service,
        "manager": manager,
        "second": second,
        "second_manager": second_manager,
        "agent": agent,
        "customer": customer,
        "contact": contact,
        "personas": personas,
    }


def form_data(**changes: Any) -> dict[str, str]:
    data = {
        "company": "某某贸易公司",
        "name": "张三",
        "mobile": "+86 137-0000-1111",
        "email": "",
        "ticket_type": TicketType.REPAIR,
        "complaint_category": "",
        "contract_number": "",
        "description": "设备开机后显示屏不亮，已经重启过两次，请尽快安排维修。",
        "website": "",
    }
    data.update(changes)
    return data


def post_form(client: Client, ip: str = "203.0.113.7", **changes: Any) -> Any:
    return client.post(reverse("support:ticket_new"), form_data(**changes), REMOTE_ADDR=ip)


def submit(**changes: Any) -> Ticket:
    """A ticket opened through the public service (set-up for the status page tests)."""
    data = {**form_data(**changes)}
    data["mobile"] = re.sub(r"\D", "", data["mobile"])[-11:]
    return public_services.ticket_submit_public(data=data, ip="203.0.113.7")


def status_url(ticket: Ticket) -> str:
    return reverse("support:ticket_status", args=[ticket.public_token])


#
# The form
#


def test_the_form_needs_no_login_and_is_not_indexed(org: dict[str, Any]) -> None:
    response = Client().get(reverse("support:ticket_new"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="robots" content="noindex' in html
    assert "csrfmiddlewaretoken" in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert 'data-testid="support-language"' in html  # the English switch
    assert reverse("login") not in html  # no internal navigation


def test_csrf_is_enforced(org: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("support:ticket_new"), form_data(), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_a_valid_submission_opens_exactly_one_public_ticket(org: dict[str, Any]) -> None:
    response = post_form(Client())
    assert Ticket.objects.count() == 1
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("support:ticket_submitted", args=[ticket.public_token])
    assert ticket.origin == TicketOrigin.PUBLIC_FORM
    assert ticket.channel == TicketChannel.WEB
    assert ticket.ticket_type == TicketType.REPAIR
    assert ticket.status == TicketStatus.NEW
    assert ticket.created_by is None
    assert ticket.requester_mobile == "13700001111"  # normalised
    assert ticket.requester_name == "张三"
    assert ticket.requester_company == "某某贸易公司"
    assert ticket.customer is None and ticket.contact is None
    assert ticket.title.startswith("设备开机后显示屏不亮")
    assert ticket.first_response_due > ticket.created_at
    assert ticket.resolution_due >= ticket.first_response_due
    assert ticket.rules_version_id is not None
    # Nobody matched: the first customer-service department takes it and its manager hears of it, once.
    assert ticket.department == org["service"]
    assert Notification.objects.filter(recipient=org["manager"]).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEventKind.CREATED).count() == 1


def test_the_submitted_page_shows_the_number_and_the_private_link(org: dict[str, Any]) -> None:
    client = Client()
    response = client.get(post_form(client)["Location"])
    ticket = Ticket.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert f"http://testserver{status_url(ticket)}" in html
    assert 'data-testid="copy-link"' in html
    assert "137****1111" in html  # the number they typed, masked


def test_the_email_is_kept_on_the_ticket(org: dict[str, Any]) -> None:
    post_form(Client(), email="zhang@example.cn")
    assert "zhang@example.cn" in Ticket.objects.get().description


def test_the_customer_is_matched_silently_by_the_contacts_mobile(org: dict[str, Any]) -> None:
    post_form(Client(), mobile="139 1234 5678")
    ticket = Ticket.objects.get()
    assert ticket.customer == org["customer"]
    assert ticket.contact == org["contact"]
    # The customer's service owner's department is responsible; its manager is told.
    assert ticket.department == org["second"]
    assert Notification.objects.filter(recipient=org["second_manager"]).count() == 1
    assert not Notification.objects.filter(recipient=org["manager"]).exists()


def test_the_customer_is_matched_by_the_contract_number(org: dict[str, Any]) -> None:
    contract = ContractFactory(owner=org["personas"]["rep_alice"].user, customer=org["customer"], number="HT-0042")
    post_form(Client(), contract_number=" ht-0042 ")
    ticket = Ticket.objects.get()
    assert ticket.customer == org["customer"]
    assert ticket.contract == contract
    assert ticket.contact is None


def test_a_contract_of_another_customer_is_not_linked(org: dict[str, Any]) -> None:
    other = CustomerFactory(name="别家公司", owner=org["personas"]["rep_alice"].user)
    ContractFactory(owner=org["personas"]["rep_alice"].user, customer=other, number="HT-0099")
    post_form(Client(), mobile="13912345678", contract_number="HT-0099")
    ticket = Ticket.objects.get()
    assert ticket.customer == org["customer"]
    assert ticket.contract is None


def _normalised(html: str, ticket: Ticket) -> str:
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    return (
        html.replace(ticket.number, "NUMBER")
        .replace(ticket.public_token, "TOKEN")
        .replace(ticket.requester_mobile[-4:], "XXXX")
    )


def test_the_answer_is_the_same_whether_the_mobile_is_known_or_not(org: dict[str, Any]) -> None:
    """No enumeration: a stranger cannot learn whether a mobile or contract belongs to a customer."""
    pages = []
    for mobile, ip in (("13912345678", "198.51.100.1"), ("13900005678", "198.51.100.2")):
        client = Client()
        response = post_form(client, ip=ip, mobile=mobile, contract_number="HT-NOPE")
        assert response.status_code == 302
        ticket = Ticket.objects.get(requester_mobile=mobile)
        assert response["Location"].replace(ticket.public_token, "TOKEN") == "/support/t/TOKEN/submitted/"
        page = client.get(response["Location"])
        pages.append(_normalised(page.content.decode(), ticket))
        status = client.get(status_url(ticket))
        pages.append(_normalised(status.content.decode(), ticket))
    assert Ticket.objects.get(requester_mobile="13912345678").customer == org["customer"]
    assert pages[0] == pages[2]
    assert pages[1] == pages[3]
    assert org["customer"].name not in pages[0] + pages[1]


def test_an_invalid_mobile_is_refused_in_chinese(org: dict[str, Any]) -> None:
    response = post_form(Client(), mobile="12345")
    assert response.status_code == 200
    html = response.content.decode()
    assert shown(MOBILE_INVALID) in html
    assert "手机" in shown(MOBILE_INVALID)  # the test settings speak Chinese
    assert not Ticket.objects.exists()


def test_a_complaint_needs_its_category_and_a_real_description(org: dict[str, Any]) -> None:
    response = post_form(Client(), ticket_type=TicketType.COMPLAINT, description="太差了")
    html = response.content.decode()
    assert shown(COMPLAINT_CATEGORY_REQUIRED) in html
    assert shown(DESCRIPTION_TOO_SHORT % {"min": 10}) in html
    assert not Ticket.objects.exists()
    post_form(Client(), ticket_type=TicketType.COMPLAINT, complaint_category="service_attitude")
    ticket = Ticket.objects.get()
    assert ticket.ticket_type == TicketType.COMPLAINT
    assert ticket.complaint_category == "service_attitude"


def test_a_category_sent_with_another_type_is_dropped(org: dict[str, Any]) -> None:
    post_form(Client(), ticket_type=TicketType.SUGGESTION, complaint_category="price")
    assert Ticket.objects.get().complaint_category == ""


def test_a_filled_honeypot_stores_nothing_and_looks_like_success(org: dict[str, Any]) -> None:
    response = post_form(Client(), website="http://spam.example")
    assert response.status_code == 200
    assert 'data-testid="support-submitted"' in response.content.decode()
    assert 'data-testid="ticket-number"' not in response.content.decode()
    assert not Ticket.objects.exists()
    assert not TicketEvent.objects.exists()
    assert not Notification.objects.exists()


#
# The status page
#


def test_a_wrong_link_is_a_404_page_in_chinese(org: dict[str, Any]) -> None:
    submit()
    client = Client()
    for name in ("ticket_status", "ticket_submitted"):
        response = client.get(reverse(f"support:{name}", args=["not-a-real-token"]))
        assert response.status_code == 404
        assert 'data-testid="support-not-found"' in response.content.decode()
        assert 'lang="zh-CN"' in response.content.decode()
    for name in ("ticket_message", "ticket_confirm", "ticket_reopen"):
        response = client.post(
            reverse(f"support:{name}", args=["x" * 43]), {"body": "你好，请问进度如何？"}, REMOTE_ADDR="203.0.113.9"
        )
        assert response.status_code == 404
    assert not TicketEvent.objects.filter(kind=TicketEventKind.CUSTOMER).exists()


def test_the_status_page_shows_public_replies_and_hides_internal_data(org: dict[str, Any]) -> None:
    ticket = submit(mobile="13912345678")
    manager, agent = org["second_manager"], org["agent"]
    ticket_assign(actor=manager, ticket=ticket, assignee=agent, note="交给王小明处理")
    ticket_comment(actor=manager, ticket=ticket, body="内部备注：该客户去年投诉过两次")
    ticket_start(actor=agent, ticket=ticket)
    ticket_reply(actor=agent, ticket=ticket, body="您好，工程师明天上午上门检修。")
    ticket.refresh_from_db()

    response = Client().get(status_url(ticket))
    html = response.content.decode()
    assert response.status_code == 200
    assert ticket.number in html
    assert ticket.title in html
    assert "您好，工程师明天上午上门检修。" in html
    assert str(public_services.PUBLIC_STATUS_LABELS[TicketStatus.IN_PROGRESS]) in html
    for secret in (
        "内部备注",
        "交给王小明处理",
        "王小明",
        "二部经理",
        org["customer"].name,
        org["second"].name,
        ticket.first_response_due.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
        ticket.resolution_due.astimezone(TZ).strftime("%Y-%m-%d %H:%M"),
    ):
        assert secret not in html, secret
    assert 'name="robots" content="noindex' in html
    assert response["Referrer-Policy"] == "same-origin"
    assert 'data-testid="message-form"' in html
    assert 'data-testid="resolved-actions"' not in html


def test_the_clock_note_of_a_resumed_ticket_is_not_shown(org: dict[str, Any]) -> None:
    ticket = submit()
    manager = org["manager"]
    ticket_start(actor=manager, ticket=ticket)
    ticket_await_customer(actor=manager, ticket=ticket, body="请提供设备铭牌照片。")
    html = Client().get(status_url(ticket)).content.decode()
    assert "请提供设备铭牌照片。" in html  # the question to the customer
    assert str(public_services.PUBLIC_STATUS_LABELS[TicketStatus.WAITING_CUSTOMER]) in html
    client = Client()
    client.post(
        reverse("support:ticket_message", args=[ticket.public_token]),
        {"body": "照片已发到邮箱。"},
        REMOTE_ADDR="203.0.113.7",
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS  # the customer's message resumes the clock
    resumed = TicketEvent.objects.filter(
        ticket=ticket, kind=TicketEventKind.STATUS, to_status=TicketStatus.IN_PROGRESS
    ).last()
    html = client.get(status_url(ticket)).content.decode()
    assert "照片已发到邮箱。" in html
    for line in filter(None, resumed.body.splitlines()):
        assert line not in html


def test_the_customer_adds_a_message(org: dict[str, Any]) -> None:
    ticket = submit()
    client = Client()
    response = client.post(
        reverse("support:ticket_message", args=[ticket.public_token]),
        {"body": "  请问什么时候能修好？  "},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    assert response["Location"] == status_url(ticket)
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEventKind.CUSTOMER)
    assert event.body == "请问什么时候能修好？" and event.is_public and event.actor is None
    page = client.get(status_url(ticket)).content.decode()
    assert shown(MESSAGE_SENT) in page
    assert "请问什么时候能修好？" in page


def test_an_empty_message_is_refused(org: dict[str, Any]) -> None:
    ticket = submit()
    response = Client().post(
        reverse("support:ticket_message", args=[ticket.public_token]), {"body": "   "}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 200
    assert 'data-testid="message-form"' in response.content.decode()
    assert not TicketEvent.objects.filter(kind=TicketEventKind.CUSTOMER).exists()


def _resolved(org: dict[str, Any]) -> Ticket:
    ticket = submit(mobile="13912345678")
    agent = org["agent"]
    ticket_assign(actor=org["second_manager"], ticket=ticket, assignee=agent)
    ticket_start(actor=agent, ticket=ticket)
    ticket_resolve(actor=agent, ticket=ticket, resolution="已更换显示屏排线，设备恢复正常。")
    ticket.refresh_from_db()
    return ticket


def test_the_customer_confirms_a_resolved_ticket(org: dict[str, Any]) -> None:
    ticket = _resolved(org)
    client = Client()
    html = client.get(status_url(ticket)).content.decode()
    assert 'data-testid="resolved-actions"' in html
    assert "已更换显示屏排线，设备恢复正常。" in html
    response = client.post(reverse("support:ticket_confirm", args=[ticket.public_token]), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    html = client.get(status_url(ticket)).content.decode()
    assert shown(CONFIRMED) in html
    assert 'data-testid="resolved-actions"' not in html
    assert 'data-testid="message-form"' not in html
    # Confirming again changes nothing.
    client.post(reverse("support:ticket_confirm", args=[ticket.public_token]), REMOTE_ADDR="203.0.113.7")
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED


def test_the_customer_says_it_is_not_resolved(org: dict[str, Any]) -> None:
    ticket = _resolved(org)
    client = Client()
    refused = client.post(
        reverse("support:ticket_reopen", args=[ticket.public_token]), {"body": ""}, REMOTE_ADDR="203.0.113.7"
    )
    assert refused.status_code == 200
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED
    response = client.post(
        reverse("support:ticket_reopen", args=[ticket.public_token]),
        {"body": "屏幕还是会闪烁。"},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.IN_PROGRESS
    assert ticket.reopen_count == 1
    html = client.get(status_url(ticket)).content.decode()
    assert shown(REOPENED) in html
    assert "屏幕还是会闪烁。" in html


def test_confirm_and_reopen_need_a_resolved_ticket(org: dict[str, Any]) -> None:
    ticket = submit()
    client = Client()
    client.post(reverse("support:ticket_confirm", args=[ticket.public_token]), REMOTE_ADDR="203.0.113.7")
    client.post(
        reverse("support:ticket_reopen", args=[ticket.public_token]), {"body": "没有解决"}, REMOTE_ADDR="203.0.113.7"
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW
    assert ticket.reopen_count == 0
    assert shown(public_services.NOT_RESOLVED_YET) in client.get(status_url(ticket)).content.decode()


def test_the_survey_button_shows_while_the_link_is_open(org: dict[str, Any]) -> None:
    ticket = _resolved(org)  # resolving a customer's ticket sends the post-ticket survey
    invitation = SurveyInvitation.objects.get(source_id=ticket.pk)
    survey = reverse("survey_answer:answer", args=[invitation.token])
    client = Client()
    assert survey in client.get(status_url(ticket)).content.decode()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=NOW - dt.timedelta(minutes=1))
    assert survey not in client.get(status_url(ticket)).content.decode()
    SurveyInvitation.objects.filter(pk=invitation.pk).update(expires_at=NOW + dt.timedelta(days=3), answered_at=NOW)
    assert survey not in client.get(status_url(ticket)).content.decode()


def test_no_survey_button_without_a_link(org: dict[str, Any]) -> None:
    ticket = submit()  # no customer matched: no survey
    assert 'data-testid="survey-prompt"' not in Client().get(status_url(ticket)).content.decode()


def test_the_english_switch(org: dict[str, Any]) -> None:
    client = Client()
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("support:ticket_new")})
    assert response.status_code == 302
    html = client.get(reverse("support:ticket_new")).content.decode()
    assert '<html lang="en">' in html


@pytest.mark.parametrize("replies", [1, 25])
def test_the_status_page_reads_a_fixed_number_of_queries(
    org: dict[str, Any], replies: int, django_assert_max_num_queries: Any
) -> None:
    ticket = submit(mobile="13912345678")
    agent = org["agent"]
    ticket_assign(actor=org["second_manager"], ticket=ticket, assignee=agent)
    for n in range(replies):
        ticket_reply(actor=agent, ticket=ticket, body=f"第 {n} 次回复")
    client = Client()
    client.get(status_url(ticket))  # warm the content-type cache
    with django_assert_max_num_queries(4):
        response = client.get(status_url(ticket))
    assert response.content.decode().count("次回复") == replies
