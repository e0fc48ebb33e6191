"""Writes of the reports to senior management: generating, editing, submitting, reviewing and returning a
department report (the moves of ``REPORT_FLOW``), raising improvement actions from a report (through
``improvements``' own service), reminders, subscriptions and their delivery. Every function checks the actor,
runs in one transaction and tells the people concerned (``core.services.notify``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.models import Notification
from apps.core.scoping import can
from apps.core.services import notification_topic, notifications_close, notify
from apps.core.services.exports import export_logged
from apps.improvements.choices import ImprovementSource
from apps.improvements.models import ImprovementAction
from apps.improvements.services import improvement_raise
from apps.org.models import Department
from apps.reports.choices import Frequency, ReportAction, ReportKind
from apps.reports.models import EDITABLE_STATUSES, MANAGER, SENIOR, DepartmentReport, ReportSubscription
from apps.reports.permissions import ReportPerm
from apps.reports.selectors import reports as selectors
from apps.reports.selectors.periods import month_period

MOVE_NOT_ALLOWED = gettext_lazy("A report that is “%(current)s” cannot be moved by “%(action)s”.")
BAD_PERIOD = gettext_lazy("Give the period as 2026-11 (a month) or 2026-Q4 (a quarter).")
PERIOD_NOT_OVER = gettext_lazy("The period has not ended yet: a report covers a finished month or quarter.")
ALREADY_EXISTS = gettext_lazy("This department already has a report for %(period)s.")
NOT_YOUR_DEPARTMENT = gettext_lazy("You can only write the reports of departments within your scope.")
NO_MANAGER = gettext_lazy("The department has no manager, whose scope the report's figures are read in.")
FROZEN = gettext_lazy("A submitted report can no longer be edited.")
COMMENT_REQUIRED = gettext_lazy("Say why the report is returned.")
NO_RECIPIENTS = gettext_lazy("Choose at least one recipient.")


def _url(report: DepartmentReport) -> str:
    return reverse("reports:report_detail", args=[report.pk])


def _move(actor: Any, report: DepartmentReport, action: str) -> str:
    """The target status of ``action`` from the report's status, if the flow allows it and the actor is named."""
    step = report.allowed_actions().get(action)
    if step is None:
        raise ValidationError(
            MOVE_NOT_ALLOWED % {"current": report.get_status_display(), "action": ReportAction(action).label}
        )
    target, who = step
    if who == MANAGER and not (actor.has_perm(str(ReportPerm.CHANGE_REPORT)) and can(actor, "change", report)):
        raise PermissionDenied
    if who == SENIOR and not (actor.has_perm(str(ReportPerm.REVIEW_REPORT)) and can(actor, "view", report)):
        raise PermissionDenied
    return target


def allowed_actions(user: Any, report: DepartmentReport) -> list[str]:
    """The moves the user may make on the report now (the buttons a page and the API show)."""
    may = {
        MANAGER: user.has_perm(str(ReportPerm.CHANGE_REPORT)) and can(user, "change", report),
        SENIOR: user.has_perm(str(ReportPerm.REVIEW_REPORT)),
    }
    return [action for action, (_target, who) in report.allowed_actions().items() if may[who]]


def _save(report: DepartmentReport, actor: Any, fields: list[str]) -> None:
    record_actor(report, actor)
    report.full_clean()
    report.save(update_fields=[*fields, "updated_at"])


@transaction.atomic
def report_generate(
    *, actor: Any, department: Department, period_key: str, today: dt.date | None = None
) -> DepartmentReport:
    """Build the department's report of a finished month or quarter from the records, as a draft."""
    today = today or timezone.localdate()
    if not actor.has_perm(str(ReportPerm.ADD_REPORT)):
        raise PermissionDenied
    if not selectors.departments_writable(actor).filter(pk=department.pk).exists():
        raise ValidationError({"department": NOT_YOUR_DEPARTMENT})
    parsed = selectors.parse_period_key(period_key)
    if parsed is None:
        raise ValidationError({"period_key": BAD_PERIOD})
    kind, period = parsed
    if period.end >= today:
        raise ValidationError({"period_key": PERIOD_NOT_OVER})
    key = selectors.period_key(kind, period)
    if DepartmentReport.objects.filter(department=department, period_key=key).exists():
        raise ValidationError({"period_key": ALREADY_EXISTS % {"period": key}})
    writer = selectors.writer_of(department)
    if writer is None:
        raise ValidationError({"department": NO_MANAGER})
    report = DepartmentReport(
        department=department,
        kind=kind,
        period_key=key,
        period_start=period.start,
        period_end=period.end,
        due_date=selectors.due_date(period.end),
        owner=writer,
        owner_unit=department,
        created_by=actor,
        figures=selectors.build_figures(department, kind, period, today=today),
        figures_built_at=timezone.now(),
    )
    record_actor(report, actor)
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def report_update(*, actor: Any, departmentreport: DepartmentReport, data: dict[str, Any]) -> DepartmentReport:
    """The manager's commentary, causes and next period's plans (while the report is a draft or returned)."""
    report = departmentreport
    if not (actor.has_perm(str(ReportPerm.CHANGE_REPORT)) and can(actor, "change", report)):
        raise PermissionDenied
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError(FROZEN)
    fields: list[str] = [f for f in ("commentary", "causes", "next_plans") if f in data]
    for name in fields:
        setattr(report, name, data[name] or "")
    _save(report, actor, fields)
    return report


@transaction.atomic
def report_refresh(*, actor: Any, departmentreport: DepartmentReport) -> DepartmentReport:
    """Rebuild a draft's figures from the records as they stand (a submitted report keeps its snapshot)."""
    report = departmentreport
    if not (actor.has_perm(str(ReportPerm.CHANGE_REPORT)) and can(actor, "change", report)):
        raise PermissionDenied
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError(FROZEN)
    report.figures = selectors.live_figures(report)
    report.figures_built_at = timezone.now()
    _save(report, actor, ["figures", "figures_built_at"])
    return report


@transaction.atomic
def report_submit(*, actor: Any, departmentreport: DepartmentReport) -> DepartmentReport:
    """Submit: the figures are rebuilt one last time and frozen; senior management is told."""
    report = departmentreport
    report.status = _move(actor, report, ReportAction.SUBMIT)
    report.figures = selectors.live_figures(report)
    report.figures_built_at = report.submitted_at = timezone.now()
    report.submitted_by = actor
    _save(report, actor, ["status", "figures", "figures_built_at", "submitted_at", "submitted_by"])
    notify(
        recipients=selectors.reviewers(),
        url=_url(report),
        topic=notification_topic("review", report),
        title=_("Department report to review: %(report)s") % {"report": report},
        body=_("%(actor)s submitted it.") % {"actor": actor},
    )
    return report


def _decide(actor: Any, report: DepartmentReport, action: str, comment: str) -> DepartmentReport:
    report.status = _move(actor, report, action)
    report.review_comment = comment or ""
    report.reviewed_by, report.reviewed_at = actor, timezone.now()
    _save(report, actor, ["status", "review_comment", "reviewed_by", "reviewed_at"])
    notifications_close(topic=notification_topic("review", report))
    return report


@transaction.atomic
def report_review(*, actor: Any, departmentreport: DepartmentReport, comment: str = "") -> DepartmentReport:
    """Senior management read it, comment and mark it reviewed; the manager is told."""
    report = _decide(actor, departmentreport, ReportAction.REVIEW, comment)
    notify(
        recipients=[report.owner],
        url=_url(report),
        title=_("Your report was reviewed: %(report)s") % {"report": report},
        body=comment,
    )
    return report


@transaction.atomic
def report_return(*, actor: Any, departmentreport: DepartmentReport, comment: str = "") -> DepartmentReport:
    """Senior management send it back with the reason; the manager reworks and submits again."""
    if not (comment or "").strip():
        raise ValidationError({"comment": COMMENT_REQUIRED})
    report = _decide(actor, departmentreport, ReportAction.RETURN, comment)
    notify(
        recipients=[report.owner],
        url=_url(report),
        title=_("Your report was returned: %(report)s") % {"report": report},
        body=comment,
    )
    return report


@transaction.atomic
def report_raise_improvement(
    *,
    actor: Any,
    departmentreport: DepartmentReport,
    title: str,
    owner: Any,
    due_date: dt.date,
    description: str = "",
    **effect: Any,
) -> ImprovementAction:
    """A new improvement action from the report, in the one improvement register (linked to the report);
    ``effect`` may name the figure it should move (``effect_measure``, ``effect_baseline``, ``effect_direction``)."""
    report = departmentreport
    if not (actor.has_perm(str(ReportPerm.CHANGE_REPORT)) and can(actor, "change", report)):
        raise PermissionDenied
    if report.status not in EDITABLE_STATUSES:
        raise ValidationError(FROZEN)
    return improvement_raise(
        actor=actor,
        title=title,
        owner=owner,
        due_date=due_date,
        description=description,
        source_kind=ImprovementSource.OTHER,
        source=report,
        **effect,
    )


def report_export_logged(*, actor: Any, resource: str, period: str, rows: int) -> None:
    """Every export is logged (CONVENTIONS-CN §1 row 29)."""
    export_logged(actor=actor, resource=resource, scope="all", filters=period, row_count=rows)


def reports_remind_overdue(*, today: dt.date | None = None) -> int:
    """Reports not submitted by their due date: the manager is reminded and senior management told (once per
    report). Returns how many reports were overdue for the first time."""
    today = today or timezone.localdate()
    count = 0
    for report in selectors.overdue_reports(today).filter(overdue_notified_at__isnull=True):
        with transaction.atomic():
            notify(
                recipients=[report.owner],
                url=_url(report),
                title=_("Report overdue: %(report)s") % {"report": report},
                body=_("It was due on %(due)s.") % {"due": report.due_date},
            )
            notify(
                recipients=selectors.reviewers(),
                url=_url(report),
                title=_("Department report overdue: %(report)s") % {"report": report},
                body=_("It was due on %(due)s.") % {"due": report.due_date},
            )
            DepartmentReport.objects.filter(pk=report.pk).update(overdue_notified_at=timezone.now())
        count += 1
    return count + reports_remind_missing(today=today)


def reports_remind_missing(*, today: dt.date | None = None) -> int:
    """Last month's report not even generated by its due date: its manager is reminded and senior management told,
    once (the notification's topic names the department and the period)."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - dt.timedelta(days=1)
    period = month_period(end.year, end.month)
    if selectors.due_date(period.end) >= today:
        return 0
    key = selectors.period_key(ReportKind.MONTHLY, period)
    done = set(DepartmentReport.objects.filter(period_key=key).values_list("department_id", flat=True))
    count = 0
    for department in selectors.reporting_departments().exclude(pk__in=done).filter(manager__isnull=False):
        topic = f"report-missing:{department.pk}:{key}"
        if Notification.objects.filter(topic=topic).exists():
            continue
        body = _("The %(period)s report of %(department)s was due on %(due)s and has not been written.") % {
            "period": key,
            "department": department,
            "due": selectors.due_date(period.end),
        }
        notify(
            recipients=[department.manager, *selectors.reviewers()],
            title=_("Department report missing"),
            body=body,
            url=reverse("reports:report_generate"),
            topic=topic,
        )
        count += 1
    return count


#
# Subscriptions
#


def _check_subscriber(actor: Any) -> None:
    if not actor.has_perm(str(ReportPerm.ADD_SUBSCRIPTION)):
        raise PermissionDenied


@transaction.atomic
def subscription_create(
    *, actor: Any, name: str, target: str, frequency: str, recipients: Any, is_active: bool = True
) -> ReportSubscription:
    _check_subscriber(actor)
    people = list(recipients)
    if not people:
        raise ValidationError({"recipients": NO_RECIPIENTS})
    employee = getattr(actor, "employee", None)
    subscription = ReportSubscription(
        name=name,
        target=target,
        frequency=frequency,
        is_active=is_active,
        owner=actor,
        owner_unit=employee.department if employee else None,
        created_by=actor,
    )
    subscription.full_clean()
    subscription.save()
    subscription.recipients.set(people)
    return subscription


@transaction.atomic
def subscription_update(
    *, actor: Any, reportsubscription: ReportSubscription, data: dict[str, Any]
) -> ReportSubscription:
    subscription = reportsubscription
    if not (actor.has_perm(str(ReportPerm.CHANGE_SUBSCRIPTION)) and can(actor, "change", subscription)):
        raise PermissionDenied
    for name in ("name", "target", "frequency", "is_active"):
        if name in data:
            setattr(subscription, name, data[name])
    subscription.full_clean()
    subscription.save()
    if "recipients" in data:
        people = list(data["recipients"])
        if not people:
            raise ValidationError({"recipients": NO_RECIPIENTS})
        subscription.recipients.set(people)
    return subscription


def subscription_due(subscription: ReportSubscription, now: dt.datetime) -> bool:
    """Weekly: on Mondays; monthly: on the 1st; once per day at most."""
    local = timezone.localtime(now)
    if subscription.last_sent_at and timezone.localtime(subscription.last_sent_at).date() == local.date():
        return False
    if subscription.frequency == Frequency.WEEKLY:
        return local.weekday() == 0
    return local.day == 1


# The kind of the subscriptions' summaries: by default to the group robots (WeCom, DingTalk) — the mail with the PDF
# goes out by itself —; each user may change it on the notification preferences page.
REPORT_KIND = "report"


def subscription_send(
    *, subscription: ReportSubscription, person: Any, pdf: bytes, filename: str, summary: str, url: str
) -> int:
    """Send one recipient their copy (the PDF as they may see it) by mail, and the summary with a link through
    the notification service (its channels carry it on). Returns the number of mails sent (0 without an address)."""
    address = person.email or getattr(getattr(person, "employee", None), "email", "")
    sent = 0
    if address:
        mail = EmailMessage(subject=str(subscription), body=f"{summary}\n\n{url}", to=[address])
        mail.attach(filename, pdf, "application/pdf")
        sent = mail.send()
    notify(recipients=[person], title=str(subscription), body=summary, url=url, kind=REPORT_KIND)
    return sent


def subscription_mark_sent(*, subscription: ReportSubscription, now: dt.datetime | None = None) -> None:
    ReportSubscription.objects.filter(pk=subscription.pk).update(last_sent_at=now or timezone.now())
