"""The decisions of arts. 12–13 as flows: appeals of scorecards (decided by the manager's manager or senior
management, never the direct manager), appeals of violations (once, senior management or the leadership group),
reward/penalty proposals. Each flow table is walked state by state and role by role through the services and the
pages; two deciders at once on one proposal: one wins, the other is told it is decided."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.performance import services
from apps.performance.choices import AppealStatus, AssessmentStatus, ProposalStatus, ViolationStatus
from apps.performance.models import Appeal, RewardPenalty, Violation
from apps.performance.selectors.scorecards import appeals_to_decide
from apps.performance.tests.test_compute import card_of, compute
from apps.policy.choices import KpiCode, RewardPenaltyAction

ROLES = ("owner", "direct_manager", "upper_manager", "senior", "leadership", "outsider")

# Who may make each decision, as the policy says it (not read from the app's tables): the person concerned appeals;
# a scorecard appeal is decided by the manager's manager or senior management / the leadership group; a violation
# is confirmed by senior management; its appeal and rewards/penalties by senior management or the leadership group.
MAY = {
    "appeal_decide": {"upper_manager", "senior", "leadership"},
    "proposal_decide": {"senior", "leadership"},
    "violation_decide": {"senior"},
    "violation_appeal": {"owner"},
    "violation_appeal_decide": {"senior", "leadership"},
}


@pytest.fixture
def people(personas: dict) -> dict[str, Any]:
    """alice in 销售一组 (managed by tina) under 销售部 (managed by bob): tina is her direct manager, bob the
    manager's manager; dave senior management, lee the leadership group, carol (service) an outsider."""
    team = personas["rep_alice"].unit
    tina = make_employee("tina", "蒂娜", team, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    team.manager = tina
    team.save(update_fields=["manager"])
    lee = make_employee("lee", "李组长", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    return {
        "owner": personas["rep_alice"].user,
        "direct_manager": tina,
        "upper_manager": personas["lead_bob"].user,
        "senior": personas["auditor_dave"].user,
        "leadership": lee,
        "outsider": personas["rep_carol"].user,
        "unit": team,
    }


def _appealed_card(personas: dict, people: dict) -> Any:
    cycle = compute(personas)
    card = services.assessment_review(
        actor=people["direct_manager"],
        assessment=card_of(cycle, people["owner"]),
        hand_scores={KpiCode.MANAGER_RATING: "70"},
    )
    services.appeal_submit(actor=people["owner"], assessment=card, reason="九月合同应计入")
    return card


class TestScorecardAppealDeciders:
    def test_the_managers_manager_decides_and_the_direct_manager_cannot(self, personas: dict, people: dict) -> None:
        card = _appealed_card(personas, people)
        appeal = Appeal.objects.get(assessment=card)
        for role in ("direct_manager", "owner", "outsider"):
            with pytest.raises(PermissionDenied):
                services.appeal_decide(actor=people[role], appeal=appeal, upheld=True, decision="同意")
        assert [a.pk for a in appeals_to_decide(user=people["upper_manager"])] == [appeal.pk]
        assert not appeals_to_decide(user=people["direct_manager"]).exists()
        page = reverse("performance:assessment_detail", args=[card.pk])
        assert 'data-testid="decide-appeal"' in _client(people["upper_manager"]).get(page).content.decode()
        assert 'data-testid="decide-appeal"' not in _client(people["direct_manager"]).get(page).content.decode()
        services.appeal_decide(actor=people["upper_manager"], appeal=appeal, upheld=False, decision="维持原评分")
        appeal.refresh_from_db()
        assert (appeal.status, appeal.decided_by) == (AppealStatus.REJECTED, people["upper_manager"])
        assert "维持原评分" in _client(people["owner"]).get(page).content.decode()

    def test_the_manager_who_reviewed_cannot_decide_even_as_senior_management(
        self, personas: dict, people: dict
    ) -> None:
        cycle = compute(personas)
        dave, alice = people["senior"], people["owner"]
        card = services.assessment_review(
            actor=dave, assessment=card_of(cycle, alice), hand_scores={KpiCode.MANAGER_RATING: "70"}
        )
        appeal = services.appeal_submit(actor=alice, assessment=card, reason="评分过低")
        with pytest.raises(PermissionDenied):
            services.appeal_decide(actor=dave, appeal=appeal, upheld=True, decision="同意")
        services.appeal_decide(actor=people["leadership"], appeal=appeal, upheld=True, decision="同意调整")


class TestViolationAppeal:
    def test_once_decided_by_senior_management_or_leadership_and_the_decision_is_shown(
        self, personas: dict, people: dict
    ) -> None:
        alice, bob, dave, lee = (people[r] for r in ("owner", "upper_manager", "senior", "leadership"))
        violation = services.violation_report(
            actor=bob, person=alice, article=9, happened_on=dt.date(2026, 8, 1), description="未经审批报价"
        )
        with pytest.raises(ValidationError):  # nothing to appeal before it is confirmed
            services.violation_appeal(actor=alice, violation=violation, reason="不属实")
        services.violation_decide(
            actor=dave, violation=violation, confirm=True, decision="属实", action=RewardPenaltyAction.WARNING
        )
        proposal = RewardPenalty.objects.get(violation=violation)
        for role in ("outsider", "upper_manager"):
            with pytest.raises(PermissionDenied):
                services.violation_appeal(actor=people[role], violation=violation, reason="代为申诉")
        services.violation_appeal(actor=alice, violation=violation, reason="报价已获口头批准")
        with pytest.raises(ValidationError, match="once|一次"):
            services.violation_appeal(actor=alice, violation=violation, reason="再次申诉")
        for role in ("owner", "upper_manager", "direct_manager"):
            with pytest.raises(PermissionDenied):
                services.violation_appeal_decide(actor=people[role], violation=violation, upheld=True, decision="撤销")
        services.violation_appeal_decide(actor=lee, violation=violation, upheld=True, decision="查明已获批准，撤销")
        violation.refresh_from_db()
        proposal.refresh_from_db()
        assert (violation.status, violation.appeal_decided_by) == (ViolationStatus.OVERTURNED, lee)
        assert proposal.status == ProposalStatus.REJECTED  # the penalty it proposed falls with it
        with pytest.raises(ValidationError):
            services.violation_appeal(actor=alice, violation=violation, reason="第三次")
        page = _client(alice).get(reverse("performance:violation_detail", args=[violation.pk])).content.decode()
        assert "查明已获批准，撤销" in page and 'data-testid="violation-appeal-submit"' not in page


#
# Walking the tables
#


def _client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def _attempts(model: type) -> dict[str, tuple[str, str, Any]]:
    """target status → (rule of MAY, its service, the call) for every move of the model's flow."""
    if model is Appeal:
        return {
            AppealStatus.UPHELD: (
                "appeal_decide",
                lambda a, o: services.appeal_decide(actor=a, appeal=o, upheld=True, decision="同意"),
            ),
            AppealStatus.REJECTED: (
                "appeal_decide",
                lambda a, o: services.appeal_decide(actor=a, appeal=o, upheld=False, decision="驳回"),
            ),
        }
    if model is RewardPenalty:
        return {
            ProposalStatus.APPROVED: (
                "proposal_decide",
                lambda a, o: services.proposal_decide(actor=a, proposal=o, approve=True),
            ),
            ProposalStatus.REJECTED: (
                "proposal_decide",
                lambda a, o: services.proposal_decide(actor=a, proposal=o, approve=False),
            ),
        }
    return {
        ViolationStatus.CONFIRMED: (
            "violation_decide",
            lambda a, o: services.violation_decide(actor=a, violation=o, confirm=True, decision="属实"),
        ),
        ViolationStatus.DISMISSED: (
            "violation_decide",
            lambda a, o: services.violation_decide(actor=a, violation=o, confirm=False, decision="不属实"),
        ),
        ViolationStatus.APPEALED: (
            "violation_appeal",
            lambda a, o: services.violation_appeal(actor=a, violation=o, reason="申诉"),
        ),
        ViolationStatus.UPHELD_ON_APPEAL: (
            "violation_appeal_decide",
            lambda a, o: services.violation_appeal_decide(actor=a, violation=o, upheld=False, decision="维持"),
        ),
        ViolationStatus.OVERTURNED: (
            "violation_appeal_decide",
            lambda a, o: services.violation_appeal_decide(actor=a, violation=o, upheld=True, decision="撤销"),
        ),
    }


def _put_in(obj: Any, status: str) -> Any:
    """Set-up: the record in ``status`` (an appeal's scorecard appealed, a violation's appeal once made)."""
    extra: dict[str, Any] = {}
    if isinstance(obj, Violation) and status in (
        ViolationStatus.APPEALED,
        ViolationStatus.UPHELD_ON_APPEAL,
        ViolationStatus.OVERTURNED,
    ):
        extra = {"appealed_at": dt.datetime(2026, 8, 2, tzinfo=dt.UTC), "appeal_reason": "申诉"}
    type(obj).objects.filter(pk=obj.pk).update(status=status, **extra)
    if isinstance(obj, Appeal):
        from apps.performance.models import Assessment

        Assessment.objects.filter(pk=obj.assessment_id).update(status=AssessmentStatus.APPEALED)
    return type(obj).objects.get(pk=obj.pk)


@pytest.mark.parametrize("model", [Appeal, RewardPenalty, Violation], ids=["appeal", "proposal", "violation"])
def test_each_flow_table_state_by_state_and_role_by_role(personas: dict, people: dict, model: type) -> None:
    alice, unit = people["owner"], people["unit"]
    if model is Appeal:
        record: Any = Appeal.objects.get(assessment=_appealed_card(personas, people))
    elif model is RewardPenalty:
        record = RewardPenalty.objects.create(
            action=RewardPenaltyAction.COMMENDATION, is_reward=True, person=alice, department=unit, reason="优秀"
        )
    else:
        record = Violation.objects.create(
            owner=alice,
            owner_unit=unit,
            article=9,
            happened_on=dt.date(2026, 8, 1),
            description="未经审批报价",
            reported_by=people["upper_manager"],
            created_by=people["upper_manager"],
        )
    flow, attempts = services.FLOWS[model], _attempts(model)
    assert set(flow) == {value for value, _label in model._meta.get_field("status").choices}  # a row per status
    page = {
        Appeal: "performance:assessment_detail",
        RewardPenalty: "performance:rewardpenalty_detail",
        Violation: "performance:violation_detail",
    }[model]
    for state in flow:
        for role in ROLES:
            obj = _put_in(record, state)
            expected = [
                target for target, (rule, _call) in attempts.items() if target in flow[state] and role in MAY[rule]
            ]
            assert sorted(services.moves(people[role], obj)) == sorted(expected), (state, role)
            for target, (_rule, call) in attempts.items():
                with transaction.atomic():
                    try:
                        call(people[role], obj)
                    except (PermissionDenied, ValidationError):
                        assert target not in expected, (state, role, target)
                    else:
                        assert target in expected, (state, role, target)
                        assert type(obj).objects.get(pk=obj.pk).status == target
                    transaction.set_rollback(True)
            if state != next(iter(flow)) or role not in ("senior", "owner", "upper_manager", "outsider"):
                continue
            # The page offers a decision exactly where the table lets this person make one.
            pk = obj.assessment_id if model is Appeal else obj.pk
            html = _client(people[role]).get(reverse(page, args=[pk])).content.decode()
            button = {
                Appeal: 'data-testid="decide-appeal"',
                RewardPenalty: 'data-testid="decide"',
                Violation: 'data-testid="decide"',
            }[model]
            assert (button in html) == bool(expected), (state, role)


#
# Two deciders at once
#


@pytest.mark.django_db(transaction=True)
def test_two_people_deciding_the_same_proposal_at_once_one_wins_the_other_is_told(personas: dict) -> None:
    from apps.core.testing import run_together
    from tests.test_concurrency import _seed_policy

    _seed_policy()
    lee = make_employee("lee", "李组长", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    deciders = [personas["auditor_dave"].user, lee]
    alice = personas["rep_alice"]
    proposal = RewardPenalty.objects.create(
        action=RewardPenaltyAction.COMMENDATION, is_reward=True, person=alice.user, department=alice.unit, reason="优秀"
    )
    outcomes: list[tuple[str, Any]] = []
    lock = threading.Lock()

    def work(index: int) -> None:
        with translation.override("zh-hans"):
            try:
                services.proposal_decide(
                    actor=deciders[index], proposal=proposal, approve=index == 0, note=f"决定{index}"
                )
            except ValidationError as error:
                with lock:
                    outcomes.append(("refused", " ".join(error.messages)))
            else:
                with lock:
                    outcomes.append(("decided", deciders[index].pk))

    _, errors = run_together(work, 2)
    assert not errors, errors
    assert sorted(kind for kind, _ in outcomes) == ["decided", "refused"], outcomes
    winner = next(value for kind, value in outcomes if kind == "decided")
    message = next(value for kind, value in outcomes if kind == "refused")
    with translation.override("zh-hans"):
        assert message == str(services.PROPOSAL_DECIDED)
    proposal.refresh_from_db()
    assert proposal.decided_by_id == winner
    assert proposal.status == (ProposalStatus.APPROVED if winner == deciders[0].pk else ProposalStatus.REJECTED)
    assert connection.vendor in ("sqlite", "postgresql")


def test_the_api_appeals_a_violation_once_and_only_a_decider_decides_the_appeal(personas: dict, people: dict) -> None:
    alice, bob, dave = people["owner"], people["upper_manager"], people["senior"]
    violation = services.violation_report(
        actor=bob, person=alice, article=9, happened_on=dt.date(2026, 8, 1), description="未经审批报价"
    )
    services.violation_decide(actor=dave, violation=violation, confirm=True, decision="属实")
    url = f"/api/v1/violations/{violation.pk}/"
    assert (
        _client(bob).post(url + "appeal/", {"reason": "代为申诉"}, content_type="application/json").status_code == 403
    )
    answer = _client(alice).post(url + "appeal/", {"reason": "已获批准"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == ViolationStatus.APPEALED
    assert _client(alice).post(url + "appeal/", {"reason": "再次"}, content_type="application/json").status_code == 400
    decide = {"upheld": False, "decision": "维持处理"}
    assert _client(bob).post(url + "decide-appeal/", decide, content_type="application/json").status_code == 403
    answer = _client(people["leadership"]).post(url + "decide-appeal/", decide, content_type="application/json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["status"], answer.json()["appeal_decision"]) == (ViolationStatus.UPHELD_ON_APPEAL, "维持处理")
    assert _client(alice).get(url).json()["appeal_decision"] == "维持处理"
