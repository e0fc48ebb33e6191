"""Demo customer feedback (art. 6 "向相关部门提供客户反馈"): about 300 records over two years from tickets, visits,
follow-ups, surveys and by hand, routed to 销售部 and/or 市场营销部, acknowledged by their managers within the
working hours of the rules and replied to; the last few still awaiting acknowledgement (some overdue), and
today's through the feedback services. Idempotent: nothing is added when feedback exists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.core.workdays import add_working_hours
from apps.service.choices import FeedbackCategory, FeedbackSource, RoutingStatus
from apps.service.demo.tickets import DemoContext, keep_dates, weighted, working_moment
from apps.service.models import Feedback, FeedbackRouting, Ticket

COUNT = 300
FC = FeedbackCategory
CATEGORY_WEIGHTS = {
    FC.PRODUCT: 34,
    FC.PRICE: 14,
    FC.DELIVERY: 14,
    FC.SERVICE: 10,
    FC.SALES: 12,
    FC.MARKETING: 9,
    FC.OTHER: 7,
}
SOURCE_WEIGHTS = {
    FeedbackSource.TICKET: 40,
    FeedbackSource.RELATIONSHIP: 20,
    FeedbackSource.SURVEY: 15,
    FeedbackSource.MANUAL: 25,
}
# Which departments hear about what (sales: 销售部; marketing: 市场营销部).
ROUTES: dict[str, tuple[str, ...]] = {
    FC.PRODUCT: ("sales", "marketing"),
    FC.PRICE: ("sales",),
    FC.DELIVERY: ("sales",),
    FC.SERVICE: ("sales",),
    FC.SALES: ("sales",),
    FC.MARKETING: ("marketing",),
    FC.OTHER: ("marketing",),
}
CONTENTS = {
    FC.PRODUCT: [
        "客户希望销售管理系统增加移动端审批功能。",
        "客户反映 ERP 报表导出格式不便于二次加工，希望支持自定义模板。",
        "客户建议 BI 平台提供行业分析模板。",
        "客户关注服务器能耗，希望推出节能型号。",
        "客户希望防火墙管理界面提供中文帮助文档。",
    ],
    FC.PRICE: [
        "客户认为年度维护费用偏高，希望提供多年期优惠。",
        "客户反映增购模块报价高于预期。",
        "客户希望老客户升级享受折扣。",
    ],
    FC.DELIVERY: [
        "客户希望硬件到货前提前三天通知。",
        "客户反映实施排期不够透明，希望每周同步进度。",
        "客户希望备件库存覆盖到地级市。",
    ],
    FC.SERVICE: ["客户表扬工程师响应及时，建议保持驻场支持。", "客户希望节假日也能提供远程支持。"],
    FC.SALES: [
        "客户反映销售代表更换频繁，希望固定对接人。",
        "客户希望合同条款说明更清楚。",
        "客户希望报价单列明各项服务内容。",
    ],
    FC.MARKETING: [
        "客户希望多举办行业交流沙龙。",
        "客户对新产品发布会很感兴趣，希望收到邀请。",
        "客户建议官网增加成功案例介绍。",
    ],
    FC.OTHER: ["客户希望开票流程更快。", "客户建议优化服务热线的语音导航。"],
}
REPLIES = [
    "已收到，已纳入下季度产品规划评估，会在评审后告知客户。",
    "已与客户沟通，下周安排专人上门说明。",
    "已调整相关流程，并在部门例会上通报。",
    "已转交相关负责人，月底前给出方案。",
    "感谢反馈，已安排在下一次客户活动中邀请该客户。",
]


def _routing(ctx: DemoContext, feedback: Feedback, department: Any, manager: Any, stage: str) -> FeedbackRouting:
    """A routing acknowledged and replied to (``stage`` "replied"), acknowledged only, or still pending."""
    rng = ctx.rng
    created = feedback.created_at
    due = add_working_hours(created, 8)
    routing = FeedbackRouting(
        feedback=feedback,
        department=department,
        acknowledge_due=due,
        status=RoutingStatus.PENDING,
        created_at=created,
        updated_at=created,
    )
    if stage == "pending":
        if due < ctx.now:
            routing.escalated_at = due + dt.timedelta(minutes=5)
        return routing
    late = rng.random() < 0.08
    routing.acknowledged_at = (
        add_working_hours(due, rng.uniform(1, 6)) if late else add_working_hours(created, rng.uniform(0.3, 7.5))
    )
    if late:
        routing.escalated_at = due + dt.timedelta(minutes=5)
    routing.acknowledged_at = min(routing.acknowledged_at, ctx.now - dt.timedelta(minutes=10))
    routing.acknowledged_by = manager
    routing.status = RoutingStatus.ACKNOWLEDGED
    if stage == "replied":
        replied = add_working_hours(routing.acknowledged_at, rng.uniform(4, 40))
        if replied < ctx.now:
            routing.status, routing.replied_at, routing.replied_by = RoutingStatus.REPLIED, replied, manager
            routing.reply = rng.choice(REPLIES)
    routing.updated_at = routing.replied_at or routing.acknowledged_at
    return routing


def _historic(ctx: DemoContext) -> tuple[list[Feedback], list[tuple[Feedback, str]]]:
    rng = ctx.rng
    tickets = list(Ticket.objects.filter(customer__isnull=False).values_list("pk", "customer_id", "created_at"))
    staff = ctx.staff
    span = (ctx.today - dt.date(2025, 1, 1)).days
    made: list[Feedback] = []
    for i in range(COUNT):
        source = weighted(rng, SOURCE_WEIGHTS)
        category = weighted(rng, CATEGORY_WEIGHTS)
        ticket_id = None
        if source == FeedbackSource.TICKET and tickets:
            ticket_id, customer_id, at = rng.choice(tickets)
            created = at + dt.timedelta(hours=rng.randint(2, 48))
            customer = next((c for c in ctx.customers if c.pk == customer_id), None)
        else:
            day = dt.date(2025, 1, 1) + dt.timedelta(days=int(span * (i / COUNT) ** 0.9))
            created = working_moment(rng, day)
            customer = None
        if customer is None:
            customer = rng.choice(ctx.customers)
        if created > ctx.now - dt.timedelta(hours=3):
            created = ctx.now - dt.timedelta(hours=rng.randint(3, 30))
        author = customer.service_owner if customer.service_owner in staff else rng.choice(staff)
        made.append(
            Feedback(
                customer=customer,
                source_kind=source,
                ticket_id=ticket_id,
                category=category,
                content=rng.choice(CONTENTS[category]),
                created_by=author,
                owner_unit=ctx.service,
                created_at=created,
                updated_at=created,
            )
        )
    made.sort(key=lambda f: f.created_at)
    # The last dozen wait on the departments (some past their deadline); a few older ones were only acknowledged.
    stages = []
    for i, feedback in enumerate(made):
        recent = i >= len(made) - 12
        stage = (
            ("pending" if rng.random() < 0.6 else "acknowledged")
            if recent
            else ("acknowledged" if rng.random() < 0.05 else "replied")
        )
        stages.append((feedback, stage))
    return made, stages


def _through_services(ctx: DemoContext) -> int:
    """Today's feedback recorded through the service; the sales manager acknowledges and replies to one."""
    from apps.service.services import feedback as services

    departments = [d for d in (ctx.sales, ctx.marketing) if d is not None]
    if not departments:
        return 0
    made = 0
    for username, category, text, targets in (
        ("cs1", FC.PRODUCT, "客户希望 BI 平台支持手机端查看日报。", departments),
        ("cs2", FC.PRICE, "客户询问三年期维保是否有优惠，希望销售尽快报价。", departments[:1]),
    ):
        actor = ctx.users[username]
        customer = next((c for c in ctx.customers if c.service_owner_id == actor.pk), ctx.customers[0])
        feedback = services.feedback_record(
            actor=actor,
            customer=customer,
            category=category,
            content=text,
            departments=targets,
            source_kind=FeedbackSource.RELATIONSHIP,
        )
        made += 1
        manager = ctx.users.get("sales_mgr")
        routing = feedback.routings.filter(department=ctx.sales).first() if ctx.sales else None
        if username == "cs1" and routing is not None and manager is not None:
            routing = services.routing_acknowledge(actor=manager, routing=routing)
            services.routing_reply(actor=manager, routing=routing, reply="已安排产品经理评估，两周内答复客户。")
    return made


def load(stdout: Any, ctx: DemoContext) -> None:
    if Feedback.objects.exists():
        stdout.write("  feedback: already there")
        return
    departments = {"sales": ctx.sales, "marketing": ctx.marketing}
    managers = {"sales": ctx.users.get("sales_mgr"), "marketing": ctx.users.get("mkt_mgr")}
    feedback, stages = _historic(ctx)
    with keep_dates(Feedback, FeedbackRouting):
        Feedback.objects.bulk_create(feedback, batch_size=500)
        if feedback and feedback[0].pk is None:
            feedback = list(Feedback.objects.order_by("created_at", "pk"))
            stages = list(zip(feedback, [s for _, s in stages], strict=True))
        routings = [
            _routing(ctx, f, departments[code], managers[code], stage)
            for f, stage in stages
            for code in ROUTES[f.category]
            if departments[code] is not None
        ]
        FeedbackRouting.objects.bulk_create(routings, batch_size=1000)
    today = _through_services(ctx)
    pending = sum(r.status == RoutingStatus.PENDING for r in routings)
    stdout.write(
        f"  feedback: {len(feedback) + today} records, {len(routings)} routings ({pending} awaiting acknowledgement)"
    )
