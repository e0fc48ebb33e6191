"""The sales plan workflow is one table (``PLAN_WORKFLOW``): for every status and every demo role, the buttons on
the plan page, the API's ``allowed_actions`` and what the services accept are the same, and match the table.

sales1 (east team) owns the plan; sales_mgr manages the sales department above the team (changes and approves);
ceo sees every plan but holds no sales plan rights; cs1 (customer service) sees no plan; sales2 (south team) is the
person responsible for an action item — a plan has no sharing, so he sees the item's plan not at all.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.core.testing import assert_workflow_agrees
from apps.marketing.choices import IntelStatus
from apps.marketing.tests.factories_leads import IntelFactory
from apps.org.models import User
from apps.sales.choices import SalesPlanStatus
from apps.sales.models import SalesPlan
from apps.sales.models.plans import APPROVER, CHANGER, PLAN_MOVES, PLAN_WORKFLOW
from apps.sales.selectors.plans import plan_allowed, plan_roles
from apps.sales.services import plans as svc

PEOPLE = ("sales1", "sales_mgr", "ceo", "cs1", "sales2")
# Who holds which role of the table on sales1's plan (the table's roles, written out once for the demo org).
ROLES = {"sales1": {CHANGER}, "sales_mgr": {CHANGER, APPROVER}, "ceo": set(), "cs1": set(), "sales2": set()}
BUTTONS = {m: f"plan-{m}" for m in PLAN_MOVES}
SERVICES = {
    "edit": lambda actor, plan: svc.salesplan_update(actor=actor, plan=plan, data={}),
    "submit": lambda actor, plan: svc.salesplan_submit(actor=actor, plan=plan),
    "approve": lambda actor, plan: svc.salesplan_approve(actor=actor, plan=plan),
    "return": lambda actor, plan: svc.salesplan_return(actor=actor, plan=plan),
    "start": lambda actor, plan: svc.salesplan_start(actor=actor, plan=plan),
    "close": lambda actor, plan: svc.salesplan_close(actor=actor, plan=plan),
}
PATH = {
    SalesPlanStatus.DRAFT: [],
    SalesPlanStatus.SUBMITTED: ["submit"],
    SalesPlanStatus.APPROVED: ["submit", "approve"],
    SalesPlanStatus.EXECUTING: ["submit", "approve", "start"],
    SalesPlanStatus.CLOSED: ["submit", "approve", "start", "close"],
}


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _plan_in(status: str, people: dict[str, User]) -> SalesPlan:
    owner, manager = people["sales1"], people["sales_mgr"]
    intel = IntelFactory(owner=owner, status=IntelStatus.PUBLISHED)
    plan = svc.salesplan_create(
        actor=owner,
        data={
            "title": "华东区销售计划",
            "period_start": "2026-01-01",
            "period_end": "2026-06-30",
            "strategy": "聚焦制造业",
            "intel": [intel],
        },
        actions=[
            {
                "title": "拜访重点客户",
                "responsible": people["sales2"],
                "start_date": "2026-01-05",
                "due_date": "2026-02-28",
            }
        ],
    )
    for move in PATH[status]:
        SERVICES[move](manager if move == "approve" else owner, plan)
    plan.refresh_from_db()
    assert plan.status == status
    return plan


@pytest.mark.parametrize("status", list(PLAN_WORKFLOW))
def test_page_api_and_service_agree_with_the_table(status: str, people: dict[str, User]) -> None:
    plan = _plan_in(status, people)
    for name in PEOPLE:
        user = people[name]
        assert plan_roles(user, plan) == ROLES[name], name
        expected = tuple(
            m for m in PLAN_MOVES if m in PLAN_WORKFLOW[status] and PLAN_WORKFLOW[status][m][1] & ROLES[name]
        )
        allowed = plan_allowed(user, plan)
        assert allowed == expected, (status, name)
        seen = assert_workflow_agrees(
            user,
            allowed=allowed,
            actions=PLAN_MOVES,
            take=lambda move, actor: SERVICES[move](actor, SalesPlan.objects.get(pk=plan.pk)),
            page_url=f"/sales/plans/{plan.pk}/",
            api_url=f"/api/v1/sales-plans/{plan.pk}/",
            buttons=BUTTONS,
            hidden=(404,),
            ordered=True,
            label=(status, name),
        )
        # No plan in their scope: the page and the API answer as for a missing plan.
        assert seen == (name not in ("cs1", "sales2")), (status, name)


def test_a_move_the_table_refuses_is_refused_by_the_api_as_well(people: dict[str, User]) -> None:
    plan = _plan_in(SalesPlanStatus.DRAFT, people)
    client = Client()
    client.force_login(people["sales_mgr"])
    assert client.post(f"/api/v1/sales-plans/{plan.pk}/approve/").status_code == 400  # not submitted yet
    client.force_login(people["ceo"])
    assert client.post(f"/api/v1/sales-plans/{plan.pk}/submit/").status_code == 403  # sees it, may not change it
    client.force_login(people["sales1"])
    assert client.post(f"/api/v1/sales-plans/{plan.pk}/submit/").status_code == 200
    plan.refresh_from_db()
    assert plan.status == SalesPlanStatus.SUBMITTED
