"""Feedback routing (art. 6): recording routes to departments and tells their managers; the sales manager
acknowledges and replies, someone outside the department may not; the reply tells who recorded it and the service
owner; an overdue acknowledgement escalates once, counted in working hours; pages, API, timeline, workbench."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Notification
from apps.core.testing import ScopeMatrixTests, shown
from apps.core.workdays import add_working_hours
from apps.customers.tests.factories import CustomerFactory, FollowUpFactory
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus
from apps.service.hooks.feedback import feedback_events, workbench_items
from apps.service.models import Feedback, FeedbackRouting
from apps.service.selectors.feedback import departments_for_category
from apps.service.services import feedback as services
from apps.service.tests.factories_feedback import make_feedback, make_routing

TZ = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas: dict) -> dict[str, Any]:
    sales = personas["lead_bob"].unit
    service = personas["rep_carol"].unit
    company = personas["auditor_dave"].unit
    market = make_department("市场部", "t-market", DepartmentKind.MARKET_DEVELOPMENT, company)
    mkt_mgr = make_employee("mkt", "马可", market, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    market.manager = mkt_mgr
    market.save(update_fields=["manager"])
    customer = CustomerFactory(
        owner=personas["rep_alice"].user, service_owner=personas["rep_carol"].user, name="华南精密制造有限公司"
    )
    return {
        "sales": sales,
        "service": service,
        "market": market,
        "mkt_mgr": mkt_mgr,
        "customer": customer,
        "carol": personas["rep_carol"].user,
        "bob": personas["lead_bob"].user,
        "alice": personas["rep_alice"].user,
        "dave": personas["auditor_dave"].user,
    }


def _record(world: dict, departments: list | None = None, actor: str = "carol", **kwargs: Any) -> Feedback:
    return services.feedback_record(
        actor=world[actor],
        customer=world["customer"],
        category=FeedbackCategory.DELIVERY,
        content="交货周期太长，希望缩短到两周。",
        departments=departments or [world["sales"]],
        **kwargs,
    )


class TestRecord:
    @time_machine.travel(dt.datetime(2026, 9, 29, 10, 0, tzinfo=TZ), tick=False)
    def test_routes_with_the_acknowledge_deadline_and_tells_the_manager(self, world: dict) -> None:
        feedback = _record(world, departments=[world["sales"], world["market"]])
        routings = {r.department_id: r for r in feedback.routings.all()}
        assert set(routings) == {world["sales"].pk, world["market"].pk}
        routing = routings[world["sales"].pk]
        assert routing.status == RoutingStatus.PENDING
        assert routing.acknowledge_due == add_working_hours(feedback.created_at, 8)
        assert timezone.localtime(routing.acknowledge_due, TZ) == dt.datetime(2026, 9, 30, 10, 0, tzinfo=TZ)
        assert Notification.objects.filter(
            recipient=world["bob"], url=reverse("service:routing_detail", args=[routing.pk])
        ).exists()
        assert Notification.objects.filter(recipient=world["mkt_mgr"]).count() == 1
        assert feedback.owner_unit == world["service"]

    def test_needs_a_department_and_a_visible_customer(self, world: dict, personas: dict) -> None:
        with pytest.raises(ValidationError):
            services.feedback_record(
                actor=world["carol"], customer=world["customer"], category="price", content="太贵", departments=[]
            )
        stranger = CustomerFactory(owner=world["bob"])
        with pytest.raises(ValidationError):
            services.feedback_record(
                actor=world["carol"], customer=stranger, category="price", content="太贵", departments=[world["sales"]]
            )

    def test_source_is_kept(self, world: dict) -> None:
        follow_up = FollowUpFactory(customer=world["customer"], author=world["alice"])
        feedback = _record(world, source_kind=FeedbackSource.FOLLOW_UP, source=follow_up)
        assert feedback.source == follow_up
        other = FollowUpFactory(customer=CustomerFactory(owner=world["alice"]), author=world["alice"])
        with pytest.raises(ValidationError):
            _record(world, source_kind=FeedbackSource.FOLLOW_UP, source=other)

    def test_category_suggests_departments(self, world: dict, personas: dict) -> None:
        assert list(departments_for_category(FeedbackCategory.PRICE)) == [world["sales"]]  # not the team A1
        assert list(departments_for_category(FeedbackCategory.MARKETING)) == [world["market"]]
        assert list(departments_for_category(FeedbackCategory.SERVICE)) == [world["service"]]


class TestAcknowledgeAndReply:
    def test_sales_manager_acknowledges(self, world: dict) -> None:
        routing = _record(world).routings.get()
        services.routing_acknowledge(actor=world["bob"], routing=routing)
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.ACKNOWLEDGED
        assert routing.acknowledged_by == world["bob"] and routing.acknowledged_at
        with pytest.raises(ValidationError):
            services.routing_acknowledge(actor=world["bob"], routing=routing)

    @pytest.mark.parametrize("who", ["mkt_mgr", "alice", "carol"])
    def test_outside_the_department_or_without_the_right_is_refused(self, world: dict, who: str) -> None:
        routing = _record(world).routings.get()
        with pytest.raises(PermissionDenied):
            services.routing_acknowledge(actor=world[who], routing=routing)
        with pytest.raises(PermissionDenied):
            services.routing_reply(actor=world[who], routing=routing, reply="好")
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.PENDING

    def test_reply_tells_the_recorder_and_the_service_owner(self, world: dict) -> None:
        routing = _record(world, actor="alice").routings.get()  # the sales rep records, carol serves
        Notification.objects.all().delete()
        services.routing_reply(actor=world["bob"], routing=routing, reply="已安排生产部评估，下周答复。")
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.REPLIED
        assert routing.acknowledged_by == world["bob"]  # replying acknowledges too
        assert routing.replied_by == world["bob"] and routing.reply.startswith("已安排")
        told = set(Notification.objects.values_list("recipient_id", flat=True))
        assert told == {world["alice"].pk, world["carol"].pk}
        with pytest.raises(ValidationError):
            services.routing_reply(actor=world["bob"], routing=routing, reply="again")


class TestEscalation:
    def test_overdue_escalates_once_skipping_the_holiday(self, world: dict) -> None:
        with time_machine.travel(dt.datetime(2026, 9, 30, 16, 0, tzinfo=TZ), tick=False):
            routing = _record(world).routings.get()
        due = timezone.localtime(routing.acknowledge_due, TZ)
        assert due.date() > dt.date(2026, 10, 7)  # the National Day holiday does not count
        assert due == add_working_hours(dt.datetime(2026, 9, 30, 16, 0, tzinfo=TZ), 8)
        Notification.objects.all().delete()
        with time_machine.travel(dt.datetime(2026, 10, 6, 12, 0, tzinfo=TZ), tick=False):
            assert services.feedback_escalate_overdue() == 0
        with time_machine.travel(due - dt.timedelta(minutes=1), tick=False):
            assert services.feedback_escalate_overdue() == 0
        with time_machine.travel(due + dt.timedelta(minutes=1), tick=False):
            assert services.feedback_escalate_overdue() == 1
        routing.refresh_from_db()
        assert routing.escalated_at is not None
        # 销售部's parent (the company) has no manager: senior management hears of it.
        assert list(Notification.objects.values_list("recipient_id", flat=True)) == [world["dave"].pk]
        with time_machine.travel(due + dt.timedelta(hours=30), tick=False):
            assert services.feedback_escalate_overdue() == 0
        assert Notification.objects.count() == 1

    def test_escalates_to_the_parent_manager_and_not_when_acknowledged(self, world: dict, personas: dict) -> None:
        team = personas["rep_alice"].unit  # 销售一组 under 销售部 (manager bob)
        past = timezone.now() - dt.timedelta(hours=1)
        late = make_routing(
            feedback=make_feedback(customer=world["customer"], created_by=world["carol"], unit=world["service"]),
            department=team,
            due=past,
        )
        done = make_routing(
            feedback=make_feedback(customer=world["customer"], created_by=world["carol"], unit=world["service"]),
            department=world["market"],
            due=past,
        )
        FeedbackRouting.objects.filter(pk=done.pk).update(status=RoutingStatus.ACKNOWLEDGED)
        assert services.feedback_escalate_overdue() == 1
        assert Notification.objects.get().recipient == world["bob"]
        late.refresh_from_db()
        assert late.escalated_at is not None

    def test_task_runs_the_service(self, world: dict) -> None:
        from apps.service.tasks.feedback import escalate_feedback_acknowledgements

        assert escalate_feedback_acknowledgements.name == "service.escalate_feedback_acknowledgements"
        assert escalate_feedback_acknowledgements() == 0


class TestPages:
    def test_record_from_a_follow_up(self, world: dict, personas: dict) -> None:
        follow_up = FollowUpFactory(customer=world["customer"], author=world["alice"], content="客户抱怨价格偏高")
        client = personas["rep_carol"].client()
        url = reverse("service:feedback_create") + f"?follow_up={follow_up.pk}"
        page = client.get(url)
        assert page.status_code == 200
        assert "客户抱怨价格偏高" in page.content.decode()
        response = client.post(
            url,
            {
                "customer": world["customer"].pk,
                "category": "price",
                "content": "价格偏高",
                "departments": [world["sales"].pk],
                "source_kind": "follow_up",
                "follow_up": follow_up.pk,
            },
        )
        feedback = Feedback.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse(
            "service:feedback_detail", args=[feedback.pk]
        )
        assert feedback.source == follow_up and feedback.source_kind == FeedbackSource.FOLLOW_UP
        detail = client.get(response["Location"]).content.decode()
        assert "价格偏高" in detail and world["sales"].name in detail

    def test_record_from_a_ticket(self, world: dict, personas: dict) -> None:
        from apps.service.tests.factories_tickets import make_ticket

        ticket = make_ticket(world["carol"], customer=world["customer"], description="客户反映包装破损严重")
        client = personas["rep_carol"].client()
        url = reverse("service:feedback_create") + f"?ticket={ticket.pk}"
        assert "客户反映包装破损严重" in client.get(url).content.decode()
        client.post(
            url,
            {
                "customer": world["customer"].pk,
                "category": "delivery",
                "content": "包装破损",
                "departments": [world["sales"].pk],
                "source_kind": "ticket",
                "ticket": ticket.pk,
            },
        )
        feedback = Feedback.objects.get()
        assert feedback.ticket == ticket and feedback.source_kind == FeedbackSource.TICKET
        from django.test import Client

        outsider = Client()
        outsider.force_login(world["mkt_mgr"])
        assert outsider.get(url).status_code == 404  # not a ticket of the market department

    def test_form_out_of_scope_source_is_404(self, world: dict, personas: dict) -> None:
        follow_up = FollowUpFactory(customer=CustomerFactory(owner=world["bob"]), author=world["bob"])
        url = reverse("service:feedback_create") + f"?follow_up={follow_up.pk}"
        assert personas["rep_carol"].client().get(url).status_code == 404

    def test_inbox_acknowledge_and_reply_by_the_sales_manager(self, world: dict, personas: dict) -> None:
        routing = _record(world).routings.get()
        client = personas["lead_bob"].client()
        inbox = client.get(reverse("service:routing_list")).content.decode()
        assert "交货周期太长" in inbox and 'data-testid="routing-acknowledge"' in inbox
        response = client.post(
            reverse("service:routing_acknowledge", args=[routing.pk]), {"next": reverse("service:routing_list")}
        )
        assert response.status_code == 302 and response["Location"] == reverse("service:routing_list")
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.ACKNOWLEDGED
        client.post(reverse("service:routing_reply", args=[routing.pk]), {"reply": "下周起优先排产"})
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.REPLIED
        detail = (
            personas["rep_carol"]
            .client()
            .get(reverse("service:feedback_detail", args=[routing.feedback_id]))
            .content.decode()
        )
        assert "下周起优先排产" in detail and str(world["bob"]) in detail

    def test_inline_acknowledgement_answers_with_the_row(self, world: dict, personas: dict) -> None:
        routing = _record(world).routings.get()
        client = personas["lead_bob"].client()
        url = reverse("service:routing_acknowledge", args=[routing.pk])
        response = client.post(url, {"next": "/service/feedback/inbox/"}, HTTP_HX_REQUEST="true")
        body = response.content.decode()
        assert response.status_code == 200 and body.lstrip().startswith("<tr")
        assert str(RoutingStatus.ACKNOWLEDGED.label) in body and 'data-testid="routing-acknowledge"' not in body
        again = client.post(url, HTTP_HX_REQUEST="true").content.decode()
        assert shown(services.ROUTING_NOT_PENDING) in again

    def test_outsiders_cannot_acknowledge_through_the_page(self, world: dict, personas: dict) -> None:
        routing = _record(world).routings.get()
        assert (
            personas["rep_alice"].client().post(reverse("service:routing_acknowledge", args=[routing.pk])).status_code
            == 404
        )  # not her unit
        from django.test import Client

        client = Client()
        client.force_login(world["mkt_mgr"])
        assert client.post(reverse("service:routing_acknowledge", args=[routing.pk])).status_code == 404
        routing.refresh_from_db()
        assert routing.status == RoutingStatus.PENDING

    def test_overdue_is_highlighted_and_pending_first(self, world: dict, personas: dict) -> None:
        feedback = make_feedback(
            customer=world["customer"], created_by=world["carol"], unit=world["service"], content="逾期未确认的反馈"
        )
        make_routing(feedback=feedback, department=world["sales"], due=timezone.now() - dt.timedelta(hours=2))
        replied = make_feedback(
            customer=world["customer"], created_by=world["carol"], unit=world["service"], content="已答复的反馈"
        )
        r = make_routing(feedback=replied, department=world["sales"], due=timezone.now() - dt.timedelta(days=3))
        FeedbackRouting.objects.filter(pk=r.pk).update(status=RoutingStatus.REPLIED, reply="好")
        body = personas["lead_bob"].client().get(reverse("service:routing_list")).content.decode()
        assert body.index("逾期未确认的反馈") < body.index("已答复的反馈")
        assert "table-danger" in body

    def test_list_filters(self, world: dict, personas: dict) -> None:
        _record(world)
        make_feedback(
            customer=world["customer"],
            created_by=world["carol"],
            unit=world["service"],
            content="营销活动很好",
            category=FeedbackCategory.MARKETING,
        )
        client = personas["rep_carol"].client()
        body = client.get(reverse("service:feedback_list"), {"category": "marketing"}).content.decode()
        assert "营销活动很好" in body and "交货周期太长" not in body
        body = client.get(reverse("service:feedback_list"), {"status": "pending"}).content.decode()
        assert "交货周期太长" in body and "营销活动很好" not in body
        body = client.get(reverse("service:feedback_list"), {"q": "营销"}).content.decode()
        assert "营销活动很好" in body and "交货周期太长" not in body

    @pytest.mark.parametrize("size", [2, 12])
    def test_list_queries_are_flat(
        self, world: dict, personas: dict, size: int, django_assert_max_num_queries: Any
    ) -> None:
        for i in range(size):
            make_feedback(
                customer=CustomerFactory(service_owner=world["carol"]),
                created_by=world["carol"],
                unit=world["service"],
                content=f"反馈{i}",
                departments=(world["sales"], world["market"]),
            )
        client = personas["lead_bob"].client()
        client.get(reverse("service:feedback_list"))
        client.get(reverse("service:routing_list"))
        with django_assert_max_num_queries(14):
            assert client.get(reverse("service:feedback_list")).status_code == 200
        with django_assert_max_num_queries(14):
            assert client.get(reverse("service:routing_list")).status_code == 200


class TestApi:
    def test_record_and_acknowledge_and_reply(self, world: dict, personas: dict) -> None:
        carol = personas["rep_carol"].client()
        response = carol.post(
            "/api/v1/feedback/",
            {
                "customer": world["customer"].pk,
                "category": "product",
                "content": "希望增加型号",
                "departments": [world["sales"].pk],
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        routing_id = response.json()["routings"][0]["id"]
        bob = personas["lead_bob"].client()
        assert bob.get("/api/v1/feedback-routings/").json()["count"] == 1
        response = bob.post(f"/api/v1/feedback-routings/{routing_id}/acknowledge/")
        assert response.status_code == 200 and response.json()["status"] == "acknowledged"
        response = bob.post(
            f"/api/v1/feedback-routings/{routing_id}/reply/", {"reply": "已纳入规划"}, content_type="application/json"
        )
        assert response.status_code == 200 and response.json()["status"] == "replied"
        assert (
            personas["rep_alice"].client().post(f"/api/v1/feedback-routings/{routing_id}/acknowledge/").status_code
            == 404
        )

    def test_refused_reply_is_a_clear_error(self, world: dict, personas: dict) -> None:
        routing = _record(world).routings.get()
        services.routing_reply(actor=world["bob"], routing=routing, reply="好")
        response = (
            personas["lead_bob"]
            .client()
            .post(
                f"/api/v1/feedback-routings/{routing.pk}/reply/", {"reply": "再说一次"}, content_type="application/json"
            )
        )
        assert response.status_code == 400
        assert str(services.ROUTING_ALREADY_REPLIED) in str(response.json())


class TestTimelineAndWorkbench:
    def test_timeline_shows_feedback_and_replies(self, world: dict) -> None:
        routing = _record(world).routings.get()
        services.routing_reply(actor=world["bob"], routing=routing, reply="已安排")
        events = feedback_events(world["customer"], world["carol"])
        assert [e.kind for e in events] == ["feedback", "feedback"]
        assert any(world["sales"].name in e.title for e in events)

    def test_workbench_for_who_may_acknowledge(self, world: dict) -> None:
        _record(world)
        items = workbench_items(world["bob"])
        assert len(items) == 1 and items[0].count == 1
        assert workbench_items(world["alice"]) == []  # staff may not acknowledge

    def test_customer_page_timeline(self, world: dict, personas: dict) -> None:
        _record(world)
        body = (
            personas["rep_alice"]
            .client()
            .get(reverse("customers:customer_detail", args=[world["customer"].pk]))
            .content.decode()
        )
        assert "交货周期太长" in body


class TestFeedbackScope(ScopeMatrixTests):
    model = Feedback
    list_url = "/service/feedback/"
    api_list_url = "/api/v1/feedback/"
    detail_route = "service:feedback_detail"

    def make(self, persona: Any) -> Any:
        return make_feedback(
            customer=CustomerFactory(), created_by=persona.user, unit=persona.unit, content=f"反馈内容-{persona.key}"
        )

    def label(self, record: Any) -> str:
        return record.content


class TestRoutingScope(ScopeMatrixTests):
    """A routing's scope is its department: staff see their own department's, managers their tree."""

    model = FeedbackRouting
    list_url = "/service/feedback/inbox/"
    api_list_url = "/api/v1/feedback-routings/"
    detail_route = "service:routing_detail"

    def make(self, persona: Any) -> Any:
        feedback = make_feedback(
            customer=CustomerFactory(), created_by=persona.user, unit=persona.unit, content=f"转交内容-{persona.key}"
        )
        return make_routing(feedback=feedback, department=persona.unit)

    def label(self, record: Any) -> str:
        return record.feedback.content


def test_messages_are_translatable() -> None:
    assert shown(services.FEEDBACK_NEEDS_DEPARTMENT)
