"""我的工作台: the department reports the user is to write (drafts, returned ones) and, for senior management, the
submitted reports awaiting their review."""

from __future__ import annotations

from typing import Any, cast

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from apps.core.workbench import OverviewFigure, WorkbenchItem
from apps.reports.choices import ReportStatus
from apps.reports.models import DepartmentReport
from apps.reports.permissions import ReportPerm
from apps.reports.selectors.cockpit import MARKET, MONEY, PCT, SALES, SERVICE, SPECS, section_values
from apps.reports.selectors.periods import month_period
from apps.reports.templatetags.reports_tags import money

LIMIT = 10


def report_items(user: Any) -> list[WorkbenchItem]:
    items: list[WorkbenchItem] = []
    area = _("Reports")
    if user.has_perm(str(ReportPerm.CHANGE_REPORT)):
        for report in (
            DepartmentReport.objects.filter(owner=user, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED])
            .select_related("department")
            .order_by("due_date", "pk")[:LIMIT]
        ):
            items.append(
                WorkbenchItem(
                    area=area,
                    title=_("Write the report: %(report)s") % {"report": report},
                    due=report.due_date,
                    url=reverse("reports:report_detail", args=[report.pk]),
                )
            )
    if user.has_perm(str(ReportPerm.REVIEW_REPORT)):
        waiting = DepartmentReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED)
        count = waiting.count()
        if count:
            items.append(
                WorkbenchItem(
                    area=area,
                    title=_("Department reports to review"),
                    count=count,
                    url=reverse("reports:report_list") + "?sort=-period_start",
                )
            )
    return items


# 今日概览 on the workbench of those who see the company cockpit: this month's headline figures, read by the cockpit's
# own selectors (one pass, no comparisons), kept for a few minutes per person so the home page stays quick.
OVERVIEW = (
    (SALES, "contract_amount"),
    (SALES, "payments"),
    (SALES, "attainment_pct"),
    (MARKET, "leads"),
    (SERVICE, "complaints"),
    (SERVICE, "resolution_pct"),
)
OVERVIEW_SECONDS = 300


def _text(value: Any, unit: str) -> str:
    if value is None or value == "":
        return "—"
    if unit == MONEY:
        return f"¥{money(value, '')}"
    return f"{value}%" if unit == PCT else str(value)


def overview_items(user: Any) -> list[OverviewFigure]:
    if not getattr(user, "is_authenticated", False) or not (
        user.is_superuser or user.has_perm(str(ReportPerm.VIEW_COMPANY_COCKPIT))
    ):
        return []
    today = timezone.localdate()
    key = f"reports-overview:{user.pk}:{today.isoformat()}:{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cast(list[OverviewFigure], cached)
    period = month_period(today.year, today.month)
    url = reverse("reports:cockpit") + "?period=month"
    figures = []
    for section in dict.fromkeys(section for section, _key in OVERVIEW):
        values = section_values(section, user, period, today=today, now=timezone.now())
        figures += [
            OverviewFigure(str(spec.label), _text(values[spec.key], spec.unit), url, _("This month"))
            for spec in SPECS[section]
            if (section, spec.key) in OVERVIEW
        ]
    cache.set(key, figures, OVERVIEW_SECONDS)
    return figures
