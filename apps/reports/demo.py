"""The demo company's reports to senior management: a year of monthly reports and four quarterly reports of the
three reporting departments (market development, sales, customer service), built from the demo records; most
reviewed by the CEO, one returned for rework, one overdue, the last month's still drafts; an improvement action
raised from a report; a monthly cockpit subscription for the leadership group.

Fast bulk path: the figures are built once per report (one calendar read for all due dates) and the reports are
inserted in one ``bulk_create``; the workflow's notifications are not replayed. Idempotent: nothing is added once
the demo has reports."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from apps.core.workdays import calendar_preloaded
from apps.org.models import User
from apps.reports import services
from apps.reports.choices import Frequency, ReportKind, ReportStatus, SubscriptionTarget
from apps.reports.models import DepartmentReport, ReportSubscription
from apps.reports.selectors import reports as selectors
from apps.reports.selectors.periods import month_period, quarter_period

COMMENTARY = {
    "market_development": (
        "本月线索获取稳定，重点行业活动带来较多有效线索；转化率较上月略有提升。",
        "部分活动投放渠道精准度不足，线索质量参差。",
        "下月集中资源于制造业与医疗行业两场专题活动。",
    ),
    "sales": (
        "本月签约与回款总体符合预期，华东组大项目推进顺利，华南组略有滞后。",
        "华南区重点客户决策周期延长，两笔合同推迟至下月。",
        "下月重点跟进华南两笔延迟合同，加强回款催收。",
    ),
    "customer_service": (
        "本月工单按时解决率保持较高水平，投诉均在时限内处理完毕，满意度稳中有升。",
        "节假日前后工单集中，首次响应略有延迟。",
        "下月优化排班，节假日前安排专人值守。",
    ),
}


def _periods(today: dt.date) -> list[tuple[str, Any]]:
    """The last twelve finished months and the last four finished quarters."""
    periods: list[tuple[str, Any]] = []
    cursor = today.replace(day=1) - dt.timedelta(days=1)
    for _i in range(12):
        periods.append((ReportKind.MONTHLY, month_period(cursor.year, cursor.month)))
        cursor = cursor.replace(day=1) - dt.timedelta(days=1)
    quarter_end = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1) - dt.timedelta(days=1)
    for _i in range(4):
        periods.append((ReportKind.QUARTERLY, quarter_period(quarter_end.year, (quarter_end.month - 1) // 3 + 1)))
        quarter_end = quarter_end.replace(month=(quarter_end.month - 1) // 3 * 3 + 1, day=1) - dt.timedelta(days=1)
    return periods


def _status(kind: str, period: Any, department_kind: str, periods: list[tuple[str, Any]], today: dt.date) -> str:
    """The last month is still a draft (submitted and awaiting review once it is due, see ``load``); customer
    service's month before is overdue (a draft past its due date); market development's month before that was
    returned; everything else was reviewed."""
    if kind != ReportKind.MONTHLY:
        return ReportStatus.REVIEWED
    if period == periods[0][1]:
        return ReportStatus.DRAFT
    if period == periods[1][1] and department_kind == "customer_service":
        return ReportStatus.DRAFT
    if period == periods[2][1] and department_kind == "market_development":
        return ReportStatus.RETURNED
    return ReportStatus.REVIEWED


def _submit_latest_once_due(latest_month: Any, today: dt.date, tz: Any) -> None:
    """Loaded after the last month's due date, its drafts would all be overdue: they are submitted instead (on the
    eve of the due date, with the manager's commentary) and await senior management's review — so the demo keeps
    exactly one overdue report whatever the day it is loaded."""
    due = selectors.due_date(latest_month.end)
    if due >= today:
        return
    submitted = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(17), tz)
    key = selectors.period_key(ReportKind.MONTHLY, latest_month)
    for report in DepartmentReport.objects.filter(kind=ReportKind.MONTHLY, period_key=key, status=ReportStatus.DRAFT):
        commentary, causes, plans = COMMENTARY.get(report.department.kind, ("", "", ""))
        DepartmentReport.objects.filter(pk=report.pk).update(
            status=ReportStatus.SUBMITTED,
            submitted_at=submitted,
            submitted_by=report.owner,
            figures_built_at=submitted,
            commentary=commentary,
            causes=causes,
            next_plans=plans,
        )


def load(stdout: Any) -> None:
    if DepartmentReport.objects.exists():
        return
    ceo = User.objects.filter(username="ceo").first()
    departments = [d for d in selectors.reporting_departments() if d.manager_id]
    if ceo is None or not departments:
        return
    today = timezone.localdate()
    periods = _periods(today)
    latest_month = periods[0][1]
    now, tz = timezone.now(), timezone.get_current_timezone()
    rows = []
    with calendar_preloaded(min(p.start for _k, p in periods), today + dt.timedelta(days=40)):
        for department in departments:
            commentary, causes, plans = COMMENTARY.get(department.kind, ("", "", ""))
            for kind, period in periods:
                status = _status(kind, period, department.kind, periods, today)
                reviewed = status == ReportStatus.REVIEWED
                decided = reviewed or status == ReportStatus.RETURNED
                due = selectors.due_date(period.end)
                submitted = dt.datetime.combine(due - dt.timedelta(days=1), dt.time(17), tz)
                written = status != ReportStatus.DRAFT
                rows.append(
                    DepartmentReport(
                        department=department,
                        kind=kind,
                        period_key=selectors.period_key(kind, period),
                        period_start=period.start,
                        period_end=period.end,
                        due_date=due,
                        status=status,
                        figures=selectors.build_figures(department, kind, period, today=today, now=now),
                        figures_built_at=submitted if written else now,
                        owner=department.manager,
                        owner_unit=department,
                        created_by=department.manager,
                        commentary=commentary if written else "",
                        causes=causes if written else "",
                        next_plans=plans if written else "",
                        submitted_at=submitted if written else None,
                        submitted_by=department.manager if written else None,
                        review_comment=(
                            "同意。请继续保持，关注差距项。"
                            if reviewed
                            else "差距原因分析不够具体，请补充数据后重新提交。"
                            if decided
                            else ""
                        ),
                        reviewed_by=ceo if decided else None,
                        reviewed_at=submitted + dt.timedelta(days=2) if decided else None,
                    )
                )
    DepartmentReport.objects.bulk_create(rows)
    sales = next((d for d in departments if d.kind == "sales"), None)
    if sales is not None:
        draft = DepartmentReport.objects.get(
            department=sales, period_key=selectors.period_key(ReportKind.MONTHLY, latest_month)
        )
        east = User.objects.filter(username="east_lead").first()
        if east is not None:
            services.report_raise_improvement(
                actor=sales.manager,
                departmentreport=draft,
                title="华南区延迟合同专项跟进",
                owner=east,
                due_date=today + dt.timedelta(days=20),
            )
    _submit_latest_once_due(latest_month, today, tz)
    leaders = list(User.objects.filter(username__in=["ceo", "vp_ops"]))
    if leaders and not ReportSubscription.objects.exists():
        services.subscription_create(
            actor=ceo,
            name="月度高层驾驶舱",
            target=SubscriptionTarget.COCKPIT,
            frequency=Frequency.MONTHLY,
            recipients=leaders,
        )
    stdout.write(f"reports: {len(rows)} department reports")
