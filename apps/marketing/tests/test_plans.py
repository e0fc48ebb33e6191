"""Market development plans: the approval workflow and the goal actuals computed from the records."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.marketing.choices import CampaignStatus, GoalMetric, PlanStatus
from apps.marketing.models import MarketPlan
from apps.marketing.selectors import plans as selectors
from apps.marketing.services import plans as services
from apps.marketing.tests.factories_plans import (
    Q_END,
    Q_START,
    PlanFactory,
    add_goals,
    make_campaign,
    make_lead,
    make_visit,
)
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee

GOALS = [
    {"metric": GoalMetric.NEW_LEADS, "target_value": Decimal("50")},
    {"metric": GoalMetric.VISITS, "target_value": Decimal("20")},
]


def _draft(alice: Any) -> MarketPlan:
    return services.plan_create(
        actor=alice,
        goals=GOALS,
        title="华东季度开发计划",
        period_start=Q_START,
        period_end=Q_END,
        strategic_goal="扩大华东市场份额",
        budget=Decimal("80000"),
    )


class PlanWorkflowTests:
    def test_submit_asks_the_manager_above(self, personas: dict[str, Persona]) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        assert plan.status == PlanStatus.SUBMITTED
        assert Notification.objects.filter(recipient=bob, url=reverse("marketing:plan_detail", args=[plan.pk])).exists()

    def test_a_plan_without_goals_cannot_be_submitted(self, personas: dict[str, Persona]) -> None:
        alice = personas["rep_alice"].user
        plan = services.plan_create(
            actor=alice, title="空计划", period_start=Q_START, period_end=Q_END, strategic_goal="x"
        )
        with pytest.raises(ValidationError, match=str(services.GOALS_REQUIRED)):
            services.plan_submit(actor=alice, plan=plan)

    @pytest.mark.parametrize("who", ["rep_alice", "rep_carol", "auditor_dave"])
    def test_approve_by_someone_without_the_right_is_refused(self, personas: dict, who: str) -> None:
        alice = personas["rep_alice"].user
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=personas[who].user, plan=plan)
        plan.refresh_from_db()
        assert plan.status == PlanStatus.SUBMITTED and plan.approved_by is None

    def test_a_manager_whose_scope_does_not_cover_the_plan_cannot_approve(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        other = make_employee(
            "mgr_b", "客服经理", personas["rep_carol"].unit, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER
        ).user
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        with pytest.raises(PermissionDenied):
            services.plan_approve(actor=other, plan=plan)

    def test_a_manager_cannot_approve_his_own_plan(self, personas: dict) -> None:
        bob = personas["lead_bob"].user
        plan = services.plan_submit(actor=bob, plan=_draft(bob))
        with pytest.raises(ValidationError, match=str(services.APPROVER_IS_OWNER)):
            services.plan_approve(actor=bob, plan=plan)

    def test_approval_notifies_senior_management_and_the_owner(self, personas: dict) -> None:
        alice, bob, dave = (personas[k].user for k in ("rep_alice", "lead_bob", "auditor_dave"))
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        services.plan_approve(actor=bob, plan=plan, comment="同意")
        plan.refresh_from_db()
        assert (plan.status, plan.approved_by, plan.approval_comment) == (PlanStatus.APPROVED, bob, "同意")
        assert Notification.objects.filter(recipient=dave, title__contains=plan.title).exists()
        assert Notification.objects.filter(recipient=alice, title__contains=plan.title).exists()
        assert plan.history.first().history_user == bob

    def test_reject_needs_a_comment_and_sends_back_to_draft(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        with pytest.raises(ValidationError):
            services.plan_reject(actor=bob, plan=plan, comment="  ")
        services.plan_reject(actor=bob, plan=plan, comment="目标太低")
        plan.refresh_from_db()
        assert plan.status == PlanStatus.DRAFT and plan.approval_comment == "目标太低"
        assert Notification.objects.filter(recipient=alice, body="目标太低").exists()

    def test_refused_moves_say_which(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        plan = _draft(alice)
        with pytest.raises(ValidationError, match=f"“{PlanStatus.DRAFT.label}”.*“{PlanStatus.EXECUTING.label}”"):
            services.plan_start(actor=alice, plan=plan)

    def test_only_drafts_can_be_edited(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        plan = services.plan_submit(actor=alice, plan=_draft(alice))
        with pytest.raises(ValidationError):
            services.plan_update(actor=alice, plan=plan, data={"title": "改名"})
        plan.refresh_from_db()
        assert plan.title == "华东季度开发计划"

    def test_a_goal_twice_is_refused_and_nothing_is_saved(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        with pytest.raises(ValidationError):
            services.plan_create(
                actor=alice,
                goals=GOALS + GOALS[:1],
                title="重复",
                period_start=Q_START,
                period_end=Q_END,
                strategic_goal="x",
            )
        assert not MarketPlan.objects.filter(title="重复").exists()

    def test_whole_flow_through_the_pages(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"], personas["lead_bob"]
        data = {
            "title": "页面计划",
            "period_start": "2025-01-01",
            "period_end": "2025-03-31",
            "strategic_goal": "增长",
            "budget": "1000",
            "goals-TOTAL_FORMS": "7",
            "goals-INITIAL_FORMS": "0",
            "goals-MIN_NUM_FORMS": "0",
            "goals-MAX_NUM_FORMS": "7",
            "goals-0-metric": "new_leads",
            "goals-0-target_value": "30",
        }
        response = alice.client().post(reverse("marketing:plan_create"), data)
        plan = MarketPlan.objects.get(title="页面计划")
        assert response.status_code == 302 and plan.goals.get().target_value == 30
        alice.client().post(reverse("marketing:plan_submit", args=[plan.pk]))
        page = bob.client().get(reverse("marketing:plan_detail", args=[plan.pk]))
        assert b'data-testid="approval-box"' in page.content
        bob.client().post(reverse("marketing:plan_approve", args=[plan.pk]), {"comment": ""})
        plan.refresh_from_db()
        assert plan.status == PlanStatus.APPROVED


class GoalActualsTests:
    @pytest.fixture
    def plan(self, personas: dict) -> MarketPlan:
        plan = PlanFactory(owner=personas["rep_alice"].user)
        add_goals(
            plan,
            new_leads=10,
            qualified_leads=4,
            new_customers=2,
            campaigns_held=2,
            visits=4,
            new_customer_revenue=100000,
            market_share=5,
        )
        return plan

    @pytest.fixture
    def records(self, personas: dict, plan: MarketPlan) -> None:
        alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
        other_plan = PlanFactory(owner=alice)
        c1 = make_campaign(alice, start=dt.date(2025, 1, 10), plan=plan)
        make_campaign(alice, start=dt.date(2025, 2, 1), plan=plan, status=CampaignStatus.CANCELLED)
        make_campaign(alice, start=dt.date(2025, 4, 5), plan=plan)
        make_campaign(alice, start=dt.date(2025, 2, 5))
        l1 = make_lead(
            alice,
            created=dt.date(2025, 1, 5),
            plan=plan,
            qualified=dt.date(2025, 1, 20),
            converted=dt.date(2025, 2, 10),
        )
        make_lead(alice, created=dt.date(2025, 1, 12), campaign=c1, qualified=dt.date(2025, 3, 1))
        make_lead(alice, created=dt.date(2024, 12, 20), campaign=c1, converted=dt.date(2025, 1, 15))
        make_lead(alice, created=dt.date(2025, 4, 2), plan=plan)
        make_lead(alice, created=dt.date(2025, 2, 2))
        make_lead(alice, created=dt.date(2025, 2, 2), plan=other_plan, campaign=c1)  # the direct plan wins
        make_visit(alice, on=dt.date(2025, 2, 1), lead=l1)
        make_visit(alice, on=dt.date(2025, 3, 31), lead=l1)
        make_visit(alice, on=dt.date(2025, 4, 1), lead=l1)
        make_visit(bob, on=dt.date(2025, 2, 1), lead=l1)  # the parent department is outside the plan's subtree
        make_visit(carol, on=dt.date(2025, 2, 1), lead=l1)

    def _lines(self, plan: MarketPlan, **kwargs: Any) -> dict[str, selectors.GoalLine]:
        return {
            line.metric: line for line in selectors.plan_goal_actuals(plan=plan, start=Q_START, end=Q_END, **kwargs)
        }

    def test_each_goal_line_is_counted_from_the_records(self, plan: MarketPlan, records: None) -> None:
        lines = self._lines(plan)
        actual = {metric: line.actual for metric, line in lines.items()}
        assert actual[GoalMetric.NEW_LEADS] == 2
        assert actual[GoalMetric.QUALIFIED_LEADS] == 2
        assert actual[GoalMetric.NEW_CUSTOMERS] == 2
        assert actual[GoalMetric.CAMPAIGNS_HELD] == 1
        assert actual[GoalMetric.VISITS] == 2
        assert lines[GoalMetric.NEW_LEADS].completion_pct == Decimal("20.0")
        assert lines[GoalMetric.QUALIFIED_LEADS].completion_pct == Decimal("50.0")
        assert lines[GoalMetric.NEW_CUSTOMERS].completion_pct == Decimal("100.0")
        assert lines[GoalMetric.VISITS].completion_pct == Decimal("50.0")

    def test_revenue_is_unknown_until_sales_measures_it(self, plan: MarketPlan, records: None, monkeypatch) -> None:
        monkeypatch.setattr(selectors, "_providers", {})  # as before sales registers its measure
        line = self._lines(plan)[GoalMetric.NEW_CUSTOMER_REVENUE]
        assert line.actual is None and line.completion_pct is None
        assert line.note == str(selectors.NOT_MEASURED_YET)

    def test_a_registered_metric_provider_measures_revenue(self, plan: MarketPlan, monkeypatch) -> None:
        monkeypatch.setattr(selectors, "_providers", {})  # restored afterwards, with sales' own measure
        selectors.register_goal_metric(
            GoalMetric.NEW_CUSTOMER_REVENUE, lambda *, plans, start, end: {p.pk: Decimal("25000") for p in plans}
        )
        line = self._lines(plan)[GoalMetric.NEW_CUSTOMER_REVENUE]
        assert (line.actual, line.completion_pct) == (Decimal("25000"), Decimal("25.0"))

    def test_market_share_is_the_entered_estimate(self, plan: MarketPlan) -> None:
        assert self._lines(plan)[GoalMetric.MARKET_SHARE].actual is None
        line = self._lines(plan, market_share=Decimal("3"))[GoalMetric.MARKET_SHARE]
        assert (line.actual, line.completion_pct) == (Decimal("3"), Decimal("60.0"))

    def test_queries_are_bounded(self, plan: MarketPlan, records: None, django_assert_max_num_queries: Any) -> None:
        # Three for leads, campaigns and visits, and one per metric a later app measures (sales: revenue).
        with django_assert_max_num_queries(3 + len(selectors._providers) + 1):
            selectors.plan_goal_actuals(plan=plan, start=Q_START, end=Q_END)

    def test_the_plan_page_shows_the_computed_actuals(
        self, personas: dict, plan: MarketPlan, records: None, monkeypatch: Any
    ) -> None:
        monkeypatch.setattr(selectors, "_providers", {})  # as before sales measures revenue
        response = personas["rep_alice"].client().get(reverse("marketing:plan_detail", args=[plan.pk]))
        body = response.content.decode()
        assert response.status_code == 200
        assert 'data-metric="new_leads"' in body and "20.0%" in body
        assert str(selectors.NOT_MEASURED_YET) in body


class PlanScopeTests(core_testing.ScopeMatrixTests):
    model = MarketPlan
    list_url = "/marketing/plans/"
    api_list_url = "/api/v1/market-plans/"
    detail_route = "marketing:plan_detail"

    def make(self, persona: Persona) -> MarketPlan:
        return PlanFactory(owner=persona.user, title=f"计划-{persona.key}")

    def label(self, record: MarketPlan) -> str:
        return record.title
