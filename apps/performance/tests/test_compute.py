"""Done-when tests of the assessment (arts. 11–13): every KPI recomputed from the raw records, the weighted score
and grade from the rules; a new policy version changes the next cycle only; proposals, appeals and the forced
distribution."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.performance import services
from apps.performance.choices import AssessmentStatus, CycleStatus, ProposalStatus, SubjectKind
from apps.performance.models import Assessment, AssessmentItem, RewardPenalty
from apps.performance.tests.factories import Q3, improvement, sales_world, service_world
from apps.policy.choices import Grade, KpiCode
from apps.policy.selectors import POLICY_TIME_ZONE, policy_today, rules_in_force
from apps.policy.tests.factories import new_version
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment
from apps.sales.selectors.attainment import make_period, node_attainment
from apps.service.models import Ticket

pytestmark = pytest.mark.django_db


def r1(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def r2(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def compute(personas: dict, key: str = "2026-Q3") -> Any:
    dave = personas["auditor_dave"].user
    cycle = services.cycle_create(actor=dave, period_key=key)
    return services.cycle_compute(actor=dave, cycle=cycle)


def card_of(cycle: Any, user: Any = None, unit: Any = None) -> Assessment:
    if user is not None:
        return Assessment.objects.get(cycle=cycle, owner=user)
    return Assessment.objects.get(cycle=cycle, owner_unit=unit, subject_kind=SubjectKind.DEPARTMENT)


def lines(card: Assessment) -> dict[str, AssessmentItem]:
    return {i.kpi.code: i for i in card.items.select_related("kpi")}


def expected_total(card: Assessment) -> Decimal:
    """Σ weight × score / Σ weight over the measured lines, from the rules' weights — recomputed here."""
    measured = [(i.weight, i.score) for i in card.items.all() if i.score is not None]
    return r2(sum(Decimal(w) * s for w, s in measured) / sum(w for w, _ in measured))


def in_q3(**extra: Any) -> dict[str, Any]:
    return extra


class TestKpisFromRawRecords:
    def test_sales_kpis_equal_the_raw_records_and_the_attainment_page(self, personas: dict) -> None:
        world = sales_world(personas)
        cycle = compute(personas)
        alice = personas["rep_alice"].user
        got = lines(card_of(cycle, alice))
        start, end = Q3
        amount = sum(
            c.amount
            for c in Contract.objects.filter(owner=alice, status=ContractStatus.APPROVED, signed_on__range=(start, end))
        )
        target = sum(world["amount_nodes"]["alice"].months[6:9])
        paid = sum(p.amount for p in Payment.objects.filter(contract__owner=alice, received_on__range=(start, end)))
        paid_target = sum(world["payment_nodes"]["alice"].months[6:9])
        assert got[KpiCode.CONTRACT_AMOUNT_COMPLETION].actual == r1(amount * 100 / target)
        assert got[KpiCode.PAYMENT_COMPLETION].actual == r1(paid * 100 / paid_target)
        assert got[KpiCode.NEW_CUSTOMERS].actual == 2
        # The same figures as the attainment page for the same node and period.
        figures = node_attainment(world["amount_nodes"]["alice"], make_period("quarter", 2026, 3), as_of=end)
        assert got[KpiCode.CONTRACT_AMOUNT_COMPLETION].actual == r1(figures.actual * 100 / figures.target)
        assert sum(Decimal(s["value"]) for s in got[KpiCode.CONTRACT_AMOUNT_COMPLETION].sources) == figures.actual
        assert {s["pk"] for s in got[KpiCode.CONTRACT_AMOUNT_COMPLETION].sources} == {c.pk for c in world["contracts"]}
        # Score: completion capped at the KPI's cap; the manager's rating is not in yet.
        assert got[KpiCode.CONTRACT_AMOUNT_COMPLETION].score == r2(got[KpiCode.CONTRACT_AMOUNT_COMPLETION].actual)
        assert got[KpiCode.MANAGER_RATING].score is None

    def test_department_counts_its_subtree(self, personas: dict) -> None:
        sales_world(personas)
        cycle = compute(personas)
        department = personas["lead_bob"].unit
        got = lines(card_of(cycle, unit=department))
        amount = sum(
            c.amount
            for c in Contract.objects.filter(
                owner_unit__path__startswith=department.path, status=ContractStatus.APPROVED, signed_on__range=Q3
            )
        )
        assert got[KpiCode.CONTRACT_AMOUNT_COMPLETION].actual == r1(amount * 100 / Decimal("30000"))
        assert got[KpiCode.NEW_CUSTOMERS].completion == r1(Decimal(2) * 100 / got[KpiCode.NEW_CUSTOMERS].target)
        assert got[KpiCode.IMPROVEMENTS_ON_TIME].score is None  # none due: not counted for or against

    def test_service_kpis_equal_the_raw_tickets(self, personas: dict) -> None:
        service_world(personas)
        cycle = compute(personas)
        carol = personas["rep_carol"].user
        got = lines(card_of(cycle, carol))
        start = dt.datetime.combine(Q3[0], dt.time.min, tzinfo=POLICY_TIME_ZONE)
        end = dt.datetime.combine(Q3[1] + dt.timedelta(days=1), dt.time.min, tzinfo=POLICY_TIME_ZONE)
        tickets = list(Ticket.objects.filter(assignee=carol))
        due = [t for t in tickets if start <= t.first_response_due < end]
        on_time = [t for t in due if t.first_responded_at and t.first_responded_at <= t.first_response_due]
        assert got[KpiCode.FIRST_RESPONSE_ON_TIME].actual == r1(Decimal(len(on_time)) * 100 / len(due))
        due = [t for t in tickets if start <= t.resolution_due < end]
        on_time = [t for t in due if t.resolved_at and t.resolved_at <= t.resolution_due]
        assert got[KpiCode.RESOLUTION_ON_TIME].actual == r1(Decimal(len(on_time)) * 100 / len(due))
        assert got[KpiCode.CSAT].actual is None
        line = got[KpiCode.RESOLUTION_ON_TIME]
        assert line.completion == r1(line.actual * 100 / line.target)

    def test_improvements_on_time_by_their_due_date_in_shanghai(self, personas: dict) -> None:
        bob = personas["lead_bob"].user
        sept_30 = dt.date(2026, 9, 30)
        improvement(bob, sept_30, dt.datetime(2026, 9, 30, 15, 59, tzinfo=dt.UTC))  # 23:59 in Shanghai: on time
        improvement(bob, sept_30, dt.datetime(2026, 9, 30, 16, 1, tzinfo=dt.UTC))  # 00:01 on 1 Oct: late
        improvement(bob, dt.date(2026, 10, 1), None)  # due after Q3: not counted
        cycle = compute(personas)
        line = lines(card_of(cycle, bob))[KpiCode.IMPROVEMENTS_ON_TIME]
        assert (line.actual, len(line.sources)) == (Decimal("50.0"), 2)

    def test_weighted_total_and_grade_follow_the_rules(self, personas: dict) -> None:
        sales_world(personas)
        service_world(personas)
        cycle = compute(personas)
        rules = rules_in_force().rules
        for card in Assessment.objects.filter(cycle=cycle):
            scheme = rules.assessment.scheme(card.department_kind, card.level)
            assert [(i.kpi.code, i.weight, i.target) for i in card.items.order_by("position")] == [
                (line.kpi, line.weight, line.target) for line in scheme.lines
            ]
            for item in card.items.all():
                if item.score is not None:
                    assert item.contribution == r2(item.score * item.weight / 100)
            assert card.computed_total == (
                expected_total(card) if any(i.score is not None for i in card.items.all()) else 0
            )
            assert card.grade == rules.grade_for(card.total)

    def test_manager_counts_the_department_score(self, personas: dict) -> None:
        sales_world(personas)
        cycle = compute(personas)
        bob = personas["lead_bob"]
        line = lines(card_of(cycle, bob.user))[KpiCode.DEPARTMENT_SCORE]
        assert line.actual == card_of(cycle, unit=bob.unit).total

    def test_progress_reaches_100_and_the_cycle_keeps_its_version(self, personas: dict) -> None:
        seen: list[int] = []
        dave = personas["auditor_dave"].user
        cycle = services.cycle_create(actor=dave, period_key="2026-Q3")
        cycle = services.cycle_compute(actor=dave, cycle=cycle, progress=seen.append)
        assert seen and seen[-1] == 100 and seen == sorted(seen)
        assert (cycle.status, cycle.progress) == (CycleStatus.COMPUTED, 100)
        assert cycle.rules_version_id == rules_in_force().version_id


def review_all(cycle: Any, reviewer: Any, rating: str = "80") -> None:
    for card in Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).exclude(owner=reviewer):
        services.assessment_review(actor=reviewer, assessment=card, hand_scores={KpiCode.MANAGER_RATING: rating})


class TestReviewAppealFinalise:
    def test_review_scores_the_hand_kpi_and_adjusts_within_the_limit(self, personas: dict) -> None:
        sales_world(personas)
        cycle = compute(personas)
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        card = card_of(cycle, alice)
        with pytest.raises(ValidationError) as problem:
            services.assessment_review(actor=bob, assessment=card, adjustment=Decimal("11"), adjustment_reason="x")
        assert "10" in str(problem.value)
        with pytest.raises(ValidationError):
            services.assessment_review(actor=bob, assessment=card, adjustment=Decimal("5"))  # no reason
        card = services.assessment_review(
            actor=bob,
            assessment=card,
            hand_scores={KpiCode.MANAGER_RATING: "80"},
            adjustment=Decimal("2"),
            adjustment_reason="跨部门协作突出",
        )
        assert lines(card)[KpiCode.MANAGER_RATING].score == Decimal("80.00")
        assert card.computed_total == expected_total(card)
        assert card.total == card.computed_total + 2
        assert card.status == AssessmentStatus.REVIEWED

    def test_people_out_of_scope_cannot_review(self, personas: dict) -> None:
        cycle = compute(personas)
        carol = personas["rep_carol"].user
        with pytest.raises(PermissionDenied):  # bob manages sales, not service
            services.assessment_review(actor=personas["lead_bob"].user, assessment=card_of(cycle, carol))
        with pytest.raises(PermissionDenied):  # staff may not review at all
            services.assessment_review(actor=personas["rep_alice"].user, assessment=card_of(cycle, carol))

    def test_alice_appeals_once_sees_the_decision_and_cannot_appeal_again(self, personas: dict) -> None:
        sales_world(personas)
        cycle = compute(personas)
        alice, bob, dave = (personas[p].user for p in ("rep_alice", "lead_bob", "auditor_dave"))
        card = services.assessment_review(
            actor=bob, assessment=card_of(cycle, alice), hand_scores={KpiCode.MANAGER_RATING: "70"}
        )
        with pytest.raises(PermissionDenied):
            services.appeal_submit(actor=bob, assessment=card, reason="不是本人")
        appeal = services.appeal_submit(actor=alice, assessment=card, reason="九月合同应计入")
        with pytest.raises(ValidationError, match="once|一次"):
            services.appeal_submit(actor=alice, assessment=card, reason="再次申诉")
        with pytest.raises(PermissionDenied):
            services.appeal_decide(actor=bob, appeal=appeal, upheld=True, decision="同意")
        services.appeal_decide(actor=dave, appeal=appeal, upheld=True, decision="核实后调整", new_total=Decimal("75"))
        card.refresh_from_db()
        assert (card.status, card.total, card.appeal.decision) == (
            AssessmentStatus.CONFIRMED,
            Decimal("75.00"),
            "核实后调整",
        )
        with pytest.raises(ValidationError):
            services.appeal_submit(actor=alice, assessment=card, reason="第三次")

    def test_excellent_proposes_a_reward_and_fail_a_penalty_only_ceo_decides(self, personas: dict) -> None:
        sales_world(personas)
        cycle = compute(personas)
        alice, bob, carol, dave = (personas[p].user for p in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave"))
        services.assessment_review(
            actor=bob,
            assessment=card_of(cycle, alice),
            adjustment=Decimal("10"),
            adjustment_reason="超额完成重点项目",
            hand_scores={KpiCode.MANAGER_RATING: "100"},
        )
        Assessment.objects.filter(cycle=cycle, owner=alice).update(total=Decimal("95"), grade=Grade.EXCELLENT)
        services.assessment_review(
            actor=dave, assessment=card_of(cycle, carol), hand_scores={KpiCode.MANAGER_RATING: "0"}
        )
        services.assessment_review(
            actor=dave, assessment=card_of(cycle, bob), hand_scores={KpiCode.MANAGER_RATING: "60"}
        )
        assert card_of(cycle, carol).grade == Grade.FAIL
        services.cycle_finalise(actor=dave, cycle=cycle)
        reward = RewardPenalty.objects.get(person=alice)
        penalty = RewardPenalty.objects.get(person=carol)
        assert (reward.is_reward, reward.action) == (True, rules_in_force().rules.assessment.proposal_for("excellent"))
        assert (penalty.is_reward, penalty.action) == (False, rules_in_force().rules.assessment.proposal_for("fail"))
        with pytest.raises(PermissionDenied):
            services.proposal_decide(actor=bob, proposal=reward, approve=True)
        services.proposal_decide(actor=dave, proposal=reward, approve=True, note="通报表扬")
        reward.refresh_from_db()
        assert reward.status == ProposalStatus.APPROVED and reward.decided_by == dave

    def test_finalising_needs_every_review(self, personas: dict) -> None:
        cycle = compute(personas)
        with pytest.raises(ValidationError, match="review|评审"):
            services.cycle_finalise(actor=personas["auditor_dave"].user, cycle=cycle)

    def test_forced_distribution_blocks_with_the_department_and_the_count(self, personas: dict) -> None:
        admin, dave = personas["admin"].user, personas["auditor_dave"].user
        new_version(
            admin,
            "1.1",
            policy_today(),
            grade_bands={"excellent": 3, "good": 2, "pass": 1, "fail": 0},
            assessment={"excellent_max_percent": 20},
        )
        team = personas["rep_alice"].unit
        make_employee("ann", "安妮", team, BuiltinRole.STAFF)
        sales_world(personas)
        cycle = compute(personas)
        review_all(cycle, dave)
        with pytest.raises(ValidationError) as problem:
            services.cycle_finalise(actor=dave, cycle=cycle)
        assert f"{team.name}: 2" in str(problem.value) or (
            team.name in str(problem.value) and "2" in str(problem.value)
        )
        assert cycle.__class__.objects.get(pk=cycle.pk).status == CycleStatus.COMPUTED
        # Senior management applies the distribution: the lower of the two becomes good, the scores stay.
        totals = dict(Assessment.objects.filter(cycle=cycle, owner_unit=team).values_list("owner__username", "total"))
        assert services.cycle_apply_distribution(actor=dave, cycle=cycle) == 1
        capped = Assessment.objects.get(cycle=cycle, owner_unit=team, grade_capped=True)
        assert capped.grade == Grade.GOOD and capped.total == min(totals.values())
        assert (
            dict(Assessment.objects.filter(cycle=cycle, owner_unit=team).values_list("owner__username", "total"))
            == totals
        )
        services.cycle_finalise(actor=dave, cycle=cycle)


class TestPolicyVersions:
    def test_a_new_version_changes_the_next_cycle_and_leaves_a_finalised_one_as_it_was(self, personas: dict) -> None:
        sales_world(personas)
        admin, dave = personas["admin"].user, personas["auditor_dave"].user
        first = compute(personas)
        review_all(first, dave)
        services.cycle_finalise(actor=dave, cycle=first)

        def frozen(cycle: Any) -> list[Any]:
            cards = Assessment.objects.filter(cycle=cycle).order_by("pk")
            return [(model_to_dict(c), [model_to_dict(i) for i in c.items.order_by("pk")]) for c in cards]

        before = frozen(first)
        new_version(
            admin,
            "1.1",
            policy_today(),
            assessment={
                "schemes": {
                    "sales": {
                        "staff": {
                            "contract_amount_completion": {"weight": 80, "target": "100"},
                            "manager_rating": {"weight": 20, "target": "100"},
                        }
                    }
                }
            },
        )
        second = compute(personas, "2026-08")
        assert second.rules_version_id != first.rules_version_id
        alice = personas["rep_alice"].user
        assert {(i.kpi.code, i.weight) for i in card_of(second, alice).items.select_related("kpi")} == {
            ("contract_amount_completion", 80),
            ("manager_rating", 20),
        }
        with pytest.raises(ValidationError):
            services.cycle_compute(actor=dave, cycle=first)
        assert frozen(first) == before
