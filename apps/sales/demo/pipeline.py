"""Demo products, two years of opportunities (with stage histories) for the demo customers of the sales staff,
and for the won ones contracts, payment plans and payments made through the contract services. Idempotent:
products are skipped when the catalogue exists, the pipeline when opportunities other than those of
converted leads exist.

Sized so that 2026's approved contract amounts are about 11–12 million 元 across the eight sales staff (the
2026 target is 12,000,000)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from apps.core import bulk
from apps.core.bulk import keep_dates
from apps.customers.models import Customer
from apps.marketing.choices import IntelStatus
from apps.marketing.models import MarketIntel
from apps.org.models import User
from apps.sales.choices import OPEN_STAGES, ContractStatus, OpportunityStage
from apps.sales.models import (
    Opportunity,
    OpportunityLine,
    OpportunityStageChange,
    Product,
    SalesPlan,
    SalesPlanAction,
    StageSetting,
)
from apps.sales.selectors.opportunities import DEFAULT_PROBABILITIES
from apps.sales.services import contracts as contract_services
from apps.sales.services import plans as plan_services
from apps.sales.services.opportunities import opportunity_stages_reached_sync

St = OpportunityStage
SALES_STAFF = ("sales1", "east2", "east3", "east4", "sales2", "south2", "south3", "south4")
START = dt.date(2025, 1, 2)
OPPORTUNITY_COUNT = 800
# The won amount steered into these ranges per year of closing (2025 below the 2026 target of 12,000,000).
WON_RANGES = {2025: (Decimal("9500000"), Decimal("10500000")), 2026: (Decimal("10800000"), Decimal("12600000"))}

# code, name, category, unit, list price
PRODUCTS = [
    ("SW-CRM-S", "销售管理系统 标准版", "软件许可", "套", "48000"),
    ("SW-CRM-P", "销售管理系统 专业版", "软件许可", "套", "98000"),
    ("SW-ERP-F", "ERP 财务模块", "软件许可", "套", "68000"),
    ("SW-ERP-S", "ERP 供应链模块", "软件许可", "套", "88000"),
    ("SW-BI", "BI 数据分析平台", "软件许可", "套", "120000"),
    ("SV-IMPL", "标准实施服务", "实施服务", "人天", "1800"),
    ("SV-MIGR", "历史数据迁移", "实施服务", "项", "25000"),
    ("SV-DEV", "定制开发", "实施服务", "人天", "2500"),
    ("SV-TRAIN", "用户培训", "实施服务", "场", "8000"),
    ("SV-ONSITE", "驻场运维", "实施服务", "月", "30000"),
    ("HW-SRV", "机架式服务器", "硬件", "台", "65000"),
    ("HW-STOR", "存储阵列", "硬件", "台", "150000"),
    ("HW-SW", "千兆网络交换机", "硬件", "台", "18000"),
    ("HW-FW", "下一代防火墙", "硬件", "台", "35000"),
    ("HW-WS", "图形工作站", "硬件", "台", "12000"),
    ("MT-STD", "软件标准维护（年）", "年度维护", "年", "15000"),
    ("MT-ADV", "软件高级维护（年）", "年度维护", "年", "36000"),
    ("MT-HW", "硬件延保（年）", "年度维护", "年", "8000"),
    ("MT-CLOUD", "云托管服务（年）", "年度维护", "年", "24000"),
    ("MT-247", "7×24 专属支持（年）", "年度维护", "年", "50000"),
]
# (quantity range) per unit of sale
QUANTITY = {"套": (1, 1), "人天": (5, 30), "项": (1, 1), "场": (1, 3), "月": (1, 6), "台": (1, 2), "年": (1, 2)}
NEEDS = [
    "客户计划升级现有系统，需要比较方案。",
    "新建工厂，需配套信息化建设。",
    "现有供应商服务不满意，考虑替换。",
    "集团统一采购，分公司试点。",
    "年度预算已批，需在年内完成采购。",
]
NEXT_ACTIONS = ["发送正式报价", "安排产品演示", "约见采购负责人", "提交技术方案", "商务谈判第二轮", "电话回访"]
LOST_REASONS = ["价格高于竞争对手", "客户预算取消", "选择了竞争对手", "需求不匹配", "项目延期至明年"]
PLAN_PEOPLE = ("sales_mgr", "east_lead", "south_lead")
# owner, title, period, strategy, actions (title, responsible, start offset, days), final status
SALES_PLANS = [
    (
        "east_lead",
        "华东区 2026 年下半年制造业攻坚计划",
        (dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
        "依据竞品降价和制造业数字化补贴情报，主推 ERP 供应链模块 + 实施服务组合，重点跟进苏州、宁波的存量客户。",
        [
            ("梳理制造业存量客户名单并分级", "sales1", 0, 20),
            ("组织两场行业方案沙龙", "east2", 15, 60),
            ("完成 20 家重点客户上门拜访", "east3", 10, 120),
            ("竞品替换专项报价策略", "east4", 30, 45),
        ],
        "executing",
    ),
    (
        "south_lead",
        "华南区 2026 年第四季度续约与增购计划",
        (dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        "根据客户满意度调研和维护到期情报，推动年度维护续约，并以 BI 平台带动增购。",
        [("到期维护合同续约提醒与报价", "sales2", 0, 30), ("BI 平台演示日", "south2", 20, 40)],
        "submitted",
    ),
    (
        "sales_mgr",
        "2027 年第一季度全国重点行业拓展计划（草稿）",
        (dt.date(2027, 1, 1), dt.date(2027, 3, 31)),
        "汇总市场部发布的行业情报，确定医疗器械、新能源两大重点行业的拓展打法。",
        [("确定重点行业目标客户清单", "east_lead", 0, 30)],
        "draft",
    ),
]
# The teams' quarterly plans of the assessed quarters (closed, their actions done on time, late or never): what the
# KPI "sales plan actions done on time" of the finalised demo cycles counts. Lead, region, team.
PAST_PLAN_TEAMS = (
    ("east_lead", "华东区", ("sales1", "east2", "east3", "east4")),
    ("south_lead", "华南区", ("sales2", "south2", "south3", "south4")),
)
PAST_PLAN_QUARTERS = ((2025, 4), (2026, 1), (2026, 2), (2026, 3))
PAST_PLAN_ACTIONS = ("重点客户季度回访", "续约与增购报价", "新客户方案演示", "回款催收与对账")
INVALID_REASONS = ["重复商机", "客户无实际采购需求", "联系人已离职"]

CENT_ = Decimal("0.01")


def load(stdout: Any) -> None:
    rng = random.Random(20250102)
    _products(stdout)
    _stage_settings()
    # Converted leads already opened opportunities (the conversion hook); the pipeline proper is the rest.
    if Opportunity.objects.filter(source_lead__isnull=True).exists():
        stdout.write("  opportunities: already there")
        return
    users = {u.username: u for u in User.objects.filter(username__in=(*SALES_STAFF, *PLAN_PEOPLE))}
    staff = [users[name] for name in SALES_STAFF if name in users]
    if not staff:
        stdout.write("  opportunities: no sales staff, skipped")
        return
    plans = _plan(rng, staff)
    opportunities = _create(rng, plans, users.get("sales_mgr"))
    _enrich_lead_opportunities(rng)
    _sales_plans(users)
    _past_sales_plans(users)
    won = [o for o in opportunities if o.stage == St.WON]
    _contracts(rng, won, users.get("sales_mgr"))
    stdout.write(f"  opportunities: {len(opportunities)} ({len(won)} won, contracts and payments made)")


def _quarter(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    following = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, following - dt.timedelta(days=1)


def _past_sales_plans(users: dict[str, User]) -> None:
    """Each team's closed plan of every assessed quarter: one action per team member, due in the quarter, most
    marked done by the due date, some after it, a few never (through the plan services; ``done_at`` then set to
    the day it was done)."""
    intel = list(MarketIntel.objects.filter(status=IntelStatus.PUBLISHED).order_by("id")[:6])
    people = {name for _lead, _region, team in PAST_PLAN_TEAMS for name in team} | set(PLAN_PEOPLE)
    if not intel or any(name not in users for name in people):
        return
    rng = random.Random(9090)  # its own draws: the pipeline's figures do not move
    for year, quarter in PAST_PLAN_QUARTERS:
        start, end = _quarter(year, quarter)
        for lead, region, team in PAST_PLAN_TEAMS:
            rows = []
            for index, name in enumerate(team):
                offset = rng.randint(10, 60)
                rows.append(
                    {
                        "title": PAST_PLAN_ACTIONS[(index + quarter) % len(PAST_PLAN_ACTIONS)],
                        "responsible": users[name],
                        "start_date": start + dt.timedelta(days=offset - 10),
                        "due_date": min(start + dt.timedelta(days=offset + rng.randint(5, 25)), end),
                        "progress": 0,
                    }
                )
            plan = plan_services.salesplan_create(
                actor=users[lead],
                data={
                    "title": f"{region} {year} 年第{'一二三四'[quarter - 1]}季度客户推进计划",
                    "period_start": start,
                    "period_end": end,
                    "strategy": "按季度推进重点客户回访、续约增购与回款，行动项落实到人。",
                    "intel": intel[:3] if lead == "east_lead" else intel[3:],
                },
                actions=rows,
            )
            plan_services.salesplan_submit(actor=users[lead], plan=plan)
            plan_services.salesplan_approve(actor=users["sales_mgr"], plan=plan)
            plan_services.salesplan_start(actor=users[lead], plan=plan)
            for action in plan.actions.select_related("responsible"):
                draw = rng.random()
                if draw < 0.1:  # never done
                    plan_services.salesplan_action_progress(actor=action.responsible, action=action, progress=50)
                    continue
                late = rng.randint(1, 12) if draw < 0.35 else -rng.randint(0, 5)
                plan_services.salesplan_action_progress(actor=action.responsible, action=action, progress=100)
                done = timezone.make_aware(
                    dt.datetime.combine(action.due_date + dt.timedelta(days=late), dt.time(rng.randint(9, 18)))
                )
                SalesPlanAction.objects.filter(pk=action.pk).update(done_at=min(done, timezone.now()))
            plan_services.salesplan_close(actor=users[lead], plan=plan)
            SalesPlan.objects.filter(pk=plan.pk).update(
                approved_at=timezone.make_aware(dt.datetime.combine(start, dt.time(10))) - dt.timedelta(days=3)
            )


def _products(stdout: Any) -> None:
    if Product.objects.exists():
        return
    Product.objects.bulk_create(
        [Product(code=c, name=n, category=cat, unit=u, list_price=Decimal(p)) for c, n, cat, u, p in PRODUCTS]
    )
    stdout.write(f"  products: {len(PRODUCTS)}")


def _stage_settings() -> None:
    for stage, probability in DEFAULT_PROBABILITIES.items():
        StageSetting.objects.get_or_create(stage=stage, defaults={"probability": probability})


def _at(day: dt.date, rng: random.Random) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randint(0, 59))))


def _lines(rng: random.Random, products: list[Product]) -> list[tuple[Product, Decimal, Decimal, Decimal]]:
    """1–3 product lines: a main product and perhaps services and maintenance, with a typical discount."""
    chosen = rng.sample(products, rng.choice((1, 1, 2, 2, 3)))
    rows = []
    for product in chosen:
        low, high = QUANTITY.get(product.unit, (1, 2))
        discount = Decimal(rng.choice((0, 0, 5, 5, 8, 10, 12)))
        rows.append((product, Decimal(rng.randint(low, high)), product.list_price, discount))
    return rows


def _outcome(rng: random.Random, created: dt.date, today: dt.date) -> tuple[str, dt.date | None]:
    """Old opportunities are mostly closed (about 4 in 10 won); young ones mostly still open."""
    age = (today - created).days
    if age < rng.randint(20, 160):
        return rng.choice(OPEN_STAGES[:2] + OPEN_STAGES + OPEN_STAGES[2:]), None
    stage = rng.choices([St.WON, St.LOST, St.INVALID], weights=[40, 45, 15])[0]
    closed = created + dt.timedelta(days=rng.randint(15, min(age, 150)))
    return stage, min(closed, today)


def _plan(rng: random.Random, staff: list[User]) -> list[dict[str, Any]]:
    """The opportunities as data first, so the 2026 won total can be steered into the target range."""
    today = timezone.localdate()
    customers: dict[int | None, list[Customer]] = {}
    for customer in Customer.objects.filter(owner__in=staff).only("id", "name", "owner_id", "owner_unit_id"):
        customers.setdefault(customer.owner_id, []).append(customer)
    products = list(Product.objects.filter(is_active=True))
    span = (today - START).days
    plans = []
    for index in range(OPPORTUNITY_COUNT):
        owner = staff[index % len(staff)]
        if not customers.get(owner.pk):
            continue
        customer = rng.choice(customers[owner.pk])
        created = START + dt.timedelta(days=int(span * rng.random() ** 0.9))
        stage, closed = _outcome(rng, created, today)
        lines = _lines(rng, products)
        amount = sum((q * p * (100 - d) / 100 for _, q, p, d in lines), Decimal(0)).quantize(CENT_, ROUND_HALF_UP)
        plans.append(
            {
                "owner": owner,
                "customer": customer,
                "created": created,
                "stage": stage,
                "closed": closed,
                "lines": lines,
                "amount": amount,
            }
        )
    for year, bounds in WON_RANGES.items():
        _steer(rng, plans, year, bounds)
    return plans


def _steer(rng: random.Random, plans: list[dict[str, Any]], year: int, bounds: tuple[Decimal, Decimal]) -> None:
    """Flip outcomes of the year's closings until the won amount lies in the range (deterministically)."""
    low, high = bounds
    closed_2026 = [p for p in plans if p["closed"] and p["closed"].year == year and p["stage"] != St.INVALID]
    rng.shuffle(closed_2026)

    def total() -> Decimal:
        return sum((p["amount"] for p in closed_2026 if p["stage"] == St.WON), Decimal(0))

    for plan in closed_2026:
        current = total()
        if low <= current <= high:
            return
        if current > high and plan["stage"] == St.WON:
            plan["stage"] = St.LOST
        elif current < low and plan["stage"] == St.LOST:
            plan["stage"] = St.WON


def _path(stage: str, rng: random.Random) -> list[str]:
    """The stages an opportunity went through to reach ``stage``."""
    if stage in OPEN_STAGES:
        return list(OPEN_STAGES[: OPEN_STAGES.index(stage) + 1])
    reached = len(OPEN_STAGES) if stage == St.WON else rng.randint(1, len(OPEN_STAGES))
    return [*OPEN_STAGES[:reached], stage]


def _moments(rng: random.Random, start: dt.datetime, end: dt.datetime, count: int) -> list[dt.datetime]:
    seconds = max(1, int((end - start).total_seconds()))
    return [start] + sorted(start + dt.timedelta(seconds=rng.randint(1, seconds)) for _ in range(count - 1))


def _build(rng: random.Random, plan: dict[str, Any], now: dt.datetime) -> tuple[Opportunity, list]:
    """The opportunity row and its stage-change rows, dated along its life."""
    created = _at(plan["created"], rng)
    end = _at(plan["closed"], rng) if plan["closed"] else min(now, created + dt.timedelta(days=rng.randint(5, 90)))
    end = max(end, created + dt.timedelta(hours=1))
    stages = _path(plan["stage"], rng)
    moments = _moments(rng, created, end, len(stages))
    if plan["closed"]:
        moments[-1] = end
    stage, owner, customer = plan["stage"], plan["owner"], plan["customer"]
    product = plan["lines"][0][0]
    opp = Opportunity(
        name=f"{customer.name[:40]} {product.category}项目",
        customer=customer,
        amount=plan["amount"],
        stage=stage,
        stage_changed_at=moments[-1],
        expected_close_date=plan["closed"] or (plan["created"] + dt.timedelta(days=rng.randint(45, 150))),
        closed_on=plan["closed"],
        owner=owner,
        owner_unit_id=customer.owner_unit_id,
        created_by=owner,
        description=rng.choice(NEEDS),
        created_at=created,
        updated_at=moments[-1],
        close_reason=(
            rng.choice(LOST_REASONS) if stage == St.LOST else rng.choice(INVALID_REASONS) if stage == St.INVALID else ""
        ),
    )
    if stage in OPEN_STAGES:
        opp.next_action = rng.choice(NEXT_ACTIONS)
        opp.next_action_on = timezone.localdate() + dt.timedelta(days=rng.randint(-10, 20))
    changes = []
    previous, since = "", moments[0]
    for to_stage, when in zip(stages, moments, strict=True):
        changes.append((previous, to_stage, when, int((when - since).total_seconds()) if previous else 0))
        previous, since = to_stage, when
    return opp, changes


@transaction.atomic
def _create(rng: random.Random, plans: list[dict[str, Any]], manager: User | None) -> list[Opportunity]:
    """Bulk-insert the opportunities (with history rows), their lines and their stage histories."""
    now = timezone.now()
    built = [_build(rng, plan, now) for plan in plans]
    with keep_dates(Opportunity, OpportunityStageChange):
        opportunities = bulk.create_with_history(Opportunity, [o for o, _ in built], actor=manager, reason="演示数据")
        if opportunities[0].pk is None:  # SQLite before 3.35 does not return ids
            opportunities = list(Opportunity.objects.order_by("id"))
        lines, changes = [], []
        for opp, (_, rows), plan in zip(opportunities, built, plans, strict=True):
            lines += [
                OpportunityLine(opportunity=opp, product=p, quantity=q, unit_price=u, discount_pct=d)
                for p, q, u, d in plan["lines"]
            ]
            changes += [
                OpportunityStageChange(
                    opportunity=opp, from_stage=f, to_stage=t, changed_at=w, changed_by=opp.owner, seconds_in_previous=s
                )
                for f, t, w, s in rows
            ]
        OpportunityLine.objects.bulk_create(lines, batch_size=1000)
        OpportunityStageChange.objects.bulk_create(changes, batch_size=1000)
    opportunity_stages_reached_sync(opportunity_ids=[o.pk for o in opportunities])  # bulk: no save() ran
    return opportunities


def _contracts(rng: random.Random, won: list[Opportunity], manager: User | None) -> None:
    """A contract per won opportunity through the contract services (numbered, submitted, approved), with two
    or three instalments and the payments received so far."""
    today = timezone.localdate()
    for opp in sorted(won, key=lambda o: o.closed_on or today):
        with transaction.atomic():
            signed = opp.closed_on or today
            contract = contract_services.contract_create(
                actor=opp.owner,
                data={
                    "opportunity": opp,
                    "customer": opp.customer,
                    "title": opp.name,
                    "signed_on": signed,
                    "start_date": signed,
                    "end_date": signed + dt.timedelta(days=365),
                },
            )
            contract = contract_services.contract_submit(actor=opp.owner, contract=contract)
            if contract.status == ContractStatus.PENDING:
                approver = next(iter(contract_services.contract_approvers(contract)), None) or manager
                contract = contract_services.contract_approve(actor=cast(User, approver), contract=contract)
            _payments(rng, contract, opp.owner, today)


def _payments(rng: random.Random, contract: Any, owner: User, today: dt.date) -> None:
    """Instalments 30/60/10 % (or 50/50) after signing; those due before today are mostly paid."""
    shares = rng.choice(((Decimal("0.3"), Decimal("0.6"), Decimal("0.1")), (Decimal("0.5"), Decimal("0.5"))))
    amounts = [(contract.amount * s).quantize(Decimal("0.01"), ROUND_HALF_UP) for s in shares]
    amounts[-1] = contract.amount - sum(amounts[:-1])
    offsets = (10, 90, 300)[: len(amounts)]
    rows = [
        {"instalment": i + 1, "due_date": contract.signed_on + dt.timedelta(days=offsets[i]), "amount": a}
        for i, a in enumerate(amounts)
    ]
    plans = contract_services.payment_plan_set(actor=owner, contract=contract, instalments=rows)
    for plan in plans:
        received = plan.due_date + dt.timedelta(days=rng.randint(-5, 25))
        if received <= today and rng.random() < 0.85:
            contract_services.payment_record(
                actor=owner, contract=contract, data={"plan": plan, "amount": plan.amount, "received_on": received}
            )


@transaction.atomic
def _enrich_lead_opportunities(rng: random.Random) -> None:
    """The opportunities the lead conversions opened: dated at the conversion, with products and a close date."""
    products = list(Product.objects.filter(is_active=True))
    opportunities = list(Opportunity.objects.filter(source_lead__isnull=False, amount=0).select_related("source_lead"))
    lines = []
    for opp in opportunities:
        when = (opp.source_lead.converted_at if opp.source_lead else None) or opp.created_at
        rows = _lines(rng, products)
        opp.amount = sum((q * p * (100 - d) / 100 for _, q, p, d in rows), Decimal(0)).quantize(CENT_, ROUND_HALF_UP)
        opp.created_at = opp.updated_at = opp.stage_changed_at = when
        opp.expected_close_date = timezone.localdate() + dt.timedelta(days=rng.randint(20, 120))
        opp.next_action, opp.next_action_on = (
            rng.choice(NEXT_ACTIONS),
            timezone.localdate() + dt.timedelta(days=rng.randint(-5, 15)),
        )
        lines += [
            OpportunityLine(opportunity=opp, product=p, quantity=q, unit_price=u, discount_pct=d) for p, q, u, d in rows
        ]
    with keep_dates(Opportunity):
        Opportunity.objects.bulk_update(
            opportunities,
            [
                "amount",
                "created_at",
                "updated_at",
                "stage_changed_at",
                "expected_close_date",
                "next_action",
                "next_action_on",
            ],
        )
    OpportunityLine.objects.bulk_create(lines)
    for opp in opportunities:
        OpportunityStageChange.objects.filter(opportunity=opp).update(changed_at=opp.created_at)


def _sales_plans(users: dict[str, User]) -> None:
    """A plan in execution (approved by the sales manager), one awaiting approval and a draft, all citing the
    published market intelligence, through the plan services."""
    intel = list(MarketIntel.objects.filter(status=IntelStatus.PUBLISHED).order_by("id")[:6])
    if not intel or any(name not in users for name in PLAN_PEOPLE):
        return
    for owner, title, (start, end), strategy, actions, status in SALES_PLANS:
        rows = [
            {
                "title": t,
                "responsible": users.get(who) or users[owner],
                "start_date": start + dt.timedelta(days=o),
                "due_date": start + dt.timedelta(days=o + d),
                "progress": 0,
            }
            for t, who, o, d in actions
        ]
        plan = plan_services.salesplan_create(
            actor=users[owner],
            data={
                "title": title,
                "period_start": start,
                "period_end": end,
                "strategy": strategy,
                "intel": intel[:3] if owner == "east_lead" else intel[3:],
            },
            actions=rows,
        )
        if status != "draft":
            plan_services.salesplan_submit(actor=users[owner], plan=plan)
        if status == "executing":
            plan_services.salesplan_approve(actor=users["sales_mgr"], plan=plan)
            plan_services.salesplan_start(actor=users[owner], plan=plan)
            for index, action in enumerate(plan.actions.all()):
                plan_services.salesplan_action_progress(
                    actor=action.responsible, action=action, progress=(100, 60, 35, 0)[index % 4]
                )
                if action.done_at is not None:  # done two days before it was due, not when the demo was loaded
                    done = timezone.make_aware(dt.datetime.combine(action.due_date - dt.timedelta(days=2), dt.time(16)))
                    SalesPlanAction.objects.filter(pk=action.pk).update(done_at=min(done, timezone.now()))
