"""我的工作台: the department reports the user is to write (drafts, returned ones) and, for senior management, the
submitted reports awaiting their review."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from apps.core.workbench import WorkbenchItem
from apps.reports.choices import ReportStatus
from apps.reports.models import DepartmentReport
from apps.reports.permissions import ReportPerm

LIMIT = 10


def report_items(user: Any) -> list[WorkbenchItem]:
    items: list[WorkbenchItem] = []
    area = _("Reports")
    if user.has_perm(str(ReportPerm.CHANGE_REPORT)):
        for report in DepartmentReport.objects.filter(
                owner=user, status__in=[ReportStatus.DRAFT, ReportStatus.RETURNED]).select_related(
                "department").order_by("due_date", "pk")[:LIMIT]:
            items.append(WorkbenchItem(area=area, title=_("Write the report: %(report)s") % {"report": report},
                                       due=report.due_date, url=reverse("reports:report_detail", args=[report.pk])))
    if user.has_perm(str(ReportPerm.REVIEW_REPORT)):
        waiting = DepartmentReport.objects.visible_to(user).filter(status=ReportStatus.SUBMITTED)
        count = waiting.count()
        if count:
            items.append(WorkbenchItem(area=area, title=_("Department reports to review"), count=count,
                                       url=reverse("reports:report_list") + "?sort=-period_start"))
    return items
