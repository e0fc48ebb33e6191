"""Demo tickets: two years (2025-01-01 to yesterday) of after-sales tickets and complaints for the demo customers,
handled by cs1..cs4 of 客户服务部, with deadlines from the rules in force (``add_working_hours``) met about nine
times in ten, escalations where they were missed, and an open backlog of about forty; today's few through the
ticket services. Idempotent: nothing is added when tickets exist. Fixed seed, so every load tells the same story.

Also gives the demo customers without one a service owner (cs1..cs4), and offers the helpers the other service
demo modules share (``DemoContext``, ``keep_dates``, ``working_moment``).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from apps.core import bulk
from apps.core.bulk import keep_dates
from apps.core.numbering import numbers_for_days
from apps.core.workdays import TZ, add_working_hours
from apps.customers.models import Contact, Customer
from apps.customers.services.bulk import customer_service_owners_fill
from apps.org.models import Department, User
from apps.policy.models import PolicyVersion
from apps.policy.selectors import NoPolicyInForce, rules_in_force
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, ContractLine, Product
from apps.service.choices import (
    ComplaintCategory,
    EscalationLevel,
    TicketChannel,
    TicketEventKind,
    TicketOrigin,
    TicketPriority,
    TicketStatus,
    TicketType,
)
from apps.service.demo.ticket_texts import (
    CATEGORY_WEIGHTS,
    CHANNEL_WEIGHTS,
    COMPLAINT_SUBJECTS,
    CORRECTIVE,
    DETAILS,
    ESCALATION_NOTES,
    GENERIC_PRODUCTS,
    OPENINGS,
    PRIORITY_WEIGHTS,
    REPLIES,
    RESOLUTIONS,
    ROOT_CAUSES,
    SUBJECTS,
    TYPE_WEIGHTS,
)
from apps.service.models import Ticket, TicketEvent

SEED = 20250101
START = dt.date(2025, 1, 1)
SERVICE_STAFF = ("cs1", "cs2", "cs3", "cs4")
HISTORY_COUNT = 1450  # tickets handled to the end, until eight days ago
LONG_RUNNING_COUNT = 5  # still open after two to four weeks
RECENT_COUNT = 50  # opened in the last eight days, many still open (plus today's, through the services)
St, Ty, Pr, Cat = TicketStatus, TicketType, TicketPriority, ComplaintCategory


def weighted(rng: random.Random, options: dict[Any, int]) -> Any:
    return rng.choices(list(options), weights=list(options.values()))[0]


def working_moment(rng: random.Random, day: dt.date, *, late: float = 0.1) -> dt.datetime:
    """A moment of ``day`` in Shanghai, mostly in working hours, sometimes in the evening."""
    if rng.random() < late:
        return dt.datetime.combine(day, dt.time(rng.randint(18, 21), rng.randint(0, 59)), TZ)
    hour = rng.choice((9, 9, 10, 10, 11, 13, 14, 14, 15, 15, 16, 17))
    return dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)), TZ)


@dataclass
class DemoContext:
    """What every service demo module needs, read once."""

    rng: random.Random
    now: dt.datetime
    users: dict[str, User]
    service: Department
    sales: Department | None
    marketing: Department | None
    customers: list[Customer]
    contacts: dict[int, Contact]
    contracts: dict[int, list[tuple[Contract, list[Product]]]] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return timezone.localdate(self.now, TZ)

    @property
    def staff(self) -> list[User]:
        return [self.users[u] for u in SERVICE_STAFF if u in self.users]


def demo_context(seed: int = SEED) -> DemoContext | None:
    """The demo company's service staff, departments and serviced customers (None before the org demo)."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=[*SERVICE_STAFF, "cs_mgr", "ceo", "sales_mgr", "mkt_mgr", "vp_ops"])
    }
    service = Department.objects.filter(code="service").first()
    if service is None or not all(u in users for u in SERVICE_STAFF):
        return None
    departments = {d.code: d for d in Department.objects.filter(code__in=("sales", "marketing"))}
    customers = list(
        Customer.objects.filter(owner__isnull=False, service_owner__isnull=False)
        .select_related("service_owner")
        .order_by("pk")
    )
    contacts: dict[int, Contact] = {}
    for contact in Contact.objects.filter(customer__in=[c.pk for c in customers]).order_by("-is_primary", "pk"):
        contacts.setdefault(contact.customer_id, contact)
    contracts: dict[int, list[tuple[Contract, list[Product]]]] = defaultdict(list)
    lines: dict[int, list[Product]] = defaultdict(list)
    for line in ContractLine.objects.select_related("product").order_by("pk"):
        lines[line.contract_id].append(line.product)
    for contract in Contract.objects.filter(status=ContractStatus.APPROVED).order_by("signed_on", "pk"):
        contracts[contract.customer_id].append((contract, lines.get(contract.pk, [])))
    return DemoContext(
        random.Random(seed),
        timezone.now(),
        users,
        service,
        departments.get("sales"),
        departments.get("marketing"),
        customers,
        contacts,
        dict(contracts),
    )


def assign_service_owners() -> int:
    """Give every owned demo customer without one a service owner among cs1..cs4 (stable: by the customer's id)."""
    staff = list(User.objects.filter(username__in=SERVICE_STAFF).order_by("username"))
    if not staff:
        return 0
    filled = customer_service_owners_fill(staff)
    from apps.service.services.tickets import ticket_customer_keys_sync

    ticket_customer_keys_sync(customer_ids=filled)  # tickets of an earlier run follow
    return len(filled)


class _Rules:
    """The rules in force per day, read once per policy version: a day's version is the one whose effective date
    is the latest on or before it (before the first version, the first version)."""

    def __init__(self) -> None:
        starts = PolicyVersion.objects.filter(effective_from__isnull=False).values_list("effective_from", flat=True)
        self.starts: list[dt.date] = sorted({day for day in starts if day is not None})
        self.by_start: dict[dt.date | None, Any] = {}

    def on(self, day: dt.date) -> Any:
        start = next((s for s in reversed(self.starts) if s <= day), None)
        if start not in self.by_start:
            try:
                self.by_start[start] = rules_in_force(day)
            except NoPolicyInForce:
                self.by_start[start] = rules_in_force()
        return self.by_start[start]


@dataclass
class _Plan:
    ticket: Ticket
    events: list[TicketEvent]


def _subject(rng: random.Random, ticket_type: str, category: str, product: Product | None) -> str:
    name = product.name if product else rng.choice(GENERIC_PRODUCTS)
    pool = COMPLAINT_SUBJECTS[category] if ticket_type == Ty.COMPLAINT else SUBJECTS[ticket_type]
    return rng.choice(pool).format(p=name)[:200]


def _new_ticket(ctx: DemoContext, rules: _Rules, created: dt.datetime) -> Ticket:
    """A ticket as it was opened at ``created`` (deadlines from the rules in force that day)."""
    rng = ctx.rng
    customer = rng.choice(ctx.customers)
    ticket_type = weighted(rng, TYPE_WEIGHTS)
    priority = weighted(rng, PRIORITY_WEIGHTS[ticket_type])
    category = weighted(rng, CATEGORY_WEIGHTS) if ticket_type == Ty.COMPLAINT else ""
    channel = weighted(rng, CHANNEL_WEIGHTS)
    contract, product = None, None
    signed = [(c, p) for c, p in ctx.contracts.get(customer.pk, []) if c.signed_on <= created.date()]
    if signed and ticket_type != Ty.SUGGESTION and rng.random() < 0.7:
        contract, products = rng.choice(signed)
        product = rng.choice(products) if products else None
    contact = ctx.contacts.get(customer.pk)
    assignee = customer.service_owner if rng.random() < 0.8 else rng.choice(ctx.staff)
    in_force = rules.on(created.date())
    deadline = in_force.rules.deadline(ticket_type, priority)
    public = channel == TicketChannel.WEB and rng.random() < 0.7
    opening = OPENINGS[channel].format(c=contact.name if contact else "")
    return Ticket(
        title=_subject(rng, ticket_type, category or Cat.OTHER, product),
        ticket_type=ticket_type,
        complaint_category=category,
        priority=priority,
        channel=channel,
        origin=TicketOrigin.PUBLIC_FORM if public else TicketOrigin.STAFF,
        customer=customer,
        contact=contact,
        requester_name=contact.name if public and contact else "",
        requester_mobile=(contact.mobile or "") if public and contact else "",
        requester_company=customer.name[:200] if public else "",
        contract=contract,
        product=product,
        description=opening + rng.choice(DETAILS[ticket_type]),
        status=St.ASSIGNED,
        assignee=assignee,
        department=ctx.service,
        created_by=None if public else rng.choice([assignee, assignee, ctx.users["cs_mgr"]]),
        rules_version_id=in_force.version_id,
        first_response_due=add_working_hours(created, deadline.first_response_hours),
        resolution_due=add_working_hours(created, deadline.resolution_hours),
        public_token=secrets.token_urlsafe(32),
        created_at=created,
        updated_at=created,
    )


def _event(
    ticket: Ticket,
    kind: str,
    at: dt.datetime,
    actor: User | None,
    body: str = "",
    frm: str = "",
    to: str = "",
    public: bool = False,
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket, kind=kind, at=at, actor=actor, body=body, from_status=frm, to_status=to, is_public=public
    )


def _opened_events(ctx: DemoContext, t: Ticket) -> list[TicketEvent]:
    manager = ctx.users["cs_mgr"]
    assigned_at = t.created_at + dt.timedelta(minutes=ctx.rng.randint(1, 5))
    return [
        _event(t, TicketEventKind.CREATED, t.created_at, t.created_by, to=St.NEW, public=True),
        _event(t, TicketEventKind.ASSIGNED, assigned_at, manager, str(t.assignee), St.NEW, St.ASSIGNED, True),
    ]


def _respond(ctx: DemoContext, t: Ticket, deadline_hours: float, on_time: bool) -> list[TicketEvent]:
    rng = ctx.rng
    if on_time:
        t.first_responded_at = add_working_hours(t.created_at, deadline_hours * rng.uniform(0.1, 0.85))
    else:
        t.first_responded_at = add_working_hours(t.first_response_due, rng.uniform(0.3, 6))
    t.first_responded_at = min(t.first_responded_at, ctx.now - dt.timedelta(minutes=30))
    at = t.first_responded_at
    return [
        _event(t, TicketEventKind.STATUS, at, t.assignee, frm=St.ASSIGNED, to=St.IN_PROGRESS, public=True),
        _event(t, TicketEventKind.REPLY, at + dt.timedelta(minutes=1), t.assignee, rng.choice(REPLIES), public=True),
    ]


def _escalate(ctx: DemoContext, t: Ticket, missed_at: dt.datetime, overshoot_hours: float) -> list[TicketEvent]:
    t.escalation_level = EscalationLevel.DEPARTMENT_MANAGER
    t.escalated_at = missed_at + dt.timedelta(minutes=5)
    t.warned_at = missed_at - dt.timedelta(hours=1)
    events = [_event(t, TicketEventKind.ESCALATED, t.escalated_at, None, ESCALATION_NOTES[0])]
    if t.ticket_type == Ty.COMPLAINT and overshoot_hours > 8:
        t.escalation_level = EscalationLevel.SENIOR_MANAGEMENT
        senior_at = add_working_hours(missed_at, 8)
        t.escalated_at = senior_at
        events.append(_event(t, TicketEventKind.ESCALATED, senior_at, None, ESCALATION_NOTES[1]))
    return events


def _closed_plan(ctx: DemoContext, rules: _Rules, created: dt.datetime) -> _Plan:
    """A ticket handled to the end: first response and resolution within their deadlines about nine times in ten,
    sometimes a wait on the customer (the deadline moves back by the hours paused), closed a few days later."""
    rng = ctx.rng
    t = _new_ticket(ctx, rules, created)
    deadline = rules.on(created.date()).rules.deadline(t.ticket_type, t.priority)
    events = _opened_events(ctx, t)
    events += _respond(ctx, t, deadline.first_response_hours, rng.random() < 0.92)
    responded = t.first_responded_at
    assert responded is not None  # _respond sets it
    if rng.random() < 0.18 and t.ticket_type in (Ty.REPAIR, Ty.COMPLAINT):
        paused = Decimal(rng.choice(("2.00", "4.00", "6.50", "8.00", "12.00", "16.00")))
        t.paused_hours = paused
        t.resolution_due = add_working_hours(t.resolution_due, float(paused))
        wait_at = responded + dt.timedelta(hours=1)
        back_at = add_working_hours(wait_at, float(paused))
        events += [
            _event(
                t,
                TicketEventKind.STATUS,
                wait_at,
                t.assignee,
                "请客户提供现场照片和日志。",
                St.IN_PROGRESS,
                St.WAITING_CUSTOMER,
                True,
            ),
            _event(t, TicketEventKind.CUSTOMER, back_at, None, "已提供相关资料。", public=True),
            _event(t, TicketEventKind.STATUS, back_at, t.assignee, "", St.WAITING_CUSTOMER, St.IN_PROGRESS, True),
        ]
    window = deadline.resolution_hours + float(t.paused_hours)
    if rng.random() < 0.89:
        resolved = add_working_hours(t.created_at, window * rng.uniform(0.2, 0.95))
    else:
        overshoot = rng.choice((1.0, 3.0, 6.0, 10.0, 20.0))
        resolved = add_working_hours(t.resolution_due, overshoot)
        events += _escalate(ctx, t, t.resolution_due, overshoot)
    if responded > t.first_response_due and not t.escalation_level:
        events += _escalate(ctx, t, t.first_response_due, 0)
    resolved_at = max(resolved, responded + dt.timedelta(minutes=20))
    t.resolved_at = resolved_at
    t.resolution = rng.choice(RESOLUTIONS[t.ticket_type])
    if t.ticket_type == Ty.COMPLAINT:
        t.root_cause, t.corrective_action = ROOT_CAUSES[t.complaint_category], CORRECTIVE[t.complaint_category]
        if rng.random() < 0.25:
            t.compensation_amount = Decimal(rng.choice((500, 800, 1000, 2000, 3000, 5000)))
            t.compensation_note = rng.choice(("延长保修期三个月", "赠送一次上门巡检", "减免当期维保费用"))
    events.append(
        _event(t, TicketEventKind.STATUS, resolved_at, t.assignee, t.resolution, St.IN_PROGRESS, St.RESOLVED, True)
    )
    closed = resolved_at + dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
    if closed < ctx.now - dt.timedelta(hours=2):
        t.status, t.closed_at = St.CLOSED, closed
        events.append(_event(t, TicketEventKind.STATUS, closed, None, "客户确认已解决。", St.RESOLVED, St.CLOSED, True))
    else:
        t.status = St.RESOLVED
    t.updated_at = t.closed_at or resolved_at
    return _Plan(t, events)


def _open_plan(ctx: DemoContext, rules: _Rules, created: dt.datetime) -> _Plan:
    """A ticket still open now: the older ones past a deadline are escalated."""
    rng = ctx.rng
    t = _new_ticket(ctx, rules, created)
    deadline = rules.on(created.date()).rules.deadline(t.ticket_type, t.priority)
    events = _opened_events(ctx, t)
    if t.first_response_due > ctx.now and rng.random() < 0.3:
        t.status = St.ASSIGNED  # not answered yet, within its deadline
    else:
        events += _respond(ctx, t, deadline.first_response_hours, rng.random() < 0.85)
        responded = t.first_responded_at
        assert responded is not None  # _respond sets it
        t.status = St.IN_PROGRESS
        if rng.random() < 0.2:
            t.status = St.WAITING_CUSTOMER
            waiting_since = max(responded + dt.timedelta(hours=1), ctx.now - dt.timedelta(days=2))
            t.waiting_since = waiting_since
            events.append(
                _event(
                    t,
                    TicketEventKind.STATUS,
                    waiting_since,
                    t.assignee,
                    "请客户确认处理效果。",
                    St.IN_PROGRESS,
                    St.WAITING_CUSTOMER,
                    True,
                )
            )
    if t.first_responded_at is None and t.first_response_due < ctx.now:
        events += _escalate(ctx, t, t.first_response_due, 0)
    elif t.resolution_due < ctx.now and t.status != St.WAITING_CUSTOMER:
        overshoot = (ctx.now - t.resolution_due).total_seconds() / 3600 / 3  # working hours, roughly
        events += _escalate(ctx, t, t.resolution_due, overshoot)
    elif t.first_responded_at and t.first_responded_at > t.first_response_due:
        events += _escalate(ctx, t, t.first_response_due, 0)
    t.updated_at = max(e.at for e in events)
    return _Plan(t, events)


def _days(rng: random.Random, start: dt.date, end: dt.date, count: int) -> list[dt.date]:
    """``count`` days between start and end, busier as the customer base grows and on working days."""
    span = (end - start).days
    days: list[dt.date] = []
    while len(days) < count:
        offset = int(span * rng.random() ** 0.85)  # more tickets in later months
        day = start + dt.timedelta(days=offset)
        if day.weekday() >= 5 and rng.random() < 0.75:
            continue
        days.append(day)
    return sorted(days)


def _numbers(plans: list[_Plan]) -> None:
    """Numbers as ``next_number("ticket")`` gives them, by day of opening (the sequence rows advanced to match)."""
    ordered = sorted(plans, key=lambda p: p.ticket.created_at)
    days = [timezone.localdate(plan.ticket.created_at, TZ) for plan in ordered]
    for plan, number in zip(ordered, numbers_for_days("ticket", days), strict=True):
        plan.ticket.number = number


def _bulk(ctx: DemoContext, plans: list[_Plan]) -> list[Ticket]:
    _numbers(plans)
    with keep_dates(Ticket):
        tickets = bulk.create_with_history(
            Ticket, [p.ticket for p in plans], actor=ctx.users["cs_mgr"], reason="演示数据"
        )
    if tickets and tickets[0].pk is None:  # SQLite before 3.35 returns no ids
        by_number = dict(Ticket.objects.values_list("number", "pk"))
        for t in tickets:
            t.pk = t.id = by_number[t.number]
    for plan, ticket in zip(plans, tickets, strict=True):
        for event in plan.events:
            event.ticket = ticket
    TicketEvent.objects.bulk_create([e for p in plans for e in p.events], batch_size=2000)
    from apps.service.services.tickets import ticket_customer_keys_sync

    ticket_customer_keys_sync(customer_ids={t.customer_id for t in tickets if t.customer_id})  # bulk: no service ran
    return tickets


def _today_through_services(ctx: DemoContext) -> list[Ticket]:
    """Today's few tickets, opened and worked through the ticket services (numbers, events, notifications)."""
    from apps.service.services import tickets as services

    rng = ctx.rng
    made = []
    specs = [
        ("cs1", Ty.REPAIR, Pr.URGENT, "", "服务器宕机，业务系统全部无法访问", "start"),
        ("cs2", Ty.CONSULTATION, Pr.MEDIUM, "", "咨询 BI 数据分析平台的授权扩容", "reply"),
        ("cs3", Ty.COMPLAINT, Pr.HIGH, Cat.DELIVERY, "存储阵列到货延期且未提前告知", "start"),
        ("cs4", Ty.REPAIR, Pr.HIGH, "", "销售管理系统审批流程卡住", ""),
        ("cs1", Ty.SUGGESTION, Pr.LOW, "", "建议增加季度巡检报告模板", ""),
    ]
    for username, ticket_type, priority, category, title, action in specs:
        actor = ctx.users[username]
        owned = [c for c in ctx.customers if c.service_owner_id == actor.pk] or ctx.customers
        customer = rng.choice(owned)
        ticket = services.ticket_create(
            actor=actor,
            data={
                "title": title,
                "ticket_type": ticket_type,
                "priority": priority,
                "complaint_category": category,
                "channel": TicketChannel.PHONE,
                "customer": customer,
                "contact": ctx.contacts.get(customer.pk),
                "description": f"客户来电：{title}。{rng.choice(DETAILS[ticket_type])}",
                "assignee": actor,
            },
        )
        if action == "start":
            ticket = services.ticket_start(actor=actor, ticket=ticket)
        elif action == "reply":
            services.ticket_reply(actor=actor, ticket=ticket, body=rng.choice(REPLIES))
        made.append(ticket)
    customer = rng.choice(ctx.customers)
    contact = ctx.contacts.get(customer.pk)
    made.append(
        services.ticket_create(
            actor=None,
            origin=TicketOrigin.PUBLIC_FORM,
            data={
                "title": "网口间歇性掉线，影响门店收银",
                "ticket_type": Ty.REPAIR,
                "priority": Pr.HIGH,
                "channel": TicketChannel.WEB,
                "customer": customer,
                "contact": contact,
                "requester_name": contact.name if contact else "王先生",
                "requester_company": customer.name[:200],
                "requester_mobile": (contact.mobile or "") if contact else "",
                "description": "今天上午开始门店网络时断时续，重启交换机后仍未恢复，请尽快安排工程师。",
            },
        )
    )
    return made


def load(stdout: Any) -> DemoContext | None:
    owners = assign_service_owners()
    if owners:
        stdout.write(f"  service owners: {owners} customers given one (cs1–cs4)")
    if Ticket.objects.exists():
        stdout.write("  tickets: already there")
        return None
    ctx = demo_context()
    if ctx is None or not ctx.customers:
        stdout.write("  tickets: no demo organisation or customers, skipped")
        return None
    rules = _Rules()
    rng = ctx.rng
    yesterday = ctx.today - dt.timedelta(days=1)
    backlog_from = ctx.today - dt.timedelta(days=8)
    plans = []
    for day in _days(rng, START, backlog_from, HISTORY_COUNT):
        created = working_moment(rng, day)
        plan = _closed_plan(ctx, rules, created)
        resolved_at = plan.ticket.resolved_at
        assert resolved_at is not None  # a closed plan is resolved
        # A long deadline (a low-priority suggestion: 15 working days) may not have run out by now: still open.
        plans.append(plan if resolved_at < ctx.now - dt.timedelta(hours=1) else _open_plan(ctx, rules, created))
    # A few long-running ones opened two to four weeks ago are still open, past their deadlines and escalated.
    plans += [
        _open_plan(ctx, rules, working_moment(rng, day))
        for day in _days(rng, ctx.today - dt.timedelta(days=30), ctx.today - dt.timedelta(days=14), LONG_RUNNING_COUNT)
    ]
    # Of the last days' tickets most of those still within their deadline are open, a few past it too.
    for day in _days(rng, backlog_from, yesterday, RECENT_COUNT):
        created = working_moment(rng, day, late=0.05)
        plan = _open_plan(ctx, rules, created)
        if rng.random() > (0.95 if plan.ticket.resolution_due > ctx.now else 0.2):
            closed = _closed_plan(ctx, rules, created)
            resolved_at = closed.ticket.resolved_at
            assert resolved_at is not None  # a closed plan is resolved
            if resolved_at < ctx.now - dt.timedelta(hours=1):
                plan = closed
        plans.append(plan)
    tickets = _bulk(ctx, plans)
    today = _today_through_services(ctx)
    open_count = sum(t.status not in (St.RESOLVED, St.CLOSED) for t in tickets) + len(today)
    stdout.write(
        f"  tickets: {len(tickets) + len(today)} ({sum(t.ticket_type == Ty.COMPLAINT for t in tickets)} "
        f"complaints, {open_count} open), {sum(len(p.events) for p in plans)} events"
    )
    return ctx
