"""Sales target evaluations (销售目标评估, art. 9): who may evaluate, whole-month periods, live figures in draft,
completion freezing the figures with the policy version and telling senior management, improvement actions raised
from an evaluation, the "evaluation due" workbench item, the API and the data-scope matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Notification
from apps.core.testing import Persona, ScopeMatrixTests, shown
from apps.improvements.choices import ImprovementSource
from apps.policy.selectors import rules_in_force
from apps.sales.choices import EvaluationStatus, TargetMetric, TargetStatus
from apps.sales.hooks.attainment import evaluation_workbench_items
from apps.sales.models import SalesEvaluation
from apps.sales.selectors.evaluations import evaluation_figures
from apps.sales.services.evaluations import (
    NOT_WHOLE_MONTHS,
    sales_evaluation_complete,
    sales_evaluation_create,
    sales_evaluation_raise_improvement,
    sales_evaluation_update,
)
from apps.sales.tests.factories_attainment import YEAR, make_contract, make_node, make_target_set, persona_tree

pytestmark = pytest.mark.django_db
MAY_START, MAY_END = dt.date(YEAR, 5, 1), dt.date(YEAR, 5, 31)


@pytest.fixture
def tree(personas: dict) -> dict:
    return persona_tree(personas, make_target_set())


def _start(personas: dict, node: Any, who: str = "lead_bob") -> SalesEvaluation:
    return sales_evaluation_create(actor=personas[who].user, node=node, period_start=MAY_START, period_end=MAY_END)


def test_the_manager_of_the_department_tree_or_senior_management_evaluates(personas: dict, tree: dict) -> None:
    assert _start(personas, tree["team"]).owner == personas["lead_bob"].user
    assert _start(personas, tree["company"], "auditor_dave").node == tree["company"]
    for who in ("rep_alice", "rep_carol"):
        with pytest.raises(PermissionDenied):
            _start(personas, tree["alice"], who)
    with pytest.raises(PermissionDenied):  # bob manages 销售部, not the company
        _start(personas, tree["company"])


def test_period_must_be_whole_months_of_the_fiscal_year(personas: dict, tree: dict) -> None:
    bob = personas["lead_bob"].user
    for start, end in (
        (dt.date(YEAR, 5, 2), MAY_END),
        (MAY_START, dt.date(YEAR, 5, 30)),
        (dt.date(YEAR - 1, 1, 1), dt.date(YEAR - 1, 1, 31)),
        (MAY_START, dt.date(YEAR, 4, 30)),
    ):
        with pytest.raises(ValidationError):
            sales_evaluation_create(actor=bob, node=tree["team"], period_start=start, period_end=end)
    assert not SalesEvaluation.objects.exists()


def test_a_draft_target_cannot_be_evaluated(personas: dict) -> None:
    tree = persona_tree(personas, make_target_set(status=TargetStatus.DRAFT))
    with pytest.raises(ValidationError):
        _start(personas, tree["team"])


def test_completion_freezes_the_figures_with_the_policy_version(personas: dict, tree: dict) -> None:
    alice = personas["rep_alice"].user
    make_contract(alice, "4000.00", dt.date(YEAR, 5, 6))
    evaluation = _start(personas, tree["team"])
    assert evaluation_figures(evaluation)["actual"] == "4000.00"  # live in draft
    with pytest.raises(ValidationError):
        sales_evaluation_complete(actor=personas["lead_bob"].user, evaluation=evaluation)  # no analysis yet
    sales_evaluation_update(
        actor=personas["lead_bob"].user,
        evaluation=evaluation,
        data={"gap_analysis": "大客户签约推迟", "causes": "预算冻结", "measures": "加强拜访"},
    )
    sales_evaluation_complete(actor=personas["lead_bob"].user, evaluation=evaluation)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.COMPLETED
    assert evaluation.policy_version == rules_in_force().version_label != ""
    assert evaluation.snapshot["target"] == "10000.00"
    assert evaluation.snapshot["gap"] == "6000.00"
    make_contract(alice, "99.00", dt.date(YEAR, 5, 7))
    assert evaluation_figures(evaluation)["actual"] == "4000.00"  # frozen
    assert Notification.objects.filter(recipient=personas["auditor_dave"].user).exists()
    with pytest.raises(ValidationError):
        sales_evaluation_update(actor=personas["lead_bob"].user, evaluation=evaluation, data={"causes": "x"})


def test_improvement_actions_are_raised_from_the_evaluation(personas: dict, tree: dict) -> None:
    evaluation = _start(personas, tree["team"])
    action = sales_evaluation_raise_improvement(
        actor=personas["lead_bob"].user,
        evaluation=evaluation,
        title="每周复盘商机",
        owner=personas["rep_alice"].user,
        due_date=timezone.localdate() + dt.timedelta(days=14),
    )
    assert action.source == evaluation
    assert action.source_kind == ImprovementSource.SALES_EVALUATION
    body = personas["lead_bob"].client().get(reverse("sales:evaluation_detail", args=[evaluation.pk])).content
    assert "每周复盘商机" in body.decode()


def test_pages_create_save_and_complete(personas: dict, tree: dict) -> None:
    client = personas["lead_bob"].client()
    assert client.get(reverse("sales:evaluation_create")).status_code == 200
    response = client.post(
        reverse("sales:evaluation_create"),
        {"node": tree["team"].pk, "period_start": "2026-05-02", "period_end": "2026-05-31"},
    )
    assert response.status_code == 200 and shown(NOT_WHOLE_MONTHS) in response.content.decode()
    response = client.post(
        reverse("sales:evaluation_create"),
        {"node": tree["team"].pk, "period_start": "2026-05-01", "period_end": "2026-06-30"},
    )
    evaluation = SalesEvaluation.objects.get()
    assert response["Location"] == reverse("sales:evaluation_detail", args=[evaluation.pk])
    client.post(
        response["Location"],
        {
            "period_start": "2026-05-01",
            "period_end": "2026-06-30",
            "gap_analysis": "差距主要在华东",
            "causes": "",
            "measures": "",
        },
    )
    client.post(reverse("sales:evaluation_complete", args=[evaluation.pk]))
    evaluation.refresh_from_db()
    assert (evaluation.gap_analysis, evaluation.status) == ("差距主要在华东", EvaluationStatus.COMPLETED)
    assert personas["rep_alice"].client().post(reverse("sales:evaluation_create")).status_code == 403


def test_workbench_shows_evaluation_due_to_the_manager(personas: dict) -> None:
    today = timezone.localdate()
    tree = persona_tree(personas, make_target_set(year=today.year if today.month > 1 else today.year - 1))
    items = evaluation_workbench_items(personas["lead_bob"].user)
    for name in (tree["department"].department.name, tree["team"].department.name):
        assert any(name in item.title for item in items), name
    assert evaluation_workbench_items(personas["rep_alice"].user) == []


def test_each_workbench_line_says_which_target_it_evaluates(personas: dict) -> None:
    """A department has a node in the contract-amount set and one in the payments set: two lines, never two
    identical ones (issue 10: "two identical 待进行销售评估 lines")."""
    today = timezone.localdate()
    year = today.year if today.month > 1 else today.year - 1
    persona_tree(personas, make_target_set(year=year))
    persona_tree(personas, make_target_set(metric=TargetMetric.PAYMENTS, year=year))
    titles = [item.title for item in evaluation_workbench_items(personas["lead_bob"].user)]
    assert len(titles) == 4 and len(set(titles)) == 4
    for metric in (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS):
        assert sum(str(metric.label) in title for title in titles) == 2


def test_api_creates_and_completes(personas: dict, tree: dict) -> None:
    client = personas["lead_bob"].client()
    response = client.post(
        "/api/v1/sales-evaluations/",
        {"node": tree["team"].pk, "period_start": "2026-05-01", "period_end": "2026-05-31", "gap_analysis": "ok"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    response = client.post(f"/api/v1/sales-evaluations/{pk}/complete/")
    assert response.status_code == 200, response.content
    assert response.json()["figures"]["target"] == "10000.00"
    assert response.json()["policy_version"] == rules_in_force().version_label
    other = personas["rep_carol"].client()
    assert other.get(f"/api/v1/sales-evaluations/{pk}/").status_code == 404


class SalesEvaluationScopeMatrixTests(ScopeMatrixTests):
    model = SalesEvaluation
    list_url = "/sales/evaluations/"
    api_list_url = "/api/v1/sales-evaluations/"
    target_set: ClassVar[Any] = None
    detail_route = "sales:evaluation_detail"

    def make(self, persona: Persona) -> SalesEvaluation:
        target_set = (
            make_target_set()
            if not SalesEvaluation.objects.exists()
            else SalesEvaluation.objects.first().node.target_set
        )
        node = make_node(target_set, persona.unit, person=persona.user, monthly="100")
        return SalesEvaluation.objects.create(
            node=node,
            period_start=MAY_START,
            period_end=MAY_END,
            owner=persona.user,
            owner_unit=persona.unit,
            created_by=persona.user,
            gap_analysis=f"分析-{persona.key}",
        )

    def label(self, record: SalesEvaluation) -> str:
        return f'href="{self.detail_url(record)}"'


def test_list_url_is_the_named_route() -> None:
    assert reverse("sales:evaluation_list") == SalesEvaluationScopeMatrixTests.list_url
