"""Demo research, quarterly market development plans and evaluations of the demo company (idempotent: studies and
plans are found by their subject/title, evaluations by plan and period). Everything is written through services.

Evaluations freeze the figures they computed, so they are made by ``load_evaluations`` once the demo leads,
campaigns and visits exist (``demo`` runs it after ``demo.leads``; ``load`` runs it too when they already do).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.improvements import services as improvement_services
from apps.marketing.choices import GoalMetric, PlanStatus, ResearchMethod, ResearchStatus
from apps.marketing.models import Lead, MarketEvaluation, MarketPlan, MarketResearch
from apps.marketing.selectors.evaluations import period_containing
from apps.marketing.services import evaluations as evaluation_services
from apps.marketing.services import plans as plan_services
from apps.marketing.services import research as research_services
from apps.org.models import User

STUDIES = [
    (
        "长三角汽车零部件企业数字化需求调研",
        "长三角汽车零部件制造企业",
        "年产值1亿以上",
        ResearchMethod.INTERVIEW,
        "mkt1",
    ),
    ("华南电子制造业设备管理现状调研", "珠三角电子制造业", "中型工厂", ResearchMethod.QUESTIONNAIRE, "mkt2"),
    ("工业互联网平台竞品分析", "全国工业互联网平台市场", "", ResearchMethod.COMPETITOR, "mkt_mgr"),
    ("中国国际工业博览会观展调研", "华东装备制造", "参展企业", ResearchMethod.EXHIBITION, "mkt1"),
    ("西南地区食品加工行业调研", "川渝食品加工企业", "规上企业", ResearchMethod.FIELD, "mkt2"),
    ("中小制造企业MES采购意向调研", "全国中小制造企业", "50-300人", ResearchMethod.DESK, "mkt3"),
]
REGIONS = {"mkt_mgr": "全国重点行业", "mkt1": "华东", "mkt2": "华南"}
# Targets per quarter: new leads, qualified, new customers, campaigns, visits, revenue, market share.
TARGETS = {
    "mkt_mgr": (120, 40, 12, 4, 30, 1500000, 6),
    "mkt1": (80, 25, 8, 3, 24, 800000, 4),
    "mkt2": (70, 22, 7, 2, 20, 700000, 3),
}
METRICS = [
    GoalMetric.NEW_LEADS,
    GoalMetric.QUALIFIED_LEADS,
    GoalMetric.NEW_CUSTOMERS,
    GoalMetric.CAMPAIGNS_HELD,
    GoalMetric.VISITS,
    GoalMetric.NEW_CUSTOMER_REVENUE,
    GoalMetric.MARKET_SHARE,
]


def _users() -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=["admin", "mkt_mgr", "mkt1", "mkt2", "mkt3"])}


def _quarters(today: dt.date, count: int = 6) -> list[tuple[dt.date, dt.date]]:
    """The current quarter and the ``count - 1`` before it, oldest first."""
    quarters, start = [], period_containing(today, 3)[0]
    for _ in range(count):
        quarters.append(period_containing(start, 3))
        start = quarters[-1][0] - dt.timedelta(days=1)
    return list(reversed(quarters))


def _research(users: dict[str, User], today: dt.date) -> None:
    existing = set(MarketResearch.objects.values_list("subject", flat=True))
    for index, (subject, market, segment, method, who) in enumerate(STUDIES):
        if subject in existing or who not in users:
            continue
        start = today - dt.timedelta(days=420 - index * 60)
        research_services.research_create(
            actor=users[who],
            subject=subject,
            target_market=market,
            segment=segment,
            method=method,
            period_start=start,
            period_end=start + dt.timedelta(days=30),
            status=ResearchStatus.COMPLETED if index < 5 else ResearchStatus.IN_PROGRESS,
            findings="目标客户普遍存在设备联网率低、生产数据靠人工统计的问题，对轻量化MES有明确需求。",
            competitors="用友、金蝶、鼎捷；本地中小软件服务商价格低但实施能力弱。",
            conclusions="优先开发年产值1-5亿的离散制造企业，以标杆案例+行业展会切入。",
        )


def _goals(who: str, scale: Decimal) -> list[dict[str, Any]]:
    return [
        {"metric": m, "target_value": (Decimal(t) * scale).quantize(Decimal("1"))}
        for m, t in zip(METRICS, TARGETS[who], strict=True)
    ]


def _advance(plan: MarketPlan, users: dict[str, User], target: str) -> None:
    """Walk a new draft through the workflow up to ``target`` (the manager approves; the admin approves his)."""
    owner = plan.owner
    approver = users["admin"] if owner.username == "mkt_mgr" else users["mkt_mgr"]
    if target == PlanStatus.DRAFT:
        return
    plan_services.plan_submit(actor=owner, plan=plan)
    if target == PlanStatus.SUBMITTED:
        return
    plan_services.plan_approve(actor=approver, plan=plan, comment="同意，按计划执行")
    if target == PlanStatus.APPROVED:
        return
    plan_services.plan_start(actor=owner, plan=plan)
    if target == PlanStatus.CLOSED:
        plan_services.plan_close(actor=owner, plan=plan)


def _plans(users: dict[str, User], today: dt.date) -> None:
    existing = set(MarketPlan.objects.values_list("title", flat=True))
    quarters = _quarters(today)
    for q_index, (start, end) in enumerate(quarters):
        current = q_index == len(quarters) - 1
        for who in ("mkt_mgr", "mkt1", "mkt2"):
            title = f"{start.year}年第{(start.month - 1) // 3 + 1}季度{REGIONS[who]}市场开发计划"
            if title in existing or who not in users:
                continue
            plan = plan_services.plan_create(
                actor=users[who],
                goals=_goals(who, Decimal("0.8") + Decimal(q_index) / 20),
                title=title,
                period_start=start,
                period_end=end,
                budget=Decimal(TARGETS[who][0] * 1500),
                strategic_goal="三年内成为华东、华南中型制造企业MES首选供应商，新客户收入年增长30%。",
                expansion_strategy="以标杆客户案例带动同行业转介绍；重点区域设驻点销售。",
                promotion_plan="行业展会 + 线上研讨会 + 老客户转介绍激励。",
            )
            status = PlanStatus.EXECUTING if current else PlanStatus.CLOSED
            _advance(plan, users, status)
    _next_quarter_drafts(users, quarters[-1][1] + dt.timedelta(days=1), existing)


def _next_quarter_drafts(users: dict[str, User], start: dt.date, existing: set[str]) -> None:
    """Next quarter: mkt2's plan waits for the manager's approval, mkt1's is still a draft."""
    end = period_containing(start, 3)[1]
    label = f"{start.year}年第{(start.month - 1) // 3 + 1}季度"
    for who, status in (("mkt2", PlanStatus.SUBMITTED), ("mkt1", PlanStatus.DRAFT)):
        title = f"{label}{REGIONS[who]}市场开发计划（草拟）"
        if title in existing or who not in users:
            continue
        plan = plan_services.plan_create(
            actor=users[who],
            goals=_goals(who, Decimal("1.1")),
            title=title,
            period_start=start,
            period_end=end,
            budget=Decimal("100000"),
            strategic_goal="新客户收入年增长30%。",
        )
        _advance(plan, users, status)


FEEDBACK = [
    (
        "线索数量达标，但合格率偏低，展会线索质量参差不齐。",
        "减少综合性展会投入，转向行业垂直展会。",
        "建立线索评分标准，市场部先筛选再移交销售。",
    ),
    ("拜访量不足，新客户转化周期较长。", "增加区域驻点，提高拜访频次。", "每周拜访计划纳入周例会检查。"),
]
ACTIONS = [
    ("制定线索评分标准并培训市场专员", "mkt1", "verified"),
    ("行业垂直展会清单及预算调整", "mkt2", "in_progress"),
    ("每周拜访计划纳入例会检查", "mkt1", "overdue"),
    ("老客户转介绍激励方案", "mkt2", "done"),
]


def load_evaluations(stdout: Any) -> None:
    """The manager's evaluations of the last closed quarters of mkt1 and mkt2, with improvement actions."""
    users = _users()
    if "mkt_mgr" not in users:
        return
    manager = users["mkt_mgr"]
    plans = list(
        MarketPlan.objects.filter(owner__username__in=["mkt1", "mkt2"], status=PlanStatus.CLOSED).order_by(
            "-period_start", "owner__username"
        )[:4]
    )
    for index, plan in enumerate(plans):
        if MarketEvaluation.objects.filter(plan=plan).exists():
            continue
        feedback, adjustment, suggestion = FEEDBACK[index % len(FEEDBACK)]
        evaluation = evaluation_services.evaluation_create(
            actor=manager,
            plan=plan,
            period_start=plan.period_start,
            period_end=plan.period_end,
            feedback=feedback,
            strategy_adjustment=adjustment,
            improvement_suggestions=suggestion,
            market_share_estimate=Decimal("2.5") + index,
        )
        if index < 2:
            title, who, state = ACTIONS[index * 2]
            _action(evaluation, manager, users[who], title, state)
            title, who, state = ACTIONS[index * 2 + 1]
            _action(evaluation, manager, users[who], title, state)
        if index != 0:  # the latest stays a draft, for the manager to finish
            evaluation_services.evaluation_complete(actor=manager, evaluation=evaluation)
    stdout.write(f"marketing evaluations: {MarketEvaluation.objects.count()}")


def _action(evaluation: MarketEvaluation, manager: User, owner: User, title: str, state: str) -> None:
    action = evaluation_services.evaluation_raise_improvement(
        actor=manager,
        evaluation=evaluation,
        title=title,
        owner=owner,
        due_date=timezone.localdate() + dt.timedelta(days=20),
        description=evaluation.improvement_suggestions,
    )
    if state == "overdue":
        type(action).objects.filter(pk=action.pk).update(due_date=timezone.localdate() - dt.timedelta(days=5))
        return
    improvement_services.improvement_start(actor=owner, action=action)
    if state in ("done", "verified"):
        improvement_services.improvement_complete(actor=owner, action=action, result="已完成，见附件说明。")
    if state == "verified":
        improvement_services.improvement_verify(
            actor=manager, action=action, effective=True, verification="次月线索合格率由28%提升到41%。"
        )


def load(stdout: Any) -> None:
    users = _users()
    if not users:
        return
    today = timezone.localdate()
    _research(users, today)
    _plans(users, today)
    stdout.write(f"marketing plans: {MarketResearch.objects.count()} studies, {MarketPlan.objects.count()} plans")
    if Lead.objects.exists():
        load_evaluations(stdout)
