"""Issue 11, done when 3, with the demo company's own accounts: an 优秀 proposes a reward and a 不合格 a penalty;
``sales_mgr`` cannot decide them and ``ceo`` can; ``sales1`` appeals once, sees the decision and cannot appeal
again; an exceeded forced distribution blocks finalisation naming the department and the count.

The demo organisation and the policy in force are loaded; a version of the rules in which a sales person's scorecard
is the manager's rating alone (so the grades follow the ratings given here) is put in force for the quarter."""

from __future__ import annotations

import importlib
import io
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.org.models import Department, User
from apps.performance import services
from apps.performance.choices import AssessmentStatus, CycleStatus, ProposalStatus
from apps.performance.models import Assessment, RewardPenalty
from apps.policy.choices import Grade, KpiCode
from apps.policy.selectors import policy_today
from apps.policy.tests.factories import new_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo() -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(django_apps, None)
    new_version(
        User.objects.get(username="admin"),
        "2.0",
        policy_today(),
        assessment={"schemes": {"sales": {"staff": {"manager_rating": {"weight": 100, "target": "100"}}}}},
    )
    return {u.username: u for u in User.objects.all()}


def card(cycle: Any, user: User) -> Assessment:
    return Assessment.objects.get(cycle=cycle, owner=user)


RATINGS = {"sales1": "95", "east2": "92", "sales2": "30"}  # excellent, excellent (the second of east), fail


def test_proposals_appeals_and_the_forced_distribution_with_the_demo_accounts(demo: dict[str, User]) -> None:
    ceo, sales_mgr, east_lead, sales1 = (demo[n] for n in ("ceo", "sales_mgr", "east_lead", "sales1"))
    cycle = services.cycle_compute(actor=ceo, cycle=services.cycle_create(actor=ceo, period_key="2026-Q3"))
    for other in Assessment.objects.filter(cycle=cycle, subject_kind="person").select_related("owner"):
        rating = RATINGS.get(other.owner.username, "75")
        reviewer = east_lead if other.owner.username in ("sales1", "east2") else ceo
        services.assessment_review(actor=reviewer, assessment=other, hand_scores={KpiCode.MANAGER_RATING: rating})
    assert card(cycle, sales1).grade == Grade.EXCELLENT and card(cycle, demo["sales2"]).grade == Grade.FAIL

    # sales1 appeals once; the direct manager (who reviewed the card) cannot decide it, ceo does; sales1 reads it.
    appeal = services.appeal_submit(actor=sales1, assessment=card(cycle, sales1), reason="大客户续约应计入")
    with pytest.raises(ValidationError):
        services.appeal_submit(actor=sales1, assessment=card(cycle, sales1), reason="再次申诉")
    with pytest.raises(PermissionDenied):
        services.appeal_decide(actor=east_lead, appeal=appeal, upheld=False, decision="维持")
    services.appeal_decide(actor=ceo, appeal=appeal, upheld=False, decision="考核口径符合制度，维持原结果")
    client = Client()
    client.force_login(sales1)
    response = client.get(reverse("performance:assessment_detail", args=[card(cycle, sales1).pk]))
    assert response.status_code == 200 and "考核口径符合制度，维持原结果" in response.content.decode()
    with pytest.raises(ValidationError):
        services.appeal_submit(actor=sales1, assessment=card(cycle, sales1), reason="第三次")

    # Two of the five people of 销售一组 are excellent where the rules allow one (20 %): finalising is refused.
    east = Department.objects.get(code="sales-east")
    with pytest.raises(ValidationError) as refused:
        services.cycle_finalise(actor=ceo, cycle=cycle)
    people = Assessment.objects.filter(cycle=cycle, subject_kind="person", owner_unit=east).count()
    with translation.override("zh-hans"):
        expected = str(
            services.FORCED_DISTRIBUTION
            % {"department": east.name, "count": 2, "allowed": max(1, people * 20 // 100), "percent": 20}
        )
        assert expected in refused.value.messages
        assert not any("销售二组" in m for m in refused.value.messages)
    assert cycle.__class__.objects.get(pk=cycle.pk).status == CycleStatus.COMPUTED
    assert services.cycle_apply_distribution(actor=ceo, cycle=cycle) == 1
    assert card(cycle, demo["east2"]).grade == Grade.GOOD and card(cycle, sales1).grade == Grade.EXCELLENT
    services.cycle_finalise(actor=ceo, cycle=cycle)

    # The excellent proposes a reward, the fail a penalty; sales_mgr cannot decide them, ceo can.
    reward = RewardPenalty.objects.get(assessment=card(cycle, sales1))
    penalty = RewardPenalty.objects.get(assessment=card(cycle, demo["sales2"]))
    assert reward.is_reward and not penalty.is_reward
    assert not RewardPenalty.objects.filter(assessment=card(cycle, demo["east2"])).exists()
    for proposal in (reward, penalty):
        with pytest.raises(PermissionDenied):
            services.proposal_decide(actor=sales_mgr, proposal=proposal, approve=True)
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.PROPOSED
        services.proposal_decide(actor=ceo, proposal=proposal, approve=True, note="领导批准")
        proposal.refresh_from_db()
        assert proposal.status == ProposalStatus.APPROVED and proposal.decided_by == ceo
    assert card(cycle, sales1).status == AssessmentStatus.FINAL
    assert card(cycle, sales1).total == Decimal("95.00")
