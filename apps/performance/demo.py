"""The demo company's performance assessment: four finalised quarterly cycles (2025 Q4 – 2026 Q3) reviewed by the
managers, confirmed or appealed by their staff (appeals decided by the manager's manager), finalised and published
with the rewards and penalties decided, two violations (one appealed), and the open 2026 Q4 cycle for senior
management to compute. Everything goes through the services; idempotent (nothing is added once a cycle exists)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from apps.org.models import Department, User
from apps.performance import services
from apps.performance.choices import SubjectKind
from apps.performance.models import Assessment, AssessmentCycle, RewardPenalty
from apps.performance.selectors.scorecards import appeal_managers
from apps.policy.choices import KpiCode

FINALISED = ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
OPEN = "2026-Q4"
SEED = 1113
APPEALS = {"2026-Q2": "east3", "2026-Q3": "mkt2"}


def _reviewer(card: Assessment, ceo: User) -> User:
    """The manager of the person's department, or of the department above for a manager; senior management at
    the top."""
    department: Department | None = card.owner_unit
    while department is not None:
        if department.manager_id and department.manager_id != card.owner_id:
            manager = department.manager
            assert manager is not None  # manager_id is set
            return manager
        department = department.parent
    return ceo


def _review(cycle: AssessmentCycle, ceo: User, rng: random.Random) -> None:
    cards = Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).select_related(
        "owner", "owner_unit__manager", "owner_unit__parent__manager"
    )
    for card in cards:
        rating = Decimal(rng.choice([62, 70, 75, 78, 80, 82, 85, 88, 90, 95]))
        services.assessment_review(
            actor=_reviewer(card, ceo),
            assessment=card,
            hand_scores={KpiCode.MANAGER_RATING: rating},
            comment=rng.choice(
                [
                    "目标推进扎实，继续保持。",
                    "客户跟进及时，协作良好。",
                    "本季度重点项目推进偏慢，下季度需加强。",
                    "执行制度认真。",
                ]
            ),
        )


def _confirm_or_appeal(cycle: AssessmentCycle, ceo: User) -> None:
    appellant = APPEALS.get(cycle.period_key)
    for card in Assessment.objects.filter(cycle=cycle, subject_kind=SubjectKind.PERSON).select_related("owner"):
        if card.owner is not None and card.owner.username == appellant:
            appeal = services.appeal_submit(
                actor=card.owner, assessment=card, reason="本季度承接的跨部门项目未计入考核，请复核。"
            )
            _direct, upper = appeal_managers(card)  # the manager's manager decides where there is one
            decider = User.objects.get(pk=upper) if upper else ceo
            services.appeal_decide(
                actor=decider,
                appeal=appeal,
                upheld=cycle.period_key == "2026-Q3",
                decision="经核实，跨部门项目贡献属实，调整得分。"
                if cycle.period_key == "2026-Q3"
                else "考核口径符合制度规定，维持原结果。",
                new_total=card.total + 3 if cycle.period_key == "2026-Q3" else None,
            )
        else:
            services.assessment_confirm(actor=card.owner, assessment=card)


def _decide_proposals(cycle: AssessmentCycle, ceo: User, rng: random.Random) -> None:
    proposals = RewardPenalty.objects.filter(assessment__cycle=cycle).order_by("pk")
    for proposal in proposals:
        if cycle.period_key == FINALISED[-1] and rng.random() < 0.5:
            continue  # the latest cycle's proposals partly wait for the leadership
        approve = rng.random() < 0.85
        note = ("同意" if proposal.is_reward else "限期改进") if approve else "本期不予采纳"
        bonus = Decimal("2000") if approve and proposal.is_reward and proposal.person_id else None
        services.proposal_decide(actor=ceo, proposal=proposal, approve=approve, note=note, amount=bonus)


def _violations(ceo: User) -> None:
    manager = User.objects.filter(username="sales_mgr").first()
    south2, cs3 = (User.objects.filter(username=u).first() for u in ("south2", "cs3"))
    cs_mgr = User.objects.filter(username="cs_mgr").first()
    if not (manager and south2 and cs3 and cs_mgr):
        return
    first = services.violation_report(
        actor=manager,
        person=south2,
        article=9,
        happened_on=dt.date(2026, 8, 12),
        description="未经审批以低于价格底线的折扣向客户报价，违反销售政策与审批规定。",
    )
    services.violation_decide(
        actor=ceo, violation=first, confirm=True, decision="情况属实，给予警告。", action="warning"
    )
    services.violation_appeal(
        actor=south2,
        violation=first,  # waits for the leadership group's decision
        reason="该折扣已事先获得区域经理口头同意，请求复核。",
    )
    services.violation_report(
        actor=cs_mgr,
        person=cs3,
        article=10,
        happened_on=dt.date(2026, 11, 20),
        description="客户投诉处理超时且未按规定上报，导致投诉升级。",
    )


def load(stdout: Any) -> None:
    if AssessmentCycle.objects.exists():
        return
    ceo = User.objects.filter(username="ceo").first()
    if ceo is None:
        return
    rng = random.Random(SEED)
    for key in FINALISED:
        cycle = services.cycle_create(actor=ceo, period_key=key)
        services.cycle_compute(actor=ceo, cycle=cycle)
        _review(cycle, ceo, rng)
        _confirm_or_appeal(cycle, ceo)
        services.cycle_apply_distribution(actor=ceo, cycle=cycle)
        cycle = services.cycle_finalise(actor=ceo, cycle=cycle)
        services.cycle_publish(actor=ceo, cycle=cycle)
        _decide_proposals(cycle, ceo, rng)
    services.cycle_create(actor=ceo, period_key=OPEN)
    _violations(ceo)
    stdout.write(
        f"  performance: {AssessmentCycle.objects.count()} cycles, {Assessment.objects.count()} scorecards,"
        f" {RewardPenalty.objects.count()} rewards and penalties\n"
    )
