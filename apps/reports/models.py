"""Reports to senior management (policy arts. 4–7, 10): the department's monthly and quarterly report (月报 / 季报)
and the subscriptions that deliver reports and the cockpit by mail.

A department report is written by the department's manager (``owner``; ``owner_unit`` is the department, so the
data scope of the reports follows the organisation tree) and read by senior management. The figures are built from
the records and kept in ``figures`` (JSON); once submitted they are a frozen snapshot."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, optional_fk
from apps.reports.choices import Frequency, ReportAction, ReportKind, ReportStatus, SubscriptionTarget

S, A = ReportStatus, ReportAction
MANAGER, SENIOR = "manager", "senior"

# The status flow as data: status → action → (target status, who may take it). ``manager`` is the department's
# report writer (add/change permission in scope), ``senior`` is senior management (review permission).
REPORT_FLOW: dict[str, dict[str, tuple[str, str]]] = {
    S.DRAFT: {A.SUBMIT: (S.SUBMITTED, MANAGER)},
    S.SUBMITTED: {A.REVIEW: (S.REVIEWED, SENIOR), A.RETURN: (S.RETURNED, SENIOR)},
    S.RETURNED: {A.SUBMIT: (S.SUBMITTED, MANAGER)},
    S.REVIEWED: {},
}
# Statuses in which the manager may still edit the commentary (and the figures are rebuilt on submit).
EDITABLE_STATUSES = (S.DRAFT, S.RETURNED)


class DepartmentReport(OwnedModel):
    department = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("report kind"), max_length=12, choices=ReportKind.choices)
    period_key = models.CharField(_("period"), max_length=10)  # 2026-11, 2026-Q4
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    figures_built_at = models.DateTimeField(_("figures built at"), null=True, blank=True)
    commentary = models.TextField(_("commentary"), blank=True)
    causes = models.TextField(_("causes of the gaps"), blank=True)
    next_plans = models.TextField(_("plans for the next period"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = optional_fk(settings.AUTH_USER_MODEL, _("submitted by"), on_delete=models.SET_NULL, related_name="+")
    review_comment = models.TextField(_("management's comment"), blank=True)
    reviewed_by = optional_fk(settings.AUTH_USER_MODEL, _("reviewed by"), on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    overdue_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["figures"])

    class Meta:
        verbose_name = _("department report")
        verbose_name_plural = _("department reports")
        ordering = ["-period_start", "department__path", "pk"]
        permissions = [
            ("review_departmentreport", _("Can review department reports")),
            ("view_cockpit", _("Can open the executive cockpit")),
            ("view_company_cockpit", _("Can open the whole company's cockpit")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "period_key"], name="reports_one_report_per_department_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.period_key} {self.get_kind_display()}"

    def allowed_actions(self) -> dict[str, tuple[str, str]]:
        return REPORT_FLOW.get(self.status, {})

    @property
    def is_frozen(self) -> bool:
        return self.status not in EDITABLE_STATUSES


class ReportSubscription(OwnedModel):
    """Deliver a report or the cockpit to chosen people, weekly or monthly (by mail with the PDF, and a summary
    through the notification service)."""

    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("report"), max_length=12, choices=SubscriptionTarget.choices)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("recipients"), related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
