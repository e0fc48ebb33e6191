"""Department reports: the scope matrix, generating from the records, the flow table walked for every status and
role, the frozen snapshot, the due date by the working-day calendar, overdue reminders, the pack, exports (xlsx
cell by cell, PDF text), the API and subscriptions delivered by mail with the PDF."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.core.workdays import is_workday
from apps.improvements.models import ImprovementAction
from apps.org.models import Department
from apps.reports import services, tasks
from apps.reports.choices import Frequency, ReportAction, ReportKind, ReportStatus, SubscriptionTarget
from apps.reports.models import REPORT_FLOW, DepartmentReport, ReportSubscription
from apps.reports.selectors import reports as selectors
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract
from apps.sales.tests.factories_attainment import make_contract

pytestmark = pytest.mark.django_db
KEY = "2026-11"
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def _report(persona: Persona, key: str, status: str = ReportStatus.DRAFT) -> DepartmentReport:
    kind, period = selectors.parse_period_key(key)
    return DepartmentReport.objects.create(
        department=persona.unit,
        kind=kind,
        period_key=key,
        period_start=period.start,
        period_end=period.end,
        due_date=period.end + dt.timedelta(days=7),
        status=status,
        owner=persona.user,
        owner_unit=persona.unit,
        figures={"section": {"label": "x", "figures": []}},
    )


class DepartmentReportScopeTests(core_testing.ScopeMatrixTests):
    model = DepartmentReport
    list_url = "/reports/department/"
    api_list_url = "/api/v1/reports/"
    keys = {
        "rep_alice": "2025-01",
        "lead_bob": "2025-02",
        "rep_carol": "2025-03",
        "auditor_dave": "2025-04",
        "admin": "2025-05",
    }
    detail_route = "reports:report_detail"

    def make(self, persona: Persona) -> DepartmentReport:
        return _report(persona, self.keys[persona.key])

    def label(self, record: DepartmentReport) -> str:
        return f"<td>{record.period_key}</td>"


class ReportSubscriptionScopeTests(core_testing.ScopeMatrixTests):
    model = ReportSubscription
    list_url = "/reports/subscriptions/"
    api_list_url = "/api/v1/report-subscriptions/"
    detail_route = "reports:subscription_detail"

    def make(self, persona: Persona) -> ReportSubscription:
        subscription = ReportSubscription.objects.create(
            name=f"订阅-{persona.key}",
            target=SubscriptionTarget.COCKPIT,
            frequency=Frequency.MONTHLY,
            owner=persona.user,
            owner_unit=persona.unit,
        )
        subscription.recipients.set([persona.user])
        return subscription

    def label(self, record: ReportSubscription) -> str:
        return record.name


@pytest.fixture
def sales(personas):
    """销售部 A is a reporting department managed by bob (the personas' company has no marketing department)."""
    unit = personas["lead_bob"].unit
    assert unit.manager_id == personas["lead_bob"].user.pk
    return unit


def _generate(personas, sales, key=KEY) -> DepartmentReport:
    return services.report_generate(
        actor=personas["lead_bob"].user, department=sales, period_key=key, today=dt.date(2026, 12, 7)
    )


def test_due_date_is_the_fifth_working_day_after_the_period():
    expected, day = [], dt.date(2026, 11, 30)
    while len(expected) < selectors.DEFAULT_DUE_WORKING_DAYS:
        day += dt.timedelta(days=1)
        if is_workday(day):
            expected.append(day)
    assert selectors.due_date(dt.date(2026, 11, 30)) == expected[-1]
    # across the National Day holiday: 30 Sept 2026 → the fifth working day is well into October
    assert selectors.due_date(dt.date(2026, 9, 30)) > dt.date(2026, 10, 8)


def test_generate_builds_the_figures_from_the_records(personas, sales):
    alice, carol = personas["rep_alice"].user, personas["rep_carol"].user
    make_contract(alice, "1000.00", dt.date(2026, 11, 3))
    make_contract(personas["lead_bob"].user, "250.50", dt.date(2026, 11, 30))
    make_contract(carol, "99999.00", dt.date(2026, 11, 5))  # another department's
    make_contract(alice, "7.00", dt.date(2026, 10, 31))
    report = _generate(personas, sales)
    figures = {f["key"]: f for f in report.figures["section"]["figures"]}
    expected = sum(
        (
            c.amount
            for c in Contract.objects.filter(
                status=ContractStatus.APPROVED, signed_on__range=NOV, owner_unit__path__startswith=sales.path
            )
        ),
        Decimal(0),
    )
    assert Decimal(figures["contract_amount"]["value"]) == expected == Decimal("1250.50")
    assert Decimal(figures["contract_amount"]["previous"]) == Decimal("7.00")
    assert report.status == ReportStatus.DRAFT and report.kind == ReportKind.MONTHLY
    assert report.due_date == selectors.due_date(NOV[1])


def test_who_may_generate(personas, sales):
    with pytest.raises(PermissionDenied):
        services.report_generate(actor=personas["rep_alice"].user, department=sales, period_key=KEY)
    service = personas["rep_carol"].unit
    with pytest.raises(ValidationError) as refused:
        services.report_generate(actor=personas["lead_bob"].user, department=service, period_key=KEY)
    assert "department" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.report_generate(
            actor=personas["lead_bob"].user, department=sales, period_key="2026-12", today=dt.date(2026, 12, 7)
        )
    assert "period_key" in refused.value.message_dict
    _generate(personas, sales)
    with pytest.raises(ValidationError):
        _generate(personas, sales)


MOVES = {
    ReportAction.SUBMIT: services.report_submit,
    ReportAction.REVIEW: services.report_review,
    ReportAction.RETURN: services.report_return,
}


@pytest.mark.parametrize("status", list(REPORT_FLOW))
@pytest.mark.parametrize("role", ["rep_alice", "lead_bob", "auditor_dave"])
@pytest.mark.parametrize("action", list(MOVES))
def test_the_flow_table_is_the_rule(personas, sales, status, role, action):
    report = _generate(personas, sales)
    DepartmentReport.objects.filter(pk=report.pk).update(status=status)
    report.refresh_from_db()
    step = REPORT_FLOW[status].get(action)
    allowed = step is not None and (step[1] == "manager") == (role == "lead_bob") and role != "rep_alice"
    actor = personas[role].user
    kwargs = {"comment": "请补充原因"} if action != ReportAction.SUBMIT else {}
    if allowed:
        MOVES[action](actor=actor, departmentreport=report, **kwargs)
        report.refresh_from_db()
        assert report.status == step[0]
        assert (action in services.allowed_actions(actor, _fresh(report, status))) is True
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            MOVES[action](actor=actor, departmentreport=report, **kwargs)
        report.refresh_from_db()
        assert report.status == status


def _fresh(report, status):
    report.status = status
    return report


def test_a_submitted_report_is_a_frozen_snapshot(client, personas, sales):
    bob, dave = personas["lead_bob"].user, personas["auditor_dave"].user
    make_contract(personas["rep_alice"].user, "1000.00", dt.date(2026, 11, 3))
    report = _generate(personas, sales)
    services.report_update(
        actor=bob,
        departmentreport=report,
        data={"commentary": "完成情况良好", "causes": "", "next_plans": "加大华东拓展"},
    )
    services.report_submit(actor=bob, departmentreport=report)
    assert Notification.objects.filter(recipient=dave, url=reverse("reports:report_detail", args=[report.pk])).exists()
    frozen = dict(report.figures)
    make_contract(personas["rep_alice"].user, "5000.00", dt.date(2026, 11, 20))  # approved afterwards
    report.refresh_from_db()
    assert report.figures == frozen
    with pytest.raises(ValidationError):
        services.report_update(actor=bob, departmentreport=report, data={"commentary": "改"})
    client.force_login(dave)
    page = client.get(reverse("reports:report_detail", args=[report.pk]), {"live": 1}).content.decode()
    assert 'data-testid="snapshot-contract_amount">1,000.00<' in page
    assert 'data-testid="live-contract_amount">6,000.00<' in page
    services.report_review(actor=dave, departmentreport=report, comment="同意，继续跟进")
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and report.reviewed_by == dave
    assert Notification.objects.filter(recipient=bob, body="同意，继续跟进").exists()


def test_return_needs_a_reason_and_goes_back_to_the_manager(personas, sales):
    report = _generate(personas, sales)
    services.report_submit(actor=personas["lead_bob"].user, departmentreport=report)
    with pytest.raises(ValidationError):
        services.report_return(actor=personas["auditor_dave"].user, departmentreport=report, comment=" ")
    services.report_return(actor=personas["auditor_dave"].user, departmentreport=report, comment="缺少原因分析")
    assert report.status == ReportStatus.RETURNED
    services.report_update(actor=personas["lead_bob"].user, departmentreport=report, data={"causes": "人手不足"})
    services.report_submit(actor=personas["lead_bob"].user, departmentreport=report)
    assert report.status == ReportStatus.SUBMITTED


def test_improvement_action_from_the_report_and_next_period(personas, sales):
    bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
    report = _generate(personas, sales)
    action = services.report_raise_improvement(
        actor=bob,
        departmentreport=report,
        title="加强回款跟进",
        owner=alice,
        due_date=timezone.localdate() + dt.timedelta(days=10),
        effect_measure="回款率 (%)",
        effect_baseline=Decimal("60"),
        effect_direction="up",
    )
    assert action.source == report and ImprovementAction.objects.filter(pk=action.pk).exists()
    with pytest.raises(ValidationError):  # out of bob's scope
        services.report_raise_improvement(
            actor=bob,
            departmentreport=report,
            title="x",
            owner=personas["rep_carol"].user,
            due_date=timezone.localdate() + dt.timedelta(days=10),
        )
    # Next period's report lists the actions raised in this one's period and what became of them.
    created = dt.datetime(2026, 12, 3, 10, tzinfo=timezone.get_current_timezone())
    ImprovementAction.objects.filter(pk=action.pk).update(created_at=created)
    december = services.report_generate(actor=bob, department=sales, period_key="2026-12", today=dt.date(2027, 1, 10))
    january = selectors.build_figures(
        sales, ReportKind.MONTHLY, selectors.parse_period_key("2027-01")[1], today=dt.date(2027, 2, 10)
    )
    assert december.figures["last_period_actions"] == []
    assert [a["title"] for a in january["last_period_actions"]] == ["加强回款跟进"]
    assert january["last_period_actions"][0]["effect"] == ""  # not yet checked
    # done, verified, and at the next evaluation its figure is read again: the next report says whether it moved
    from apps.improvements import services as improvement_services

    action.refresh_from_db()
    improvement_services.improvement_start(actor=alice, action=action)
    improvement_services.improvement_complete(actor=alice, action=action, result="每周回款例会")
    improvement_services.improvement_verify(actor=bob, action=action, effective=True, verification="已落实")
    improvement_services.improvement_check_effect(
        actor=personas["auditor_dave"].user, action=action, value=Decimal("75"), today=action.effect_check_on
    )
    january = selectors.build_figures(
        sales, ReportKind.MONTHLY, selectors.parse_period_key("2027-01")[1], today=dt.date(2027, 2, 10)
    )
    (row,) = january["last_period_actions"]
    assert (row["effect"], row["effect_moved"]) == ("回款率 (%): 60.00 → 75.00", True)


def test_overdue_reports_are_reminded_once(personas, sales):
    report = _generate(personas, sales)
    bob, dave = personas["lead_bob"].user, personas["auditor_dave"].user
    assert services.reports_remind_overdue(today=report.due_date) == 0
    assert services.reports_remind_overdue(today=report.due_date + dt.timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=bob).count() == 1
    assert Notification.objects.filter(recipient=dave).count() == 1
    assert services.reports_remind_overdue(today=report.due_date + dt.timedelta(days=2)) == 0


def test_pages_generate_comment_submit_review(client, personas, sales):
    bob, dave = personas["lead_bob"], personas["auditor_dave"]
    c = bob.client()
    response = c.post(reverse("reports:report_generate"), {"department": sales.pk, "period_key": "2025-Q3"})
    report = DepartmentReport.objects.get()
    assert response.status_code == 302 and report.kind == ReportKind.QUARTERLY
    c.post(reverse("reports:report_edit", args=[report.pk]), {"commentary": "季度总结", "causes": "", "next_plans": ""})
    c.post(reverse("reports:report_submit", args=[report.pk]))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.commentary == "季度总结"
    c.post(reverse("reports:report_review", args=[report.pk]), {"comment": "自己审"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED  # a manager cannot review
    dave.client().post(reverse("reports:report_review", args=[report.pk]), {"comment": "已阅"})
    report.refresh_from_db()
    assert report.status == ReportStatus.REVIEWED and report.review_comment == "已阅"
    pack = dave.client().get(reverse("reports:report_pack"), {"period": "2025-Q3"})
    assert "季度总结" in pack.content.decode() and "已阅" in pack.content.decode()


def test_report_excel_and_pdf(personas, sales):
    make_contract(personas["rep_alice"].user, "1234.56", dt.date(2026, 11, 3))
    report = _generate(personas, sales)
    services.report_update(
        actor=personas["lead_bob"].user, departmentreport=report, data={"commentary": '=HYPERLINK("http://x")'}
    )
    client = personas["auditor_dave"].client()
    book = load_workbook(io.BytesIO(client.get(reverse("reports:report_export_xlsx", args=[report.pk])).content))
    figures = {f["label"]: f for f in report.figures["section"]["figures"]}
    sheet = book[report.figures["section"]["label"][:31]]
    for row in sheet.iter_rows(min_row=2):
        figure = figures[row[0].value]
        if figure["value"] is None:
            assert row[1].value is None
        else:
            assert Decimal(str(row[1].value)) == Decimal(str(figure["value"])) and row[1].data_type == "n"
    commentary = [row for row in book.worksheets[1].iter_rows(min_row=2)][0][1]
    assert commentary.data_type == "s" and commentary.value.startswith("=")  # text, not a formula
    pdf = client.get(reverse("reports:report_export_pdf", args=[report.pk])).content
    text = _pdftotext(pdf)
    assert sales.name in text and "1,234.56" in text


def _pdftotext(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        return subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True, text=True).stdout


def test_api_workflow(personas, sales):
    bob, dave = personas["lead_bob"].client(), personas["auditor_dave"].client()
    created = bob.post(
        "/api/v1/reports/", {"department": sales.pk, "period_key": "2025-10"}, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["allowed_actions"] == ["submit"]
    assert (
        bob.patch(f"/api/v1/reports/{pk}/", {"commentary": "API"}, content_type="application/json").json()["commentary"]
        == "API"
    )
    assert bob.post(f"/api/v1/reports/{pk}/submit/").json()["status"] == "submitted"
    assert bob.post(f"/api/v1/reports/{pk}/review/", {}, content_type="application/json").status_code == 403
    assert (
        dave.post(f"/api/v1/reports/{pk}/return/", {"comment": "补充"}, content_type="application/json").json()[
            "status"
        ]
        == "returned"
    )
    alice = personas["rep_alice"].client()
    assert (
        alice.post(
            "/api/v1/reports/", {"department": sales.pk, "period_key": "2025-09"}, content_type="application/json"
        ).status_code
        == 403
    )
    dashboard = dave.get(
        "/api/v1/dashboards/cockpit/", {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
    )
    assert dashboard.status_code == 200 and {s["key"] for s in dashboard.json()["sections"]} >= {"sales", "service"}
    assert alice.get("/api/v1/dashboards/cockpit/").status_code == 403


def test_subscription_delivers_a_pdf_by_mail_and_a_message_to_the_wecom_robot(personas, sales):
    from django.core.cache import cache

    from apps.core.models import NotificationChannel, NotificationDelivery
    from apps.core.services.delivery import send_due_notifications
    from apps.core.tests.fake_receiver import FakeReceiver

    cache.clear()  # the robots' per-minute counters
    dave, alice = personas["auditor_dave"].user, personas["rep_alice"].user
    dave.email, alice.email = "dave@example.cn", "alice@example.cn"
    dave.save(update_fields=["email"])
    alice.save(update_fields=["email"])
    make_contract(alice, "4321.00", dt.date(2026, 11, 3))
    receiver = FakeReceiver().start()
    subscription = services.subscription_create(
        actor=personas["lead_bob"].user,
        name="月度驾驶舱",
        target=SubscriptionTarget.COCKPIT,
        frequency=Frequency.MONTHLY,
        recipients=[dave, alice],
    )
    now = dt.datetime(2026, 12, 1, 8, tzinfo=timezone.get_current_timezone())
    assert services.subscription_due(subscription, now)
    try:
        NotificationChannel.objects.create(channel="wecom", enabled=True, url=f"{receiver.base}/wecom", key="k-rep")
        assert tasks.deliver(subscription, now) == 1
        send_due_notifications()  # the deliveries go out after commit; a test's transaction never commits
    finally:
        receiver.stop()
    # the robot got one message, for dave: the subscription's name, the cockpit's figures as he sees them, the link
    (message,) = receiver.on("/wecom")
    assert message.query["key"] == "k-rep"
    content = message.payload["text"]["content"]
    assert content.startswith("月度驾驶舱") and "4,321.00" in content
    assert content.rstrip().endswith(reverse("reports:cockpit"))
    (delivery,) = NotificationDelivery.objects.filter(channel="wecom")
    assert delivery.status == NotificationDelivery.Status.SENT
    assert not Notification.objects.filter(recipient=alice, title="月度驾驶舱").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dave@example.cn"]  # alice may not see the cockpit
    name, content, mimetype = mail.outbox[0].attachments[0]
    assert mimetype == "application/pdf" and name.endswith(".pdf")
    assert "4,321.00" in _pdftotext(content)
    assert Notification.objects.filter(recipient=dave, title="月度驾驶舱").exists()
    subscription.refresh_from_db()
    assert not services.subscription_due(subscription, now + dt.timedelta(hours=2))


def test_reporting_departments_are_the_top_of_each_kind(personas):
    found = set(selectors.reporting_departments().values_list("pk", flat=True))
    assert personas["lead_bob"].unit.pk in found and personas["rep_carol"].unit.pk in found
    assert personas["rep_alice"].unit.pk not in found  # a team reports through its department
    assert not Department.objects.filter(pk__in=found, kind="company").exists()


@pytest.mark.parametrize("day", [dt.date(2026, 12, 2), dt.date(2026, 12, 20)])  # before and after November's due date
def test_demo_a_year_of_reports_most_reviewed_one_returned_one_overdue(db, day):
    import io as _io

    import time_machine
    from django.core.management import call_command

    from apps.reports import demo

    call_command("load_demo", apps="org", stdout=_io.StringIO())
    with time_machine.travel(dt.datetime.combine(day, dt.time(10), ZoneInfo("Asia/Shanghai")), tick=False):
        demo.load(_io.StringIO())
        _check_demo_reports(latest_due_passed=day.day > 10)


def _check_demo_reports(*, latest_due_passed: bool) -> None:
    from apps.reports import demo

    reports = list(DepartmentReport.objects.all())
    assert len(reports) == 3 * 16  # three departments × (12 months + 4 quarters)
    today = timezone.localdate()
    by_status = {s: [r for r in reports if r.status == s] for s in ReportStatus.values}
    assert len(by_status[ReportStatus.RETURNED]) == 1
    overdue = [r for r in reports if r.status == ReportStatus.DRAFT and r.due_date < today]
    assert len(overdue) == 1 and overdue[0].department.code == "service", [(r, r.due_date, today) for r in overdue]
    assert len(by_status[ReportStatus.REVIEWED]) > len(reports) * 0.85
    # November's three reports: drafts while not yet due, then submitted and awaiting review (never overdue drafts)
    latest = [r for r in reports if r.period_key == "2026-11"]
    expected = ReportStatus.SUBMITTED if latest_due_passed else ReportStatus.DRAFT
    assert len(latest) == 3 and {r.status for r in latest} == {expected}
    assert {r.kind for r in reports} == {ReportKind.MONTHLY, ReportKind.QUARTERLY}
    # the demo's figures are the selectors' figures for the department (recomputed here)
    sample = by_status[ReportStatus.REVIEWED][0]
    rebuilt = selectors.build_figures(sample.department, sample.kind, selectors.report_period(sample))
    assert rebuilt["section"]["figures"] == sample.figures["section"]["figures"]
    demo.load(io.StringIO())
    assert DepartmentReport.objects.count() == len(reports)  # idempotent


def test_a_report_never_written_is_reminded_once(personas, sales):
    bob, dave = personas["lead_bob"].user, personas["auditor_dave"].user
    due = selectors.due_date(NOV[1])
    assert services.reports_remind_missing(today=due) == 0
    assert services.reports_remind_missing(today=due + dt.timedelta(days=1)) >= 1
    mine = Notification.objects.filter(recipient=bob, url=reverse("reports:report_generate"))
    assert mine.count() == 1 and sales.name in mine.get().body
    assert Notification.objects.filter(recipient=dave, topic=mine.get().topic).exists()
    assert services.reports_remind_missing(today=due + dt.timedelta(days=2)) == 0
    _generate(personas, sales, "2026-11")
    Notification.objects.all().delete()
    services.reports_remind_missing(today=due + dt.timedelta(days=3))
    assert not Notification.objects.filter(recipient=bob, url=reverse("reports:report_generate")).exists()


def test_workbench_shows_reports_to_write_and_to_review(personas, sales):
    from apps.core.workbench import workbench_items

    report = _generate(personas, sales)
    bob, dave = personas["lead_bob"].user, personas["auditor_dave"].user
    assert any(reverse("reports:report_detail", args=[report.pk]) == i.url for i in workbench_items(bob))
    assert not any(i.count for i in workbench_items(dave) if "reports" in i.url)
    services.report_submit(actor=bob, departmentreport=report)
    assert not any(reverse("reports:report_detail", args=[report.pk]) == i.url for i in workbench_items(bob))
    assert [i.count for i in workbench_items(dave) if i.url.startswith(reverse("reports:report_list"))] == [1]
    assert not any("reports" in i.url for i in workbench_items(personas["rep_alice"].user))
