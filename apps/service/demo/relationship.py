"""Demo relationship maintenance (art. 10 "客户关系维护"): about 2,000 contact records (回访) over two years by the
customers' service owners, key customers more often, with satisfaction on the five-level scale and personalised
service notes; then today's due list from the periodic job's generator (``due_contacts_generate``), and one contact
recorded today through the service. Idempotent: nothing is added when contact records exist."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.customers.choices import FollowUpChannel
from apps.policy.selectors import rules_in_force
from apps.service.choices import DueContactStatus
from apps.service.demo.tickets import DemoContext, keep_dates, weighted, working_moment
from apps.service.models import DueContact, RelationshipContact

COUNT = 2000
LEVEL_WEIGHT = {"A": 5, "B": 2, "C": 1}
SATISFACTION = {5: 38, 4: 42, 3: 14, 2: 5, 1: 1}
CHANNELS = {FollowUpChannel.PHONE: 55, FollowUpChannel.WECHAT: 30, FollowUpChannel.VISIT: 15}
CONTENTS = {
    5: [
        "回访系统使用情况，客户非常满意，计划明年扩大使用范围。",
        "例行回访，客户对驻场工程师评价很高。",
        "节日问候并回访设备运行情况，一切正常，客户表示感谢。",
    ],
    4: [
        "回访近期工单处理情况，客户总体满意，希望响应再快一些。",
        "例行回访，客户提出报表格式的小建议，已记录。",
        "了解客户新项目计划，客户对现有服务满意。",
    ],
    3: ["回访发现客户对培训效果一般，约定下月补充培训。", "客户反映系统偶有卡顿，已安排巡检。"],
    2: ["客户对上次故障处理时长不满，已致歉并说明改进措施。", "客户认为维保价格偏高，已反馈销售部。"],
    1: ["客户对近期多次故障非常不满，已上报部门经理跟进。"],
}
NOTES = [
    "客户负责人喜欢微信沟通，工作日上午联系为宜。",
    "客户财务每季度末较忙，避开月底回访。",
    "客户关注数据安全，沟通时重点说明安全措施。",
    "采购经理生日在三月，可寄送贺卡。",
    "客户偏好上门沟通，每半年安排一次拜访。",
    "",
]


def _records(ctx: DemoContext) -> list[RelationshipContact]:
    """Each customer's latest contact lies within its level's cadence for most (about one in seven is due or
    overdue today); the rest of the records are spread over the two years before it."""
    rng = ctx.rng
    rules = rules_in_force(ctx.today).rules
    first = dt.date(2025, 1, 2)
    latest: dict[int, dt.date] = {}
    plan: list[tuple[Any, dt.date]] = []
    for customer in ctx.customers:
        cadence = rules.contact_cadence_days(customer.level)
        ago = (
            rng.randint(cadence, int(cadence * 1.6) + 1) if rng.random() < 0.15 else rng.randint(1, max(1, cadence - 4))
        )
        latest[customer.pk] = ctx.today - dt.timedelta(days=ago)
        plan.append((customer, latest[customer.pk]))
    weights = [LEVEL_WEIGHT.get(c.level, 1) for c in ctx.customers]
    for customer in rng.choices(ctx.customers, weights=weights, k=COUNT - len(plan)):
        span = (latest[customer.pk] - first).days - 1
        if span > 0:
            plan.append((customer, first + dt.timedelta(days=rng.randint(0, span))))
    made = []
    for customer, day in plan:
        at = working_moment(rng, day, late=0.02)
        satisfaction = weighted(rng, SATISFACTION)
        owner = customer.service_owner
        made.append(
            RelationshipContact(
                customer=customer,
                contact=ctx.contacts.get(customer.pk),
                channel=weighted(rng, CHANNELS),
                occurred_at=at,
                content=rng.choice(CONTENTS[satisfaction]),
                satisfaction=satisfaction if rng.random() < 0.9 else None,
                personal_notes=rng.choice(NOTES),
                owner=owner,
                owner_unit=ctx.service,
                created_by=owner,
                created_at=at,
                updated_at=at,
            )
        )
    return made


def _through_services(ctx: DemoContext) -> int:
    """cs2 answers one of today's due contacts through the service."""
    from apps.service.services import relationship as services

    actor = ctx.users["cs2"]
    due = (
        DueContact.objects.filter(owner=actor, status=DueContactStatus.OPEN)
        .select_related("customer")
        .order_by("due_on", "pk")
        .first()
    )
    if due is None:
        return 0
    services.relationship_contact_record(
        actor=actor,
        customer=due.customer,
        due_contact=due,
        data={
            "channel": FollowUpChannel.PHONE,
            "content": "电话回访，客户对近期服务满意，提出希望增加季度巡检。",
            "satisfaction": 4,
            "personal_notes": "客户更喜欢下午联系。",
            "contact": ctx.contacts.get(due.customer_id),
        },
    )
    return 1


def load(stdout: Any, ctx: DemoContext) -> None:
    if RelationshipContact.objects.exists():
        stdout.write("  relationship contacts: already there")
        return
    records = _records(ctx)
    with keep_dates(RelationshipContact):
        RelationshipContact.objects.bulk_create(records, batch_size=1000)
    from apps.service.services.relationship import due_contacts_generate

    made = due_contacts_generate(on=ctx.today)
    answered = _through_services(ctx)
    due = DueContact.objects.filter(status=DueContactStatus.OPEN).count()
    stdout.write(
        f"  relationship contacts: {len(records) + answered}; due contacts generated today: "
        f"{sum(v for k, v in made.items() if k != 'owners_notified')} ({due} open)"
    )
