"""Computing an assessment cycle for a company of 500 people (issue: performance assessment, ≤ 10 s the goal).

    .venv/bin/python bench/assessment_cycle.py                    # SQLite file var/bench_assessment.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/assessment_cycle.py
    .venv/bin/python bench/assessment_cycle.py --people 500 --fresh

It builds (once; ``--fresh`` rebuilds) a deterministic company: market development, sales (teams) and customer
service departments with ``--people`` employees in all, an approved base sales target for every salesperson, and a
quarter of records for them — contracts and payments, sales plan actions done on time or late, leads handed over
and visits, tickets with deadlines met or missed, improvement actions — then opens a cycle for that quarter and
times ``cycle_compute`` (every scorecard with its KPI lines and the records behind them). Prints a table and writes
bench/results/assessment_cycle.json.
The database's planner statistics are refreshed first (``ANALYZE``), as autovacuum keeps them on a live database.

Measured 2026-12-07 on this machine (2 cores, load average 15–18 from other work), 500 people, 528 scorecards:
per-person metric queries (before) 48.4 s SQLite / 58.8 s PostgreSQL, 7,214 queries; metrics read once per
period and scorecards written in bulk (after) 5.5 s SQLite / 5.3 s PostgreSQL, 149 / 108 queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _setup(fresh: bool) -> str:
    if not os.environ.get("DATABASE_URL"):
        path = ROOT / "var" / "bench_assessment.sqlite3"
        path.parent.mkdir(exist_ok=True)
        if fresh and path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"].split(":", 1)[0]


def _build(people: int, quarter: tuple[dt.date, dt.date]) -> None:
    """A company of ``people`` (40 % sales in teams of 8, 30 % service, 30 % market development) with a quarter of
    records, created in bulk (set-up only; the figures are what the cycle computes)."""
    from apps.customers.models import Customer
    from apps.improvements.models import ImprovementAction
    from apps.marketing.models import Lead, Visit
    from apps.org.choices import BuiltinRole, DepartmentKind
    from apps.org.models import Department, Employee, Role, User
    from apps.policy.selectors import POLICY_TIME_ZONE, rules_in_force
    from apps.sales.choices import ContractStatus, TargetMetric, TargetStatus, TargetTier
    from apps.sales.models import MONTH_FIELDS, Contract, Payment, SalesPlan, SalesPlanAction, TargetNode, TargetSet
    from apps.service.models import Ticket

    rng = random.Random(500)
    start, end = quarter
    company = Department.objects.create(name="基准测试公司", code="bench", kind=DepartmentKind.COMPANY)
    company.path = f"/{company.pk}/"
    company.save()

    def department(name: str, code: str, kind: str, parent: Department) -> Department:
        d = Department.objects.create(name=name, code=code, kind=kind, parent=parent)
        d.path = f"{parent.path}{d.pk}/"
        d.save(update_fields=["path"])
        return d

    staff = Role.objects.get(code=BuiltinRole.STAFF)
    n_sales, n_service = people * 4 // 10, people * 3 // 10
    sales_root = department("销售部", "b-sales", DepartmentKind.SALES, company)
    teams = [
        department(f"销售{i + 1}组", f"b-sales-{i}", DepartmentKind.SALES, sales_root)
        for i in range(max(1, n_sales // 8))
    ]
    service = department("客户服务部", "b-service", DepartmentKind.CUSTOMER_SERVICE, company)
    market = department("市场营销部", "b-market", DepartmentKind.MARKET_DEVELOPMENT, company)
    placed: list[tuple[User, Department]] = []
    users = User.objects.bulk_create(User(username=f"b{i:04d}", name=f"员工{i:04d}") for i in range(people))
    for i, user in enumerate(users):
        if i < n_sales:
            unit = teams[i % len(teams)]
        elif i < n_sales + n_service:
            unit = service
        else:
            unit = market
        placed.append((user, unit))
    Employee.objects.bulk_create(Employee(user=u, department=d, employee_no=f"B{u.pk:05d}") for u, d in placed)
    Employee.roles.through.objects.bulk_create(
        Employee.roles.through(employee_id=e.pk, role_id=staff.pk)
        for e in Employee.objects.filter(user__username__startswith="b")
    )
    customers = Customer.objects.bulk_create(Customer(name=f"基准客户{i:05d}有限公司") for i in range(people * 2))

    sets = {
        m: TargetSet.objects.create(
            fiscal_year=start.year, metric=m, tier=TargetTier.BASE, status=TargetStatus.APPROVED
        )
        for m in (TargetMetric.CONTRACT_AMOUNT, TargetMetric.PAYMENTS)
    }
    nodes = []
    for target_set in sets.values():
        for user, unit in placed[:n_sales]:
            nodes.append(
                TargetNode(
                    target_set=target_set, department=unit, person=user, **dict.fromkeys(MONTH_FIELDS, Decimal("50000"))
                )
            )
        for unit in [sales_root, *teams]:
            nodes.append(
                TargetNode(target_set=target_set, department=unit, **dict.fromkeys(MONTH_FIELDS, Decimal("400000")))
            )
    TargetNode.objects.bulk_create(nodes)

    def day() -> dt.date:
        return start + dt.timedelta(days=rng.randrange((end - start).days + 1))

    def moment(d: dt.date, hour: int = 10) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(hour), tzinfo=POLICY_TIME_ZONE)

    contracts = []
    for n, (user, unit) in enumerate(placed[:n_sales]):
        for k in range(6):
            contracts.append(
                Contract(
                    number=f"BHT{n:04d}{k}",
                    title="基准合同",
                    customer=customers[(n * 6 + k) % len(customers)],
                    signed_on=day(),
                    amount=Decimal(rng.randrange(10000, 60000)),
                    status=ContractStatus.APPROVED,
                    owner=user,
                    owner_unit=unit,
                    created_by=user,
                )
            )
    contracts = Contract.objects.bulk_create(contracts)
    Payment.objects.bulk_create(
        Payment(
            contract=c,
            number=f"BHK{c.pk}",
            received_on=max(c.signed_on, day()),
            amount=c.amount / 2,
            recorded_by=c.owner,
        )
        for c in contracts
    )
    in_force = rules_in_force()
    tickets = []
    for n, (user, unit) in enumerate(placed[n_sales : n_sales + n_service]):
        for k in range(12):
            d = day()
            tickets.append(
                Ticket(
                    number=f"BGD{n:04d}{k:02d}",
                    title="基准工单",
                    ticket_type=rng.choice(["consultation", "repair", "complaint"]),
                    priority="medium",
                    status="resolved",
                    assignee=user,
                    department=unit,
                    customer=customers[(n * 12 + k) % len(customers)],
                    rules_version_id=in_force.version_id,
                    first_response_due=moment(d, 12),
                    first_responded_at=moment(d, rng.choice([10, 11, 13])),
                    resolution_due=moment(d, 17),
                    resolved_at=moment(d, rng.choice([15, 16, 18])),
                    public_token=f"bench-{n}-{k}",
                )
            )
    Ticket.objects.bulk_create(tickets)
    from apps.service.services.tickets import ticket_customer_keys_sync

    ticket_customer_keys_sync()  # the customers' owners copied onto the tickets (the visibility rule's keys)
    leads, visits = [], []
    for n, (user, unit) in enumerate(placed[n_sales + n_service :]):
        for k in range(10):
            leads.append(
                Lead(
                    company_name=f"线索{n}-{k}",
                    contact_name="联系人",
                    owner=user,
                    owner_unit=unit,
                    status="handed_over",
                    handed_at=moment(day()),
                )
            )
            visits.append(
                Visit(
                    customer=customers[(n + k) % len(customers)],
                    visited_on=day(),
                    purpose="拜访",
                    owner=user,
                    owner_unit=unit,
                )
            )
    Lead.objects.bulk_create(leads)
    Visit.objects.bulk_create(visits)
    plans = SalesPlan.objects.bulk_create(
        SalesPlan(
            title=f"{team.name}季度计划",
            period_start=start,
            period_end=end,
            strategy="基准",
            status="executing",
            owner=placed[n][0],
            owner_unit=team,
            created_by=placed[n][0],
        )
        for n, team in enumerate(teams)
    )
    plan_of = {plan.owner_unit_id: plan for plan in plans}
    actions = []
    for user, unit in placed[:n_sales]:
        for k in range(3):
            due = day()
            done = rng.random() < 0.85
            actions.append(
                SalesPlanAction(
                    plan=plan_of[unit.pk],
                    title=f"行动{k}",
                    responsible=user,
                    start_date=start,
                    due_date=due,
                    status="done" if done else "doing",
                    progress=100 if done else 50,
                    done_at=moment(due + dt.timedelta(days=rng.randint(-5, 3))) if done else None,
                )
            )
    SalesPlanAction.objects.bulk_create(actions)
    ImprovementAction.objects.bulk_create(
        ImprovementAction(
            title=f"改进{n}", due_date=day(), owner=u, owner_unit=d, status="done", completed_at=moment(start)
        )
        for n, (u, d) in enumerate(placed[::5])
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark database")
    args = parser.parse_args()
    engine = _setup(args.fresh)

    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from apps.org.models import User
    from apps.performance import services
    from apps.performance.models import Assessment, AssessmentCycle

    quarter = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    if not User.objects.filter(username="b0000").exists():
        began = time.perf_counter()
        _build(args.people, quarter)
        print(f"built a company of {args.people} in {time.perf_counter() - began:.1f} s")
    actor = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("bench-admin")
    with connection.cursor() as cursor:  # planner statistics, as autovacuum keeps them on a live database (without
        cursor.execute("ANALYZE")  # them PostgreSQL plans the first-contract anti-join of bulk-built rows as O(n²))
    AssessmentCycle.objects.filter(period_key="2026-Q3").delete()
    cycle = services.cycle_create(actor=actor, period_key="2026-Q3")
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        began = time.perf_counter()
        services.cycle_compute(actor=actor, cycle=cycle)
        seconds = time.perf_counter() - began
    cards = Assessment.objects.filter(cycle=cycle).count()
    people = Assessment.objects.filter(cycle=cycle, subject_kind="person").count()
    load = os.getloadavg()[0]
    result = {
        "engine": engine,
        "load_average": round(load, 2),
        "people": people,
        "scorecards": cards,
        "seconds": round(seconds, 2),
        "queries": len(queries.captured_queries),
        "goal_seconds": 10,
    }
    print(
        f"\n| database | people | scorecards | compute (s) | queries | goal | load average |\n"
        f"|---|---|---|---|---|---|---|\n"
        f"| {engine} | {people} | {cards} | {seconds:.2f} | {len(queries.captured_queries)} | ≤ 10 s | {load:.1f} |"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / f"assessment_cycle_{engine}.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
