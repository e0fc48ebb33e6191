"""The demo company's customer archive: ~600 customers across China with contacts, needs and three years of
follow-ups, owned by the sales staff (a few by marketing), ~40 in the public pool, service owners from customer
service. Idempotent: nothing is added when customers exist. Fixed seed, so every load tells the same story.

Customers and contacts are created through ``customer_create`` (duplicate check, ownership log, history); the
follow-ups and back-dating are bulk writes for speed. Demo mobiles use the prefixes in ``MOBILE_PREFIXES``.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from apps.core.validators import uscc_check_char
from apps.customers.choices import CustomerLevel, CustomerSource, DealStatus, FollowUpChannel, Industry, Lifecycle
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp, OwnershipLog
from apps.customers.services.archive import customer_create
from apps.org.models import User

SEED = 20240601
CUSTOMER_COUNT = 600
POOL_COUNT = 40
MOBILE_PREFIXES = ("135", "152", "177", "181", "199")

# province, region code (GB/T 2260), cities with their districts
REGIONS = [
    ("上海市", "310000", [("上海市", ["浦东新区", "闵行区", "徐汇区", "嘉定区", "松江区"])]),
    ("北京市", "110000", [("北京市", ["海淀区", "朝阳区", "丰台区", "大兴区"])]),
    (
        "广东省",
        "440000",
        [
            ("深圳市", ["南山区", "宝安区", "龙岗区"]),
            ("广州市", ["天河区", "番禺区", "黄埔区"]),
            ("东莞市", ["松山湖", "长安镇"]),
            ("佛山市", ["顺德区", "南海区"]),
        ],
    ),
    (
        "浙江省",
        "330000",
        [
            ("杭州市", ["西湖区", "滨江区", "余杭区"]),
            ("宁波市", ["鄞州区", "北仑区"]),
            ("温州市", ["鹿城区", "瓯海区"]),
        ],
    ),
    (
        "江苏省",
        "320000",
        [
            ("南京市", ["江宁区", "鼓楼区"]),
            ("苏州市", ["工业园区", "昆山市", "吴中区"]),
            ("无锡市", ["新吴区", "滨湖区"]),
        ],
    ),
    ("山东省", "370000", [("济南市", ["历下区", "高新区"]), ("青岛市", ["黄岛区", "崂山区"])]),
    ("四川省", "510000", [("成都市", ["高新区", "武侯区", "双流区"])]),
    ("湖北省", "420000", [("武汉市", ["洪山区", "江汉区", "东湖高新区"])]),
    ("福建省", "350000", [("厦门市", ["思明区", "湖里区"]), ("福州市", ["鼓楼区", "仓山区"])]),
    ("安徽省", "340000", [("合肥市", ["蜀山区", "包河区"])]),
    ("天津市", "120000", [("天津市", ["滨海新区", "南开区"])]),
    ("重庆市", "500000", [("重庆市", ["渝北区", "九龙坡区"])]),
    ("河南省", "410000", [("郑州市", ["金水区", "郑东新区"])]),
    ("湖南省", "430000", [("长沙市", ["岳麓区", "雨花区"])]),
    ("陕西省", "610000", [("西安市", ["雁塔区", "高新区"])]),
]
REGION_WEIGHTS = [14, 10, 16, 12, 12, 5, 5, 5, 4, 3, 3, 3, 3, 3, 3]

BRANDS = [
    "瑞丰",
    "恒信",
    "嘉禾",
    "华泰",
    "中科",
    "鼎盛",
    "宏达",
    "天润",
    "博远",
    "锦程",
    "新源",
    "安捷",
    "鸿运",
    "星辰",
    "卓越",
    "万通",
    "金桥",
    "汇智",
    "远航",
    "明德",
    "正邦",
    "德润",
    "启航",
    "盛世",
    "凯瑞",
    "海纳",
    "东方",
    "华凯",
    "昊天",
    "永安",
    "联创",
    "晨光",
    "同方",
    "泰和",
    "百川",
    "信达",
    "众合",
    "宇通",
    "力拓",
    "佳联",
    "国泰",
    "恒远",
    "蓝海",
    "巨能",
    "合力",
    "聚源",
    "云帆",
    "润泽",
    "华腾",
    "天成",
    "奥特",
    "威盛",
    "九州",
    "明阳",
    "三江",
    "金石",
    "沃土",
    "青松",
    "峰岚",
    "科达",
    "尚品",
    "智汇",
    "睿博",
    "康瑞",
    "优创",
    "立信",
    "新元",
    "福瑞",
    "安泰",
    "华茂",
    "精诚",
    "长城",
    "神州",
    "金鹰",
    "和谐",
    "隆基",
    "鑫源",
    "创维",
    "中恒",
    "宏图",
]
# What the company does, by industry (the name's middle part).
TRADES = {
    Industry.IT: ["信息技术", "软件", "网络科技", "数据科技", "智能科技", "云计算"],
    Industry.MANUFACTURING: ["精密制造", "机械", "电子", "新材料", "汽车零部件", "模具", "自动化设备"],
    Industry.FINANCE: ["融资租赁", "投资管理", "保险代理"],
    Industry.REAL_ESTATE: ["置业", "物业管理", "房地产开发"],
    Industry.BUSINESS_SERVICES: ["企业管理咨询", "人力资源", "会展服务", "商务咨询"],
    Industry.LOGISTICS: ["物流", "供应链管理", "国际货运代理", "冷链物流"],
    Industry.MEDIA: ["文化传媒", "广告", "影视传媒"],
    Industry.EDUCATION: ["教育科技", "职业培训"],
    Industry.HEALTHCARE: ["医疗器械", "生物科技", "医药"],
    Industry.RETAIL: ["商贸", "连锁超市", "电子商务"],
    Industry.ENERGY: ["新能源", "电力工程", "环保科技"],
    Industry.GOVERNMENT: ["城市建设投资", "公共资源交易中心"],
}
INDUSTRY_WEIGHTS = {
    Industry.IT: 16,
    Industry.MANUFACTURING: 24,
    Industry.FINANCE: 5,
    Industry.REAL_ESTATE: 5,
    Industry.BUSINESS_SERVICES: 8,
    Industry.LOGISTICS: 9,
    Industry.MEDIA: 4,
    Industry.EDUCATION: 4,
    Industry.HEALTHCARE: 8,
    Industry.RETAIL: 8,
    Industry.ENERGY: 7,
    Industry.GOVERNMENT: 2,
}
SUFFIXES = ["有限公司"] * 8 + ["股份有限公司", "集团有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉萍红燕辉鹏斌宇浩凯婷雪琳晨阳峰"
TITLES = [
    "总经理",
    "采购经理",
    "技术总监",
    "财务经理",
    "行政主管",
    "董事长",
    "副总经理",
    "项目经理",
    "采购专员",
    "设备部经理",
    "信息中心主任",
]
ROADS = ["科技", "创业", "建设", "人民", "工业", "长江", "黄河", "学府", "滨江", "中山"]
TAGS = ["重点客户", "老客户", "政府项目", "渠道伙伴", "招投标", "续约", "高潜力", "价格敏感"]
# owner username → how many customers (roughly); the rest of the pool is handled separately.
OWNERS = {
    "sales1": 85,
    "sales2": 80,
    "east2": 60,
    "east3": 55,
    "east4": 60,
    "south2": 55,
    "south3": 50,
    "south4": 55,
    "east_lead": 20,
    "south_lead": 20,
    "mkt1": 10,
    "mkt2": 10,
}
SERVICE_STAFF = ("cs1", "cs2", "cs3", "cs4")
FOLLOW_UP_TEXTS = [
    "电话沟通，客户对新一代产品有兴趣，约定下周发送报价。",
    "上门拜访采购经理，了解年度采购计划和预算。",
    "微信发送产品资料和案例，客户表示会内部讨论。",
    "参加客户技术交流会，演示系统功能，反馈良好。",
    "客户询问交付周期和售后服务条款，已解答。",
    "跟进报价进展，客户认为价格偏高，申请折扣中。",
    "邀请客户参加展会，客户确认出席。",
    "客户提出定制需求，已转技术部评估。",
    "回访使用情况，客户整体满意，提出两点改进建议。",
    "与财务确认付款安排，预计月底到账。",
    "客户负责人变更，已与新负责人建立联系。",
    "节日问候，顺便了解二季度项目进展。",
]
NEEDS = [
    "希望在三季度前完成生产线自动化改造，预算约200万元。",
    "需要一套覆盖全国门店的库存管理系统。",
    "关注设备能耗，希望提供节能改造方案。",
    "计划明年扩建仓库，需要物流规划咨询。",
    "需要按月提供维保服务和备件供应。",
    "对数据安全要求高，希望私有化部署。",
    "希望提供员工培训和操作手册。",
]


def _weighted(rng: random.Random, options: dict[Any, int]) -> Any:
    return rng.choices(list(options), weights=list(options.values()))[0]


class _Names:
    """Company names, USCCs and mobiles that never repeat within the demo."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.mobiles: set[str] = set()
        self.codes: set[str] = set()

    def company(self, city: str, industry: str) -> str:
        attempt = 0
        while True:
            attempt += 1
            prefix = city.removesuffix("市") if self.rng.random() < 0.7 else ""
            trade = self.rng.choice(TRADES[Industry(industry)])
            if industry == Industry.GOVERNMENT and attempt < 3:  # a city has only a few of these
                name = f"{city}{trade}{'集团有限公司' if '投资' in trade else ''}"
            else:
                name = f"{prefix}{self.rng.choice(BRANDS)}{trade}{self.rng.choice(SUFFIXES)}"
            if name not in self.names and "华信智能" not in name:
                self.names.add(name)
                return name

    def uscc(self, region: str) -> str:
        while True:
            first17 = f"91{region}{self.rng.randint(10**8, 10**9 - 1)}"
            if first17 not in self.codes:
                self.codes.add(first17)
                return first17 + uscc_check_char(first17)

    def mobile(self) -> str:
        while True:
            number = f"{self.rng.choice(MOBILE_PREFIXES)}{self.rng.randint(0, 99999999):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2))))


def _customer_data(rng: random.Random, names: _Names, users: dict[str, User]) -> tuple[dict, list[dict]]:
    province, region, cities = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
    city, districts = rng.choice(cities)
    industry = _weighted(rng, INDUSTRY_WEIGHTS)
    data = {
        "name": names.company(city, industry),
        "uscc": names.uscc(region) if rng.random() < 0.85 else "",
        "level": _weighted(rng, {CustomerLevel.A: 15, CustomerLevel.B: 50, CustomerLevel.C: 35}),
        "source": rng.choice([c for c in CustomerSource.values if c not in ("lead_conversion", "import")]),
        "industry": industry,
        "province": province,
        "city": city,
        "district": rng.choice(districts),
        "address": f"{rng.choice(ROADS)}路{rng.randint(1, 999)}号",
        "phone": f"0{rng.randint(10, 999)}-{rng.randint(6000000, 89999999)}",
        "lifecycle": _weighted(
            rng, {Lifecycle.POTENTIAL: 35, Lifecycle.ACTIVE: 45, Lifecycle.DORMANT: 12, Lifecycle.LOST: 8}
        ),
        "tags": rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2))),
        "is_locked": rng.random() < 0.05,
    }
    if data["lifecycle"] == Lifecycle.ACTIVE and rng.random() < 0.7:
        data["service_owner"] = users[rng.choice(SERVICE_STAFF)]
    contacts = [
        {
            "name": names.person(),
            "mobile": names.mobile() if rng.random() < 0.92 else "",
            "title": rng.choice(TITLES),
            "is_decision_maker": i == 0 and rng.random() < 0.6,
            "wechat": f"wx_{rng.randint(10000, 99999)}" if rng.random() < 0.4 else "",
        }
        for i in range(rng.choice((1, 1, 1, 2, 2, 3)))
    ]
    return data, contacts


def _back_date(customer: Customer, created: dt.datetime) -> None:
    customer.created_at = customer.updated_at = created
    if customer.owner_id:
        customer.owner_since = created


def _follow_ups(rng: random.Random, customer: Customer, now: dt.datetime) -> list[FollowUp]:
    """Follow-ups from the customer's creation until now; sets the customer's last/next contact to match."""
    if rng.random() < 0.1 or customer.owner_id is None:
        return []
    span = max((now - customer.created_at).total_seconds(), 3600)
    count = rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12))
    moments = sorted(customer.created_at + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    rows = [
        FollowUp(
            customer=customer,
            author_id=customer.owner_id,
            content=rng.choice(FOLLOW_UP_TEXTS),
            channel=rng.choice(FollowUpChannel.values),
            occurred_at=m.replace(second=0, microsecond=0),
        )
        for m in moments
    ]
    last = rows[-1]
    if rng.random() < 0.65:
        last.next_contact_at = last.occurred_at + dt.timedelta(days=rng.randint(2, 45), hours=rng.randint(0, 8))
    customer.last_follow_up_at, customer.last_follow_up_summary = last.occurred_at, last.content[:200]
    customer.next_contact_at = last.next_contact_at
    return rows


def _make_due(rng: random.Random, customers: list[Customer], now: dt.datetime) -> None:
    """Each salesperson has a few contacts due today and a few overdue, so the workbench has something to show."""
    by_owner: dict[int, list[Customer]] = {}
    for customer in customers:
        if customer.owner_id and customer.last_follow_up_at:
            by_owner.setdefault(customer.owner_id, []).append(customer)
    today = timezone.localtime(now).replace(hour=10, minute=0, second=0, microsecond=0)
    for owned in by_owner.values():
        for customer in rng.sample(owned, k=min(len(owned), 5)):
            customer.next_contact_at = today + dt.timedelta(hours=rng.choice((0, 2, 4, -24 * rng.randint(1, 9))))
            latest = customer.next_contact_at - dt.timedelta(days=1)
            customer.last_follow_up_at = min(customer.last_follow_up_at or latest, latest)


def load(stdout: Any) -> None:
    if Customer.objects.exists():
        stdout.write("customers: already loaded")
        return
    rng = random.Random(SEED)
    users = {u.username: u for u in User.objects.filter(username__in=[*OWNERS, *SERVICE_STAFF, "sales_mgr"])}
    if "sales_mgr" not in users:
        stdout.write("customers: the demo organisation is missing; skipped")
        return
    names, now = _Names(rng), timezone.now()
    owners = [name for name, count in OWNERS.items() for _ in range(count) if name in users]
    rng.shuffle(owners)
    plan = owners[: CUSTOMER_COUNT - POOL_COUNT] + [None] * POOL_COUNT
    customers: list[Customer] = []
    for owner_name in plan:
        data, contacts = _customer_data(rng, names, users)
        owner = users[owner_name] if owner_name else None
        actor = owner or users["sales_mgr"]
        service_owner = data.pop("service_owner", None)  # named by customer service, not by the sales owner
        customer = customer_create(actor=actor, data=data, contacts=contacts, owner=owner, allow_similar_name=True)
        if service_owner is not None:
            Customer.objects.filter(pk=customer.pk).update(service_owner=service_owner)
            customer.service_owner = service_owner
        _back_date(customer, now - dt.timedelta(days=rng.uniform(3, 3 * 365)))
        customers.append(customer)
    _finish(rng, customers, users, now)
    stdout.write(f"customers: {len(customers)} customers, {FollowUp.objects.count()} follow-ups")


def _finish(rng: random.Random, customers: list[Customer], users: dict[str, User], now: dt.datetime) -> None:
    """Back-date, add follow-ups and needs, mark deals won, put the pool customers' history in place."""
    follow_ups: list[FollowUp] = []
    needs: list[CustomerNeed] = []
    sales = [u for name, u in users.items() if name.startswith(("sales", "east", "south"))]
    for customer in customers:
        follow_ups.extend(_follow_ups(rng, customer, now))
        if customer.lifecycle == Lifecycle.ACTIVE and rng.random() < 0.6:
            customer.deal_status = DealStatus.WON
        if customer.owner_id is None:
            customer.previous_owner = rng.choice(sales)
            customer.pooled_at = now - dt.timedelta(days=rng.uniform(1, 200))
        elif rng.random() < 0.3:
            needs.append(CustomerNeed(customer=customer, content=rng.choice(NEEDS), recorded_by_id=customer.owner_id))
    _make_due(rng, customers, now)
    Customer.objects.bulk_update(
        customers,
        [
            "created_at",
            "updated_at",
            "owner_since",
            "last_follow_up_at",
            "last_follow_up_summary",
            "next_contact_at",
            "deal_status",
            "previous_owner",
            "pooled_at",
        ],
        batch_size=200,
    )
    FollowUp.objects.bulk_create(follow_ups, batch_size=500)
    CustomerNeed.objects.bulk_create(needs, batch_size=500)
    _back_date_related(customers)


def _back_date_related(customers: list[Customer]) -> None:
    """Contacts, ownership logs and the creation history date from the customer's (back-dated) creation."""
    created = {c.pk: c.created_at for c in customers}
    logs = list(OwnershipLog.objects.filter(customer__in=customers))
    for log in logs:
        log.at = created[log.customer_id]
    OwnershipLog.objects.bulk_update(logs, ["at"], batch_size=500)
    contacts = list(Contact.objects.filter(customer__in=customers))
    for contact in contacts:
        contact.created_at = contact.updated_at = created[contact.customer_id]
    Contact.objects.bulk_update(contacts, ["created_at", "updated_at"], batch_size=500)
    for pk, when in created.items():
        Customer.history.filter(id=pk, history_type="+").update(history_date=when)
