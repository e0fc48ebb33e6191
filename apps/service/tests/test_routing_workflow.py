"""Feedback routing is one table (``ROUTING_WORKFLOW``): for every status of a routing and six demo people, the
buttons on the routing page, the API's ``allowed_actions`` and what the services accept are the same, and match the
table.

cs1 recorded the feedback (about a customer he looks after) and routed it to the sales department; sales_mgr manages
that department (acknowledges and replies); sales1 works there (sees it, may not answer); ceo may answer any
department's feedback; mkt_mgr manages another department (does not see it); cs_mgr manages the recorder's
department (sees the feedback, not the other department's routing).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from apps.core.testing import assert_each_person_agrees
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User
from apps.service.choices import FeedbackCategory, RoutingStatus
from apps.service.models import FeedbackRouting
from apps.service.models.feedback import ROUTING_ACTIONS, ROUTING_WORKFLOW
from apps.service.selectors.feedback import routing_allowed
from apps.service.services import feedback as svc

PEOPLE = ("cs1", "sales_mgr", "sales1", "ceo", "mkt_mgr", "cs_mgr")
BUTTONS = {"acknowledge": "routing-acknowledge", "reply": "routing-reply"}


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _routing_in(status: str, people: dict[str, User]) -> FeedbackRouting:
    customer = CustomerFactory(
        owner=people["sales1"], owner_unit=people["sales1"].employee.department, service_owner=people["cs1"]
    )
    feedback = svc.feedback_record(
        actor=people["cs1"],
        customer=customer,
        category=FeedbackCategory.PRICE,
        content="希望报价单能按季度汇总",
        departments=[people["sales_mgr"].employee.department],
    )
    routing = feedback.routings.get()
    if status == RoutingStatus.ACKNOWLEDGED:
        svc.routing_acknowledge(actor=people["sales_mgr"], routing=routing)
    elif status == RoutingStatus.REPLIED:
        svc.routing_reply(actor=people["sales_mgr"], routing=routing, reply="下月起按季度汇总")
    routing = FeedbackRouting.objects.get(pk=routing.pk)
    assert routing.status == status
    return routing


def _call(action: str, user: User, routing: FeedbackRouting) -> Any:
    if action == "acknowledge":
        return svc.routing_acknowledge(actor=user, routing=routing)
    return svc.routing_reply(actor=user, routing=routing, reply="已安排专人跟进")


@pytest.mark.parametrize("status", [s.value for s in RoutingStatus])
def test_page_api_and_services_agree_with_the_table(status: str, people: dict[str, User]) -> None:
    routing = _routing_in(status, people)

    def check(username: str, allowed: set[str]) -> None:
        if username in ("sales_mgr", "ceo"):
            assert allowed == set(ROUTING_WORKFLOW[status]), (username, status, allowed)
        else:
            assert allowed == set(), (username, status, allowed)

    assert_each_person_agrees(
        routing,
        people,
        PEOPLE,
        allowed_for=routing_allowed,
        steps=ROUTING_WORKFLOW[status],
        call=_call,
        check=check,
        label=(status,),
        actions=ROUTING_ACTIONS,
        page_url=f"/service/feedback/routings/{routing.pk}/",
        api_url=f"/api/v1/feedback-routings/{routing.pk}/",
        buttons=BUTTONS,
    )
