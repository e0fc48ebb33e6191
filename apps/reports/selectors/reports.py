"""Reads of the department reports: the figures a report is built from (the cockpit's section of the department's
kind, read in the department manager's scope = the department's tree; the department's scorecard; last period's
improvement actions), the due date by the rule in force, the report pack of a period."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from apps.core.scoping import DataScope, user_scope
from apps.core.workdays import workday_calendar
from apps.improvements.models import IMPROVEMENT_OPEN_STATUSES, ImprovementAction
from apps.org.models import Department, User
from apps.performance.choices import SubjectKind
from apps.performance.models import Assessment
from apps.policy.selectors import rules_in_force
from apps.reports.choices import ReportKind, ReportStatus
from apps.reports.models import DepartmentReport
from apps.reports.permissions import ReportPerm
from apps.reports.selectors.cockpit import KIND_SECTION, SALES, cockpit, cockpit_json
from apps.reports.selectors.periods import ReportPeriod, month_period, quarter_period

# Reports are due on this working day after the period ends, unless the policy in force says otherwise
# (``report_due_working_days`` on its rules, when the policy carries one).
DEFAULT_DUE_WORKING_DAYS = 5
_KEY = re.compile(r"^(?P<year>\d{4})-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4]))$")
REPORTING_KINDS = tuple(KIND_SECTION)


def parse_period_key(key: str) -> tuple[str, ReportPeriod] | None:
    """``2026-11`` → a monthly report's period, ``2026-Q4`` → a quarterly one; None when it reads as neither."""
    match = _KEY.match((key or "").strip().upper())
    if not match:
        return None
    year = int(match["year"])
    if match["month"]:
        month = int(match["month"])
        return (ReportKind.MONTHLY, month_period(year, month)) if 1 <= month <= 12 else None
    return ReportKind.QUARTERLY, quarter_period(year, int(match["quarter"]))


def period_key(kind: str, period: ReportPeriod) -> str:
    if kind == ReportKind.QUARTERLY:
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    return f"{period.start.year}-{period.start.month:02d}"


def previous_key(kind: str, period: ReportPeriod) -> str:
    return period_key(kind, period.previous())


def due_working_days(on: dt.date) -> int:
    try:
        rules = rules_in_force(on).rules
    except LookupError:
        return DEFAULT_DUE_WORKING_DAYS
    return int(getattr(rules, "report_due_working_days", DEFAULT_DUE_WORKING_DAYS))


def due_date(period_end: dt.date) -> dt.date:
    """The N-th working day after the period (the calendar of ``core.workdays``; N from the rules in force)."""
    n = due_working_days(period_end)
    first, last = period_end + dt.timedelta(days=1), period_end + dt.timedelta(days=10 + 3 * n)
    calendar = workday_calendar(first, last)  # inside ``calendar_preloaded`` it may hold more days than asked
    days = [day for day in sorted(calendar) if first <= day <= last and calendar[day]]
    return days[n - 1]


def reporting_departments() -> QuerySet[Department]:
    """The departments that report (arts. 4–7): market development, sales, customer service, top level of each
    kind (a team reports through its department)."""
    departments = Department.objects.filter(is_active=True, kind__in=REPORTING_KINDS).select_related(
        "parent", "manager"
    )
    return departments.exclude(parent__kind__in=REPORTING_KINDS)


def writer_of(department: Department) -> User | None:
    """Whose scope the department's figures are read in: its manager (a manager sees the department's tree)."""
    return department.manager


def departments_writable(user: Any) -> QuerySet[Department]:
    """The reporting departments the user may write a report for: in their reports scope (tree or all)."""
    departments = reporting_departments()
    if user.is_superuser:
        return departments
    if not user.has_perm(str(ReportPerm.ADD_REPORT)):
        return departments.none()
    resolved = user_scope(user)
    scope = resolved.for_app("reports")
    if scope == DataScope.ALL:
        return departments
    if scope in (DataScope.UNIT_TREE, DataScope.UNIT) and resolved.unit_path:
        if scope == DataScope.UNIT:
            return departments.filter(path=resolved.unit_path)
        return departments.filter(path__startswith=resolved.unit_path)
    return departments.none()


def _scorecard(department: Department, period: ReportPeriod) -> dict[str, Any] | None:
    card = (
        Assessment.objects.filter(
            subject_kind=SubjectKind.DEPARTMENT,
            owner_unit=department,
            cycle__start__lte=period.end,
            cycle__end__gte=period.start,
        )
        .select_related("cycle")
        .order_by("-cycle__start")
        .first()
    )
    if card is None:
        return None
    items = card.items.select_related("kpi").order_by("position")
    return {
        "cycle": card.cycle.name,
        "total": str(card.total),
        "grade": card.grade,
        "items": [
            {
                "kpi": item.kpi.display_name,
                "weight": item.weight,
                "target": str(item.target),
                "actual": None if item.actual is None else str(item.actual),
                "completion": None if item.completion is None else str(item.completion),
                "score": None if item.score is None else str(item.score),
            }
            for item in items
        ],
    }


def _gaps(section: dict[str, Any]) -> list[dict[str, Any]]:
    """Where the department fell short: the sales target not reached, a completion or on-time rate below 100 %."""
    gaps = []
    figures = {f["key"]: f for f in section["figures"]}
    target, attained = figures.get("target", {}).get("value"), figures.get("attained", {}).get("value")
    if target is not None and attained is not None and Decimal(attained) < Decimal(target):
        gaps.append(
            {"label": figures["target"]["label"], "gap": str(Decimal(target) - Decimal(attained)), "unit": "money"}
        )
    for key in ("plan_completion_pct", "resolution_pct", "first_response_pct", "complaints_resolved_pct"):
        value = figures.get(key, {}).get("value")
        if value is not None and Decimal(value) < 100:
            gaps.append({"label": figures[key]["label"], "gap": str(Decimal("100") - Decimal(value)), "unit": "pct"})
    return gaps


def last_period_actions(department: Department, previous: ReportPeriod, today: dt.date) -> list[dict[str, Any]]:
    """The improvement actions of the department (its tree) raised in the previous period, or raised by its
    previous report, and what became of them."""
    first = dt.datetime.combine(previous.start, dt.time(0), timezone.get_current_timezone())
    after = dt.datetime.combine(previous.end + dt.timedelta(days=1), dt.time(0), timezone.get_current_timezone())
    actions = (
        ImprovementAction.objects.filter(
            owner_unit__path__startswith=department.path, created_at__gte=first, created_at__lt=after
        )
        .select_related("owner")
        .order_by("due_date", "pk")
    )
    return [
        {
            "id": a.pk,
            "title": a.title,
            "owner": str(a.owner),
            "due_date": a.due_date.isoformat(),
            "status": a.status,
            "status_label": str(a.get_status_display()),
            "overdue": a.status in IMPROVEMENT_OPEN_STATUSES and a.due_date < today,
            # the effectiveness check at the next evaluation: the figure, from → to, whether it moved
            "effect_measure": a.effect_measure,
            "effect": ""
            if a.effect_checked_at is None
            else f"{a.effect_measure}: {a.effect_baseline} → {a.effect_value}",
            "effect_moved": a.effect_moved,
        }
        for a in actions
    ]


def build_figures(
    department: Department,
    kind: str,
    period: ReportPeriod,
    *,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything a report shows from the records, as JSON (the snapshot a submitted report keeps)."""
    today = today or timezone.localdate()
    writer = writer_of(department)
    section_key = KIND_SECTION[department.kind]
    sections = cockpit(writer, period, sections=[section_key], today=today, now=now) if writer else []
    data = cockpit_json(sections, period)
    section = data["sections"][0] if data["sections"] else {"key": section_key, "label": "", "figures": []}
    extras: dict[str, Any] = {}
    if sections and section_key == SALES:
        extras = {
            "top": [{"name": r.name, "value": str(r.value)} for r in sections[0].extras["top"]],
            "funnel": [
                {
                    "label": s["label"],
                    "reached": s["reached"],
                    "drop_off_pct": None if s["drop_off_pct"] is None else str(s["drop_off_pct"]),
                }
                for s in sections[0].extras["funnel"]
            ],
        }
    return {
        **data,
        "section": section,
        "extras": extras,
        "scorecard": _scorecard(department, period),
        "gaps": _gaps(section),
        "last_period_actions": last_period_actions(department, period.previous(), today),
        "built_at": (now or timezone.now()).isoformat(),
    }


def report_period(report: DepartmentReport) -> ReportPeriod:
    return ReportPeriod(report.kind, report.period_start, report.period_end)


def live_figures(report: DepartmentReport) -> dict[str, Any]:
    """The figures as the records stand now, to compare with the frozen snapshot."""
    return build_figures(report.department, report.kind, report_period(report))


def report_list(*, user: Any) -> QuerySet[DepartmentReport]:
    return DepartmentReport.objects.visible_to(user).select_related("department", "owner")


def pack(*, user: Any, key: str) -> list[DepartmentReport]:
    """The reports of one period (the three departments'), as the user may see them, for the leadership pack."""
    return list(report_list(user=user).filter(period_key=key).order_by("department__path"))


def reviewers() -> QuerySet[User]:
    """Senior management: the people who review department reports."""
    return User.objects.filter(
        is_active=True,
        employee__is_active=True,
        employee__roles__permissions__codename="review_departmentreport",
        employee__roles__permissions__content_type__app_label="reports",
    ).distinct()


def overdue_reports(today: dt.date) -> QuerySet[DepartmentReport]:
    return DepartmentReport.objects.filter(
        status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED], due_date__lt=today
    ).select_related("department", "owner")
