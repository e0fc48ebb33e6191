"""Deterministic data for the benchmark, written through the one bulk path (``apps.core.bulk``: ``keep_dates`` +
``create``, COPY on PostgreSQL), on top of the demo company (``load_demo``: its org, policy, products, targets,
campaigns).

    DATABASE_URL=postgres://…/salesops_bench_s .venv/bin/python bench/generate.py --scale S

S: 10k customers, 20k contacts, 50k follow-ups, 10k opportunities (~3.4 stage changes each), 5k contracts,
5k leads, 2k tickets, 60 staff; L: 10×. Three years of dates, spread over the sales and service staff. The same
seed gives the same rows (names from the demo's own word lists, no network, no Faker locale data).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import secrets
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
os.environ.setdefault("DEBUG", "1")

SCALES = {
    "S": {
        "customers": 10_000,
        "contacts": 20_000,
        "follow_ups": 50_000,
        "opportunities": 10_000,
        "contracts": 5_000,
        "leads": 5_000,
        "tickets": 2_000,
        "extra_staff": 24,
    },
    "L": {
        "customers": 100_000,
        "contacts": 200_000,
        "follow_ups": 500_000,
        "opportunities": 100_000,
        "contracts": 50_000,
        "leads": 50_000,
        "tickets": 20_000,
        "extra_staff": 24,
    },
}
REGIONS = [
    "深圳",
    "广州",
    "上海",
    "北京",
    "杭州",
    "南京",
    "成都",
    "武汉",
    "西安",
    "苏州",
    "天津",
    "重庆",
    "长沙",
    "厦门",
]
WORDS = [
    "瑞丰",
    "华信",
    "中科",
    "恒通",
    "金源",
    "鼎盛",
    "宏达",
    "新元",
    "博远",
    "天成",
    "海纳",
    "卓越",
    "正泰",
    "联创",
    "永安",
    "嘉禾",
    "宇航",
    "启明",
    "东方",
    "长城",
    "蓝海",
    "星辰",
    "安信",
    "汇川",
    "德润",
    "致远",
    "同舟",
    "睿智",
]
TRADES = ["科技", "电子", "机械", "贸易", "医疗器械", "软件", "新材料", "物流", "建设", "能源", "食品", "化工"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬斌宇浩凯健俊帆帅旭宁"
BATCH = 5_000


def chunks(rows: list, size: int = BATCH):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", choices=sorted(SCALES), default="S")
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    counts = SCALES[args.scale]

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from apps.core import bulk
    from apps.core.bulk import keep_dates
    from apps.customers.choices import DealStatus, FollowUpChannel, Lifecycle
    from apps.customers.models import Contact, Customer, FollowUp
    from apps.customers.selectors.dedupe import name_key
    from apps.customers.selectors.search import pinyin_initials
    from apps.marketing.choices import LeadSource, LeadStatus
    from apps.marketing.models import Lead
    from apps.org.choices import BuiltinRole, DepartmentKind
    from apps.org.models import Department, Employee, Role, User
    from apps.policy.choices import TicketPriority, TicketType
    from apps.policy.models import PolicyVersion
    from apps.sales.choices import ContractStatus, OpportunityStage
    from apps.sales.models import Contract, Opportunity, OpportunityStageChange
    from apps.service.choices import TicketChannel, TicketStatus
    from apps.service.models import Ticket

    started = time.monotonic()
    rng = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    if not User.objects.filter(username="ceo").exists():
        call_command("load_demo", verbosity=0)
    if Customer.objects.count() >= counts["customers"]:
        print(f"already generated ({Customer.objects.count()} customers)")
        return

    # Staff: the demo's plus extra sales people, so the tree has 50+ people and the lists spread over owners.
    sales_units = list(Department.objects.filter(kind=DepartmentKind.SALES, parent__kind=DepartmentKind.SALES))
    sales_units = sales_units or list(Department.objects.filter(kind=DepartmentKind.SALES))
    staff_role = Role.objects.get(code=BuiltinRole.STAFF)
    password = User.objects.get(username="sales1").password  # the demo password, hashed once
    for i in range(counts["extra_staff"]):
        username = f"bench{i + 1:02d}"
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create(
            username=username, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), password=password
        )
        employee = Employee.objects.create(
            user=user, department=sales_units[i % len(sales_units)], employee_no=f"B{i + 1:04d}"
        )
        employee.roles.add(staff_role)
    sellers = list(
        Employee.objects.filter(department__kind=DepartmentKind.SALES, is_active=True).values_list(
            "user_id", "department_id"
        )
    )
    service = list(
        Employee.objects.filter(department__kind=DepartmentKind.CUSTOMER_SERVICE, is_active=True).values_list(
            "user_id", "department_id"
        )
    )
    now = timezone.now()
    span = 3 * 365 * 86400

    def when() -> dt.datetime:
        return now - dt.timedelta(seconds=rng.randrange(span))

    def person() -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")

    print(f"{Employee.objects.count()} staff; generating scale {args.scale} …", flush=True)
    with (
        transaction.atomic(),
        keep_dates(Customer, Contact, FollowUp, Opportunity, Contract, Lead, Ticket, OpportunityStageChange),
    ):
        base = Customer.objects.count()
        customers = []
        for i in range(counts["customers"]):
            n = base + i
            name = f"{rng.choice(REGIONS)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(TRADES)}有限公司{n:06d}"
            owner = rng.choice(sellers) if rng.random() < 0.9 else (None, None)
            created = when()
            customers.append(
                Customer(
                    name=name,
                    name_key=name_key(name),
                    name_initials=pinyin_initials(name),
                    level=rng.choice("ABCD"),
                    province="广东省",
                    city="深圳市",
                    owner_id=owner[0],
                    owner_unit_id=owner[1],
                    owner_since=created if owner[0] else None,
                    pooled_at=None if owner[0] else created,
                    lifecycle=rng.choice(list(Lifecycle.values)),
                    deal_status=rng.choice(list(DealStatus.values)),
                    created_at=created,
                    updated_at=created + dt.timedelta(days=rng.randrange(0, 30)),
                    created_by_id=owner[0],
                    last_follow_up_at=created,
                )
            )
        for part in chunks(customers):
            bulk.create(Customer, part)
        customer_rows = list(
            Customer.objects.order_by("pk").values_list("pk", "owner_id", "owner_unit_id")[
                base : base + counts["customers"]
            ]
        )
        print(f"  customers {len(customer_rows)} ({time.monotonic() - started:.0f} s)", flush=True)

        mobile0 = 13_000_000_000 + base * 3
        contacts = [
            Contact(
                customer_id=customer_rows[i % len(customer_rows)][0],
                name=person(),
                mobile=str(mobile0 + i),
                is_primary=i < len(customer_rows),
                created_at=when(),
                updated_at=now,
            )
            for i in range(counts["contacts"])
        ]
        for part in chunks(contacts):
            bulk.create(Contact, part)
        print(f"  contacts {len(contacts)} ({time.monotonic() - started:.0f} s)", flush=True)

        follow_ups = []
        for _ in range(counts["follow_ups"]):
            pk, owner_id, _unit = rng.choice(customer_rows)
            at = when()
            follow_ups.append(
                FollowUp(
                    customer_id=pk,
                    channel=rng.choice(list(FollowUpChannel.values)),
                    content="电话沟通需求，约定下周拜访",
                    occurred_at=at,
                    author_id=owner_id or sellers[0][0],
                    created_at=at,
                    updated_at=at,
                )
            )
        for part in chunks(follow_ups):
            bulk.create(FollowUp, part)
        print(f"  follow-ups {len(follow_ups)} ({time.monotonic() - started:.0f} s)", flush=True)

        owned = [row for row in customer_rows if row[1]]
        stages = list(OpportunityStage.values)
        opportunities = []
        for i in range(counts["opportunities"]):
            pk, owner_id, unit_id = rng.choice(owned)
            created = when()
            stage = rng.choice(stages)
            opportunities.append(
                Opportunity(
                    name=f"项目{i:06d}",
                    customer_id=pk,
                    owner_id=owner_id,
                    owner_unit_id=unit_id,
                    created_by_id=owner_id,
                    amount=Decimal(rng.randrange(10, 5000) * 1000),
                    stage=stage,
                    stage_changed_at=created,
                    expected_close_date=(created + dt.timedelta(days=rng.randrange(30, 180))).date(),
                    closed_on=created.date() if stage in ("won", "lost", "invalid") else None,
                    created_at=created,
                    updated_at=created + dt.timedelta(days=rng.randrange(0, 60)),
                )
            )
        for part in chunks(opportunities):
            bulk.create(Opportunity, part)
        opp_rows = list(
            Opportunity.objects.order_by("-pk").values_list(
                "pk", "stage", "created_at", "customer_id", "owner_id", "owner_unit_id"
            )[: counts["opportunities"]]
        )
        order = ["initial", "needs", "proposal", "negotiation"]
        changes = []
        for pk, stage, created, *_ in opp_rows:
            path = order[: (order.index(stage) + 1 if stage in order else rng.randrange(1, 5))]
            if stage not in order:
                path.append(stage)
            previous = ""
            for step, target in enumerate(path):
                changes.append(
                    OpportunityStageChange(
                        opportunity_id=pk,
                        from_stage=previous,
                        to_stage=target,
                        changed_at=created + dt.timedelta(days=7 * step),
                        seconds_in_previous=7 * 86400 if previous else 0,
                    )
                )
                previous = target
        for part in chunks(changes):
            bulk.create(OpportunityStageChange, part)
        from apps.sales.services.opportunities import opportunity_stages_reached_sync

        opportunity_stages_reached_sync()  # the stages each history reached, for the funnel
        print(
            f"  opportunities {len(opp_rows)}, stage changes {len(changes)} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )

        version = PolicyVersion.objects.order_by("-effective_from").values_list("label", flat=True).first() or ""
        contracts = []
        for i in range(counts["contracts"]):
            opp = opp_rows[i % len(opp_rows)]
            signed = opp[2] + dt.timedelta(days=rng.randrange(0, 60))
            contracts.append(
                Contract(
                    number=f"BENCH-{args.scale}-{i:07d}",
                    title=f"采购合同{i:06d}",
                    customer_id=opp[3],
                    opportunity_id=opp[0],
                    owner_id=opp[4],
                    owner_unit_id=opp[5],
                    created_by_id=opp[4],
                    signed_on=signed.date(),
                    amount=Decimal(rng.randrange(10, 3000) * 1000),
                    status=rng.choice([ContractStatus.APPROVED] * 6 + [ContractStatus.PENDING, ContractStatus.DRAFT]),
                    policy_version=version,
                    created_at=signed,
                    updated_at=signed,
                )
            )
        for part in chunks(contracts):
            bulk.create(Contract, part)
        print(f"  contracts {len(contracts)} ({time.monotonic() - started:.0f} s)", flush=True)

        leads = []
        marketers = (
            list(
                Employee.objects.filter(department__kind=DepartmentKind.MARKET_DEVELOPMENT).values_list(
                    "user_id", "department_id"
                )
            )
            or sellers
        )
        for i in range(counts["leads"]):
            owner_id, unit_id = rng.choice(marketers)
            at = when()
            leads.append(
                Lead(
                    source=rng.choice(list(LeadSource.values)),
                    company_name=f"{rng.choice(REGIONS)}{rng.choice(WORDS)}{rng.choice(TRADES)}{i:06d}",
                    contact_name=person(),
                    mobile=str(15_000_000_000 + base + i),
                    status=rng.choice(list(LeadStatus.values)),
                    owner_id=owner_id,
                    owner_unit_id=unit_id,
                    created_by_id=owner_id,
                    created_at=at,
                    updated_at=at,
                )
            )
        for part in chunks(leads):
            bulk.create(Lead, part)
        print(f"  leads {len(leads)} ({time.monotonic() - started:.0f} s)", flush=True)

        version_id = PolicyVersion.objects.order_by("-effective_from").values_list("pk", flat=True).first()
        service_unit = Department.objects.filter(kind=DepartmentKind.CUSTOMER_SERVICE).order_by("pk").first()
        tickets = []
        for i in range(counts["tickets"]):
            pk = rng.choice(customer_rows)[0]
            at = when()
            assignee = rng.choice(service)[0] if service else None
            tickets.append(
                Ticket(
                    number=f"GD-BENCH-{args.scale}-{i:07d}",
                    title="设备运行异常",
                    ticket_type=rng.choice(list(TicketType.values)),
                    priority=rng.choice(list(TicketPriority.values)),
                    channel=rng.choice(list(TicketChannel.values)),
                    customer_id=pk,
                    description="客户反映设备运行异常，需要上门检查。",
                    status=rng.choice(list(TicketStatus.values)),
                    assignee_id=assignee,
                    department_id=service_unit.pk,
                    rules_version_id=version_id,
                    first_response_due=at + dt.timedelta(hours=4),
                    resolution_due=at + dt.timedelta(days=3),
                    public_token=secrets.token_urlsafe(32),
                    created_at=at,
                    updated_at=at,
                )
            )
        for part in chunks(tickets):
            bulk.create(Ticket, part)
        from apps.service.services.tickets import ticket_customer_keys_sync

        ticket_customer_keys_sync()  # the customers' owners copied onto the tickets (the visibility rule's keys)
        print(f"  tickets {len(tickets)} ({time.monotonic() - started:.0f} s)", flush=True)
    call_command(
        "shell",
        command="from django.db import connection; "
        "connection.vendor == 'postgresql' and connection.cursor().execute('VACUUM ANALYZE') or None",
        verbosity=0,
    )
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
