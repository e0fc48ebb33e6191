"""Market development evaluations: live figures, improvement actions raised from them, completion that freezes the
figures with the policy version, reporting to senior management, and the "evaluation due" workbench item."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from apps.core import testing as core_testing
from apps.core.history import history_entries
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.improvements.choices import ImprovementSource
from apps.improvements.selectors import improvements_for
from apps.marketing.choices import EvaluationStatus, GoalMetric, PlanStatus
from apps.marketing.hooks.plans import plan_workbench_items
from apps.marketing.models import MarketEvaluation, MarketPlan
from apps.marketing.selectors.evaluations import evaluation_figures, previous_period
from apps.marketing.services import evaluations as services
from apps.marketing.tests.factories_plans import Q_END, Q_START, EvaluationFactory, PlanFactory, add_goals, make_lead
from apps.policy.selectors import rules_in_force


@pytest.fixture
def plan(personas: dict[str, Persona]) -> MarketPlan:
    plan = PlanFactory(owner=personas["rep_alice"].user)
    add_goals(plan, new_leads=4, market_share=10)
    return plan


def _evaluation(personas: dict, plan: MarketPlan) -> MarketEvaluation:
    return services.evaluation_create(
        actor=personas["lead_bob"].user, plan=plan, period_start=Q_START, period_end=Q_END
    )


class EvaluationTests:
    def test_a_draft_shows_live_figures(self, personas: dict, plan: MarketPlan) -> None:
        evaluation = _evaluation(personas, plan)
        make_lead(personas["rep_alice"].user, created=dt.date(2025, 2, 1), plan=plan)
        lines = {line.metric: line for line in evaluation_figures(evaluation=evaluation)}
        assert lines[GoalMetric.NEW_LEADS].actual == 1
        assert lines[GoalMetric.NEW_LEADS].completion_pct == Decimal("25.0")

    def test_a_plan_not_yet_approved_cannot_be_evaluated(self, personas: dict) -> None:
        draft = PlanFactory(owner=personas["rep_alice"].user, status=PlanStatus.SUBMITTED)
        with pytest.raises(ValidationError):
            _evaluation(personas, draft)

    def test_staff_cannot_evaluate(self, personas: dict, plan: MarketPlan) -> None:
        with pytest.raises(PermissionDenied):
            services.evaluation_create(
                actor=personas["rep_alice"].user, plan=plan, period_start=Q_START, period_end=Q_END
            )

    def test_improvement_actions_are_raised_from_the_evaluation(self, personas: dict, plan: MarketPlan) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        evaluation = _evaluation(personas, plan)
        action = services.evaluation_raise_improvement(
            actor=bob,
            evaluation=evaluation,
            title="加强展会线索跟进",
            owner=alice,
            due_date=timezone.localdate() + dt.timedelta(days=14),
        )
        assert action.source == evaluation and action.source_kind == ImprovementSource.MARKET_EVALUATION
        assert list(improvements_for(user=bob, source=evaluation)) == [action]
        assert Notification.objects.filter(recipient=alice, title__contains="加强展会线索跟进").exists()
        client = personas["lead_bob"].client()
        body = client.get(reverse("marketing:evaluation_detail", args=[evaluation.pk])).content.decode()
        assert "加强展会线索跟进" in body and 'data-testid="raise-improvement"' in body

    def test_the_new_evaluation_page_asks_for_the_plan_and_the_period(self, personas: dict, plan: MarketPlan) -> None:
        response = personas["lead_bob"].client().get(reverse("marketing:evaluation_create"))
        assert response.status_code == 200
        body = response.content.decode()
        assert all(f'name="{name}"' in body for name in ("plan", "period_start", "period_end"))
        assert f'href="{reverse("marketing:evaluation_list")}"' in body

    def test_no_action_is_raised_from_an_evaluation_out_of_view(self, personas: dict, plan: MarketPlan) -> None:
        evaluation = _evaluation(personas, plan)
        carol = personas["rep_carol"].user
        assert not MarketEvaluation.objects.visible_to(carol).filter(pk=evaluation.pk).exists()
        with pytest.raises(PermissionDenied):
            services.evaluation_raise_improvement(
                actor=carol,
                evaluation=evaluation,
                title="越权整改",
                owner=carol,
                due_date=timezone.localdate() + dt.timedelta(days=14),
            )
        assert not improvements_for(user=personas["admin"].user, source=evaluation).exists()

    def test_completion_needs_feedback(self, personas: dict, plan: MarketPlan) -> None:
        evaluation = _evaluation(personas, plan)
        with pytest.raises(ValidationError):
            services.evaluation_complete(actor=personas["lead_bob"].user, evaluation=evaluation)
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.DRAFT and evaluation.snapshot == []

    def test_completion_freezes_the_figures_with_the_policy_version(self, personas: dict, plan: MarketPlan) -> None:
        alice, bob, dave = (personas[k].user for k in ("rep_alice", "lead_bob", "auditor_dave"))
        evaluation = _evaluation(personas, plan)
        make_lead(alice, created=dt.date(2025, 2, 1), plan=plan)
        services.evaluation_update(
            actor=bob, evaluation=evaluation, data={"feedback": "线索数量不足", "market_share_estimate": Decimal("4")}
        )
        services.evaluation_complete(actor=bob, evaluation=evaluation)
        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.COMPLETED
        assert evaluation.policy_version == rules_in_force().version_label != ""
        frozen = {row["metric"]: row for row in evaluation.snapshot}
        assert frozen["new_leads"]["actual"] == "1" and frozen["new_leads"]["completion_pct"] == "25.0"
        assert Decimal(frozen["market_share"]["actual"]) == 4 and frozen["market_share"]["completion_pct"] == "40.0"
        make_lead(alice, created=dt.date(2025, 2, 2), plan=plan)  # later records do not change a completed one
        assert {line.metric: line.actual for line in evaluation_figures(evaluation=evaluation)}["new_leads"] == 1
        assert Notification.objects.filter(recipient=dave, title__contains=plan.title).exists()
        with pytest.raises(ValidationError):
            services.evaluation_update(actor=bob, evaluation=evaluation, data={"feedback": "改"})

    def test_evaluation_due_on_the_managers_workbench(self, personas: dict) -> None:
        today = timezone.localdate()
        plan = PlanFactory(
            owner=personas["rep_alice"].user,
            period_start=today - dt.timedelta(days=200),
            period_end=today + dt.timedelta(days=100),
        )
        add_goals(plan, new_leads=4)
        bob = personas["lead_bob"].user
        titles = [item.title for item in plan_workbench_items(bob)]
        assert any(plan.title in t for t in titles)
        assert not any(plan.title in item.title for item in plan_workbench_items(personas["rep_alice"].user))
        frequency = rules_in_force().rules.evaluation_frequencies.market_development_evaluation
        start, end = previous_period(frequency, today)
        services.evaluation_create(actor=bob, plan=plan, period_start=start, period_end=end)
        assert not any(plan.title in item.title for item in plan_workbench_items(bob))


def test_previous_period_by_frequency() -> None:
    assert previous_period("monthly", dt.date(2025, 3, 15)) == (dt.date(2025, 2, 1), dt.date(2025, 2, 28))
    assert previous_period("quarterly", dt.date(2025, 1, 5)) == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert previous_period("half_yearly", dt.date(2025, 8, 1)) == (dt.date(2025, 1, 1), dt.date(2025, 6, 30))
    assert previous_period("yearly", dt.date(2025, 8, 1)) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


class EvaluationScopeTests(core_testing.ScopeMatrixTests):
    model = MarketEvaluation
    list_url = "/marketing/evaluations/"
    api_list_url = "/api/v1/market-evaluations/"
    detail_route = "marketing:evaluation_detail"

    def make(self, persona: Persona) -> MarketEvaluation:
        return EvaluationFactory(owner=persona.user, plan__title=f"评估计划-{persona.key}")

    def label(self, record: MarketEvaluation) -> str:
        return record.plan.title


@pytest.mark.django_db
def test_structured_data_reads_as_updated_not_as_a_dump(personas: dict) -> None:
    alice = personas["rep_alice"]
    plan = MarketPlan.objects.create(
        title="计划",
        period_start="2026-01-01",
        period_end="2026-03-31",
        strategic_goal="目标",
        owner=alice.user,
        owner_unit=alice.unit,
    )
    evaluation = MarketEvaluation.objects.create(
        plan=plan, period_start="2026-01-01", period_end="2026-03-31", owner=alice.user, owner_unit=alice.unit
    )
    evaluation.snapshot = [{"metric": "new_leads", "actual": "3"}]
    evaluation.save()
    lines = history_entries(evaluation)[0].lines
    label = MarketEvaluation._meta.get_field("snapshot").verbose_name
    assert lines == [gettext("Updated %(field)s") % {"field": label}]
    assert "new_leads" not in " ".join(lines)
