"""The market plan workflow is one table (``PLAN_WORKFLOW``): for every status and five demo people, the buttons on
the plan page, the API's ``allowed_actions`` and what the services accept are the same, and match the table.

mkt1 drafted the plan (its owner); mkt2, a colleague, does not see it (staff: own records in marketing); mkt_mgr
manages the department (approves, may change); ceo sees everything and changes nothing; sales_mgr manages another
department. Plans are shared with nobody, so no one sees a plan by sharing alone.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from apps.core.testing import assert_each_person_agrees
from apps.marketing.choices import GoalMetric, PlanStatus
from apps.marketing.models import MarketPlan
from apps.marketing.models.plans import PLAN_ACTIONS, PLAN_WORKFLOW
from apps.marketing.selectors.plans import plan_allowed
from apps.marketing.services import plans as svc
from apps.marketing.tests.factories_plans import Q_END, Q_START
from apps.org.models import User

PEOPLE = ("mkt1", "mkt2", "mkt_mgr", "ceo", "sales_mgr")
BUTTONS = {action: f"plan-{action}" for action in PLAN_ACTIONS}
PATH = [PlanStatus.DRAFT, PlanStatus.SUBMITTED, PlanStatus.APPROVED, PlanStatus.EXECUTING, PlanStatus.CLOSED]


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _plan_in(status: str, people: dict[str, User]) -> MarketPlan:
    owner, manager = people["mkt1"], people["mkt_mgr"]
    plan = svc.plan_create(
        actor=owner,
        goals=[{"metric": GoalMetric.NEW_LEADS, "target_value": Decimal("50")}],
        title="华东季度开发计划",
        period_start=Q_START,
        period_end=Q_END,
        strategic_goal="扩大华东市场份额",
        budget=Decimal("80000"),
    )
    moves = {
        PlanStatus.SUBMITTED: lambda p: svc.plan_submit(actor=owner, plan=p),
        PlanStatus.APPROVED: lambda p: svc.plan_approve(actor=manager, plan=p),
        PlanStatus.EXECUTING: lambda p: svc.plan_start(actor=owner, plan=p),
        PlanStatus.CLOSED: lambda p: svc.plan_close(actor=owner, plan=p),
    }
    for step in PATH[1 : PATH.index(status) + 1]:
        plan = moves[step](plan)
    plan = MarketPlan.objects.get(pk=plan.pk)
    assert plan.status == status
    return plan


def _call(action: str, user: User, plan: MarketPlan) -> Any:
    calls = {
        "edit": lambda: svc.plan_update(actor=user, plan=plan, data={"title": "华东季度开发计划（修订）"}),
        "submit": lambda: svc.plan_submit(actor=user, plan=plan),
        "approve": lambda: svc.plan_approve(actor=user, plan=plan, comment="同意"),
        "reject": lambda: svc.plan_reject(actor=user, plan=plan, comment="目标需细化"),
        "start": lambda: svc.plan_start(actor=user, plan=plan),
        "close": lambda: svc.plan_close(actor=user, plan=plan),
    }
    return calls[action]()


@pytest.mark.parametrize("status", PATH)
def test_page_api_and_services_agree_with_the_table(status: str, people: dict[str, User]) -> None:
    plan = _plan_in(status, people)
    assert_each_person_agrees(
        plan,
        people,
        PEOPLE,
        allowed_for=plan_allowed,
        steps=PLAN_WORKFLOW[status],
        call=_call,
        check=lambda username, allowed: expected_for_person(username, status, allowed),
        label=(status,),
        actions=PLAN_ACTIONS,
        page_url=f"/marketing/plans/{plan.pk}/",
        api_url=f"/api/v1/market-plans/{plan.pk}/",
        buttons=BUTTONS,
    )


def expected_for_person(username: str, status: str, allowed: set[str]) -> None:
    """What the policy asks, person by person (the table must not drift from it)."""
    if username in ("mkt2", "ceo", "sales_mgr"):  # not seen, seen only, another department
        assert allowed == set(), (username, status, allowed)
    elif username == "mkt1":  # the owner drafts, submits, starts and closes, never approves his own plan
        assert "approve" not in allowed and "reject" not in allowed
        assert ("submit" in allowed) == (status == PlanStatus.DRAFT)
    elif username == "mkt_mgr":
        assert ("approve" in allowed) == ("reject" in allowed) == (status == PlanStatus.SUBMITTED)


def test_the_pipeline_is_read_from_the_table() -> None:
    assert svc.PLAN_PIPELINE[PlanStatus.SUBMITTED] == (PlanStatus.APPROVED, PlanStatus.DRAFT)
    assert svc.PLAN_PIPELINE[PlanStatus.CLOSED] == ()


def test_the_page_button_posts_to_a_step_the_service_takes(people: dict[str, User]) -> None:
    plan = _plan_in(PlanStatus.SUBMITTED, people)
    client = Client()
    client.force_login(people["mkt_mgr"])
    client.post(f"/marketing/plans/{plan.pk}/approve/", {"comment": "同意"})
    assert MarketPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
    owner = Client()
    owner.force_login(people["mkt1"])
    owner.post(f"/marketing/plans/{plan.pk}/reject/", {"comment": "撤回"})  # not his to decide: nothing changes
    assert MarketPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED
