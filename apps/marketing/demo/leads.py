"""The demo company's campaigns, leads, visits and market intelligence: ~15 campaigns over 15 months with budgets
and costs, ~2,500 leads from campaigns, research and manual entry, a few hundred handed over to sales, ~90 of them
converted into customers through ``lead_convert`` (so the duplicate check and the customers are real), ~300 visits
and ~30 pieces of intelligence with read receipts. Idempotent (nothing is added when the first campaign exists);
fixed seed. Campaigns, conversions and the latest intelligence go through the services; the rest is bulk-written
and back-dated for speed."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.customers.models import Customer
from apps.marketing.choices import (
    CampaignKind,
    CampaignStatus,
    Importance,
    IntelCategory,
    IntelStatus,
    LeadSource,
    LeadStatus,
)
from apps.marketing.models import Campaign, IntelRead, Lead, MarketIntel, MarketPlan, MarketResearch, Visit
from apps.marketing.services.campaigns import campaign_create
from apps.marketing.services.intel import intel_create, intel_publish
from apps.marketing.services.leads import lead_convert
from apps.org.models import User

SEED = 20240815
LEAD_COUNT = 2500
HANDED_COUNT = 340
CONVERT_COUNT = 90
VISIT_COUNT = 300
MOBILE_PREFIXES = ("133", "156", "173", "189")
MARKETERS = ("mkt1", "mkt2", "mkt3", "mkt4", "mkt5", "mkt_mgr")
SALES = ("sales1", "sales2", "east2", "east3", "east4", "south2", "south3", "south4")

# name, kind, channel, months ago it started, days, budget, cost ratio, target segment
CAMPAIGNS = [
    ("{year} 华东智能制造展", CampaignKind.EXHIBITION, "上海新国际博览中心", 15, 4, 180000, 0.96, "制造业中大型企业"),
    ("工业互联网线上研讨会（一）", CampaignKind.SEMINAR, "腾讯会议直播", 14, 1, 20000, 0.85, "工厂信息化负责人"),
    ("{year} 百度搜索推广 Q{quarter}", CampaignKind.ONLINE_ADS, "百度推广", 13, 90, 120000, 1.02, "中小企业"),
    ("微信公众号内容营销", CampaignKind.CONTENT, "微信公众号", 12, 120, 45000, 0.9, "IT 决策者"),
    ("华南客户答谢会", CampaignKind.SEMINAR, "深圳福田香格里拉", 11, 1, 60000, 1.08, "华南存量客户"),
    ("抖音短视频投放", CampaignKind.SOCIAL, "抖音", 10, 60, 80000, 0.97, "零售与消费品"),
    ("{year} 春季电话营销", CampaignKind.TELEMARKETING, "呼叫中心外包", 9, 45, 30000, 0.8, "物流与供应链"),
    ("行业白皮书直邮", CampaignKind.DIRECT_MAIL, "EMS 直邮", 8, 30, 15000, 0.93, "医疗器械企业"),
    ("{year} 深圳高交会", CampaignKind.EXHIBITION, "深圳会展中心", 7, 5, 220000, 1.0, "高新技术企业"),
    ("工业互联网线上研讨会（二）", CampaignKind.SEMINAR, "腾讯会议直播", 6, 1, 20000, 0.75, "工厂信息化负责人"),
    ("{year} 百度搜索推广 Q{quarter}", CampaignKind.ONLINE_ADS, "百度推广", 5, 90, 110000, 0.98, "中小企业"),
    ("成都渠道伙伴大会", CampaignKind.SEMINAR, "成都世纪城", 4, 2, 70000, 0.92, "西南渠道商"),
    ("小红书品牌种草", CampaignKind.SOCIAL, "小红书", 2, 90, 50000, 0.6, "新消费品牌"),
    ("{year} 秋季智能制造展", CampaignKind.EXHIBITION, "国家会展中心（上海）", 1, 4, 200000, 0.7, "制造业中大型企业"),
    ("年末客户沙龙", CampaignKind.SEMINAR, "公司展厅", -1, 1, 25000, 0.0, "重点客户"),
]
BRANDS = [
    "瑞祥",
    "恒通",
    "嘉信",
    "华拓",
    "中联",
    "鼎立",
    "宏博",
    "天宇",
    "博森",
    "锦华",
    "新航",
    "安迅",
    "鸿泰",
    "星海",
    "卓远",
    "万达",
    "金诚",
    "汇丰",
    "远大",
    "明辉",
    "正和",
    "德信",
    "启明",
    "盛达",
    "凯旋",
    "海创",
    "东升",
    "华越",
    "昊宇",
    "永泰",
    "联合",
    "晨曦",
    "同创",
    "泰丰",
    "百盛",
    "信诚",
    "众诚",
    "宇航",
    "力帆",
    "佳禾",
    "国信",
    "恒昌",
    "蓝天",
    "巨丰",
    "合众",
    "聚力",
    "云图",
    "润丰",
    "华晟",
    "天诚",
]
TRADES = [
    ("manufacturing", "精密机械"),
    ("manufacturing", "电子科技"),
    ("it", "软件"),
    ("it", "信息技术"),
    ("logistics", "物流"),
    ("healthcare", "医疗器械"),
    ("retail", "商贸"),
    ("energy", "新能源"),
    ("business_services", "企业管理咨询"),
    ("manufacturing", "汽车零部件"),
    ("media", "文化传媒"),
]
CITIES = [
    "上海市 浦东新区",
    "江苏省 苏州市",
    "江苏省 南京市",
    "浙江省 杭州市",
    "浙江省 宁波市",
    "广东省 深圳市",
    "广东省 广州市",
    "广东省 东莞市",
    "四川省 成都市",
    "湖北省 武汉市",
    "山东省 青岛市",
    "北京市 海淀区",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超霞平刚华玉萍红燕辉鹏斌宇浩凯婷雪琳晨阳峰"
TITLES = ["采购经理", "总经理", "IT 主管", "生产总监", "副总经理", "行政主管", "技术负责人", "财务经理"]
INVALID_REASONS = ["空号", "无采购需求", "已选择竞品", "联系人已离职", "重复线索", "预算不足"]
# status weights for leads that are not handed over
STATUS_WEIGHTS = [
    (LeadStatus.NEW, 30),
    (LeadStatus.CONTACTING, 26),
    (LeadStatus.QUALIFIED, 14),
    (LeadStatus.INVALID, 14),
]
INTEL = [
    (IntelCategory.COMPETITOR, "竞品A 在华东推出低价入门版", Importance.HIGH),
    (IntelCategory.PRICE, "主要竞品华南区报价平均下调 12%", Importance.HIGH),
    (IntelCategory.DEMAND, "汽车零部件企业对 MES 升级需求集中释放", Importance.MEDIUM),
    (IntelCategory.CHANNEL, "成都两家渠道商有意转签代理", Importance.MEDIUM),
    (IntelCategory.REGULATION, "工信部发布智能制造标准体系建设指南（2025 版）", Importance.HIGH),
    (IntelCategory.COMPETITOR, "竞品B 完成新一轮融资，扩充销售团队", Importance.MEDIUM),
    (IntelCategory.DEMAND, "医疗器械企业关注数据合规与追溯", Importance.MEDIUM),
    (IntelCategory.PRICE, "服务器与存储采购成本上涨约 8%", Importance.LOW),
    (IntelCategory.CHANNEL, "抖音企业号获客成本明显上升", Importance.LOW),
    (IntelCategory.REGULATION, "个人信息保护合规审计办法施行", Importance.HIGH),
]


def _ago(now: dt.datetime, days: float) -> dt.datetime:
    return now - dt.timedelta(days=days)


def _plan_for(plans: list[MarketPlan], day: dt.date) -> MarketPlan | None:
    return next((p for p in plans if p.period_start <= day <= p.period_end), None)


def _campaigns(actor: User, owners: list[User], plans: list[MarketPlan], today: dt.date) -> list[Campaign]:
    created = []
    for index, (name, kind, channel, months, days, budget, ratio, segment) in enumerate(CAMPAIGNS):
        start = today - dt.timedelta(days=int(months * 30.4))
        end = start + dt.timedelta(days=days - 1)
        owner = owners[index % len(owners)]
        campaign = campaign_create(
            actor=owner,
            data={
                "name": name.format(year=start.year, quarter=(start.month - 1) // 3 + 1),
                "kind": kind,
                "channel": channel,
                "start_date": start,
                "end_date": end,
                "budget": Decimal(budget),
                "target_segment": segment,
                "plan": _plan_for(plans, start),
                "description": f"{segment}定向推广，由{owner}负责执行。",
            },
        )
        campaign.actual_cost = (Decimal(budget) * Decimal(str(ratio))).quantize(Decimal("1.00"))
        campaign.status = (
            CampaignStatus.PLANNED
            if start > today
            else CampaignStatus.RUNNING
            if end >= today
            else CampaignStatus.FINISHED
        )
        Campaign.objects.filter(pk=campaign.pk).update(actual_cost=campaign.actual_cost, status=campaign.status)
        created.append(campaign)
    return created


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _new_lead(rng: random.Random, index: int, now: dt.datetime, ctx: dict[str, Any]) -> Lead:
    industry, trade = rng.choice(TRADES)
    city = rng.choice(CITIES)
    campaign = rng.choice(ctx["campaigns"]) if rng.random() < 0.6 else None
    research = rng.choice(ctx["research"]) if campaign is None and ctx["research"] and rng.random() < 0.3 else None
    if campaign is not None:
        created = timezone.make_aware(dt.datetime.combine(campaign.start_date, dt.time(10))) + dt.timedelta(
            days=rng.uniform(0, 20)
        )
        source = LeadSource.CAMPAIGN
    else:
        created = _ago(now, rng.uniform(1, 450))
        source = LeadSource.RESEARCH if research else rng.choice([LeadSource.MANUAL, LeadSource.IMPORT])
    created = min(created, now - dt.timedelta(hours=1))
    owner = None if rng.random() < 0.06 else rng.choice(ctx["marketers"])
    return Lead(
        source=source,
        campaign=campaign,
        research=research,
        plan=campaign.plan if campaign else _plan_for(ctx["plans"], created.date()),
        company_name=f"{city.split()[-1].rstrip('市区')}{rng.choice(BRANDS)}{trade}有限公司",
        contact_name=_person(rng),
        mobile=f"{MOBILE_PREFIXES[index % 4]}{rng.randrange(10**8):08d}",
        contact_title=rng.choice(TITLES),
        industry=industry,
        region=city,
        owner=owner,
        owner_unit_id=ctx["unit_id"],
        created_by=owner or ctx["manager"],
        created_at=created,
        status=rng.choices([s for s, _ in STATUS_WEIGHTS], [w for _, w in STATUS_WEIGHTS])[0],
    )


def _leads(rng: random.Random, now: dt.datetime, ctx: dict[str, Any]) -> list[Lead]:
    leads, seen = [], set()
    for index in range(LEAD_COUNT):
        lead = _new_lead(rng, index, now, ctx)
        if lead.mobile in seen:
            continue
        seen.add(lead.mobile)
        leads.append(lead)
    owned = [lead for lead in leads if lead.owner is not None]
    for lead in rng.sample(owned, HANDED_COUNT):
        lead.status = LeadStatus.HANDED_OVER
        lead.handed_to = rng.choice(ctx["sales"])
        lead.handed_at = min(lead.created_at + dt.timedelta(days=rng.uniform(3, 25)), now)
        lead.handover_note = rng.choice(
            ["客户有明确采购计划，请尽快联系。", "已完成需求调研，预算约 30 万。", "对方希望下月安排演示。", ""]
        )
    for lead in leads:
        if lead.owner is None and lead.status in (LeadStatus.QUALIFIED, LeadStatus.INVALID):
            lead.status = LeadStatus.NEW
        if lead.status in (LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER):
            lead.qualified_at = lead.created_at + dt.timedelta(days=rng.uniform(1, 3))
        if lead.status == LeadStatus.INVALID:
            lead.invalid_reason = rng.choice(INVALID_REASONS)
    dates = [lead.created_at for lead in leads]
    created = Lead.objects.bulk_create(leads, batch_size=500)
    # auto_now_add stamped "now" on insert; put the real dates back.
    for lead, when in zip(created, dates, strict=True):
        lead.created_at = lead.updated_at = when
    Lead.objects.bulk_update(created, ["created_at", "updated_at"], batch_size=500)
    return created


def _convert(rng: random.Random, leads: list[Lead], now: dt.datetime) -> int:
    """Convert a sample of the handed-over leads as their sales person would (duplicates are merged)."""
    handed = sorted((lead for lead in leads if lead.status == LeadStatus.HANDED_OVER), key=lambda x: x.handed_at or now)
    converted = 0
    for lead in rng.sample(handed[: len(handed) * 3 // 4], CONVERT_COUNT):
        seller = lead.handed_to
        if seller is None:
            continue
        try:
            lead_convert(actor=seller, lead=lead, allow_similar_name=True)
        except ValidationError as error:
            hits = getattr(error, "duplicates", [])
            if not hits:
                continue
            lead_convert(actor=seller, lead=lead, merge_into=Customer.objects.get(pk=hits[0].customer_id))
        when = min((lead.handed_at or now) + dt.timedelta(days=rng.uniform(2, 30)), now)
        Lead.objects.filter(pk=lead.pk).update(converted_at=when)
        converted += 1
    return converted


def _visits(rng: random.Random, leads: list[Lead], now: dt.datetime, ctx: dict[str, Any]) -> int:
    customers = list(Customer.objects.filter(owner__in=ctx["sales"]).only("pk", "owner_id", "owner_unit_id")[:400])
    targets = [lead for lead in leads if lead.owner_id and lead.status != LeadStatus.INVALID]
    visits, visitors = [], []
    purposes = ["需求调研", "产品演示", "商务洽谈", "方案汇报", "关系维护", "回款沟通", "技术交流"]
    for index in range(VISIT_COUNT):
        day = (now - dt.timedelta(days=rng.uniform(0, 420))).date()
        to_customer = customers and index % 2 == 0
        customer = rng.choice(customers) if to_customer else None
        lead = None if to_customer else rng.choice(targets)
        visited: Any = customer if customer is not None else lead  # a customer or a lead: the same two fields
        owner_id, unit_id = visited.owner_id, visited.owner_unit_id
        recent = (now.date() - day).days < 10
        visits.append(
            Visit(
                customer=customer,
                lead=lead,
                visited_on=day,
                purpose=rng.choice(purposes),
                owner_id=owner_id,
                owner_unit_id=unit_id,
                created_by_id=owner_id,
                outcome=rng.choice(
                    [
                        "客户认可方案，等待内部立项。",
                        "对价格有顾虑，需要再沟通。",
                        "确认了关键决策人。",
                        "需求尚不明确。",
                    ]
                ),
                next_step=rng.choice(["发送报价", "安排技术演示", "提交方案", ""])
                if recent or rng.random() < 0.4
                else "",
                next_step_on=day + dt.timedelta(days=rng.randint(2, 10)),
            )
        )
    Visit.objects.bulk_create(visits, batch_size=500)
    for visit in visits:
        visitors.append(Visit.visitors.through(visit_id=visit.pk, user_id=visit.owner_id))
        if rng.random() < 0.3:
            extra = rng.choice(ctx["sales"] + ctx["marketers"])
            if extra.pk != visit.owner_id:
                visitors.append(Visit.visitors.through(visit_id=visit.pk, user_id=extra.pk))
    Visit.visitors.through.objects.bulk_create(visitors, batch_size=500)
    return len(visits)


def _intel(rng: random.Random, now: dt.datetime, ctx: dict[str, Any]) -> int:
    """~30 pieces over 15 months: most published (quietly back-dated), the newest two published through the
    service (which notifies sales), two still drafts; read receipts from most of sales."""
    items = []
    for index in range(30):
        category, title, importance = INTEL[index % len(INTEL)]
        author = rng.choice(ctx["marketers"])
        round_ = index // len(INTEL)
        intel = intel_create(
            actor=author,
            data={
                "title": title if round_ == 0 else f"{title}（跟进{round_}）",
                "category": category,
                "importance": importance,
                "source": rng.choice(["行业展会交流", "客户反馈", "公开报道", "渠道伙伴"]),
                "content": f"{title}。\n\n影响：可能影响我方在相关区域的报价与交付节奏。\n"
                "建议：销售部在制定下季度销售计划时予以考虑。",
            },
        )
        items.append(intel)
    quiet, loud, drafts = items[:26], items[26:28], items[28:]
    for offset, intel in enumerate(quiet):
        when = _ago(now, 450 - offset * 16)
        MarketIntel.objects.filter(pk=intel.pk).update(status=IntelStatus.PUBLISHED, published_at=when, created_at=when)
    for intel in loud:
        intel_publish(actor=ctx["manager"], intel=intel)
    readers = ctx["sales"] + ctx["marketers"]
    reads = [
        IntelRead(intel=intel, reader=reader)
        for intel in quiet + loud
        for reader in readers
        if rng.random() < (0.85 if intel in quiet else 0.3)
    ]
    IntelRead.objects.bulk_create(reads, batch_size=500)
    return len(items) - len(drafts)


def load(stdout: Any) -> None:
    if Campaign.objects.filter(name__endswith=CAMPAIGNS[0][0].removeprefix("{year}")).exists():
        stdout.write("marketing leads: already loaded")
        return
    users = {u.username: u for u in User.objects.filter(username__in=[*MARKETERS, *SALES])}
    if "mkt_mgr" not in users or "sales1" not in users:
        stdout.write("marketing leads: the demo organisation is missing; skipped")
        return
    rng, now = random.Random(SEED), timezone.now()
    manager = users["mkt_mgr"]
    marketers = [users[name] for name in MARKETERS if name in users and name != "mkt_mgr"]
    ctx: dict[str, Any] = {
        "manager": manager,
        "marketers": marketers,
        "sales": [users[n] for n in SALES if n in users],
        "plans": list(MarketPlan.objects.order_by("period_start")),
        "research": list(MarketResearch.objects.all()),
        "unit_id": manager.employee.department_id,
    }
    ctx["campaigns"] = [
        c for c in _campaigns(manager, [manager, *marketers], ctx["plans"], now.date()) if c.start_date <= now.date()
    ]
    leads = _leads(rng, now, ctx)
    converted = _convert(rng, leads, now)
    visits = _visits(rng, leads, now, ctx)
    published = _intel(rng, now, ctx)
    stdout.write(
        f"marketing leads: {len(CAMPAIGNS)} campaigns, {len(leads)} leads ({converted} converted), "
        f"{visits} visits, {published} published intelligence"
    )
