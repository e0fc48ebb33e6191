"""The executive cockpit: every figure equals an independent recomputation from the raw rows (including 环比, 同比
and a period across a year end), who may open it and what each viewer sees, drill-downs that add up and never show
a record out of scope, the 元/万元 toggle, exports and a constant query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.workdays import TZ
from apps.marketing.choices import LeadStatus
from apps.marketing.models import Lead
from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors.periods import CUSTOM, ReportPeriod, resolve_period
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment
from apps.sales.tests.factories_attainment import make_contract, make_payment

pytestmark = pytest.mark.django_db

# A custom period across the year end, and its comparisons.
PERIOD = ReportPeriod(CUSTOM, dt.date(2025, 12, 1), dt.date(2026, 1, 31))


def _lead(owner, created: dt.date, status: str = LeadStatus.NEW) -> Lead:
    unit = owner.employee.department
    lead = Lead.objects.create(
        company_name=f"线索{created}{status}{Lead.objects.count()}",
        contact_name="张三",
        status=status,
        owner=owner,
        owner_unit=unit,
    )
    moment = dt.datetime.combine(created, dt.time(10), TZ)
    converted = moment if status == LeadStatus.CONVERTED else None
    qualified = moment if status in (LeadStatus.QUALIFIED, LeadStatus.CONVERTED) else None
    Lead.objects.filter(pk=lead.pk).update(created_at=moment, converted_at=converted, qualified_at=qualified)
    return lead


@pytest.fixture
def records(personas):
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    carol = personas["rep_carol"].user
    rows = {
        # the period (Dec 2025 – Jan 2026)
        "c1": make_contract(alice, "120000.00", dt.date(2025, 12, 15)),
        "c2": make_contract(bob, "80000.50", dt.date(2026, 1, 10)),
        "c3": make_contract(carol, "5000.00", dt.date(2026, 1, 20)),  # service dept: outside bob's tree
        "draft": make_contract(alice, "999999.00", dt.date(2026, 1, 5), status=ContractStatus.DRAFT),
        # 环比 (Oct – Nov 2025)
        "c4": make_contract(alice, "30000.00", dt.date(2025, 11, 30)),
        # 同比 (Dec 2024 – Jan 2025)
        "c5": make_contract(bob, "60000.00", dt.date(2025, 1, 31)),
        "c6": make_contract(alice, "1.00", dt.date(2025, 2, 1)),  # just outside 同比
    }
    make_payment(rows["c1"], "50000.00", dt.date(2026, 1, 3))
    make_payment(rows["c4"], "10000.00", dt.date(2025, 12, 31))
    make_payment(rows["c4"], "7.00", dt.date(2025, 11, 2))
    for created, status in [
        (dt.date(2025, 12, 2), LeadStatus.NEW),
        (dt.date(2026, 1, 31), LeadStatus.CONVERTED),
        (dt.date(2026, 1, 15), LeadStatus.QUALIFIED),
        (dt.date(2025, 11, 15), LeadStatus.NEW),
        (dt.date(2024, 12, 24), LeadStatus.CONVERTED),
    ]:
        _lead(alice, created, status)
    _lead(bob, dt.date(2026, 1, 2), LeadStatus.CONVERTED)
    return rows


def _contracts_total(start: dt.date, end: dt.date, owners=None) -> Decimal:
    qs = Contract.objects.filter(status=ContractStatus.APPROVED, signed_on__gte=start, signed_on__lte=end)
    if owners is not None:
        qs = qs.filter(owner__in=owners)
    return sum((c.amount for c in qs), Decimal("0"))


def _payments_total(start: dt.date, end: dt.date) -> Decimal:
    return sum(
        (
            p.amount
            for p in Payment.objects.filter(
                received_on__gte=start, received_on__lte=end, contract__status=ContractStatus.APPROVED
            )
        ),
        Decimal("0"),
    )


def _leads(start: dt.date, end: dt.date, **filters) -> int:
    first = dt.datetime.combine(start, dt.time(0), TZ)
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), TZ)
    return sum(
        1
        for lead in Lead.objects.all()
        if first <= lead.created_at < after and all(getattr(lead, k) == v for k, v in filters.items())
    )


def _figures(user, period=PERIOD):
    return {f.key: f for s in cockpit_selectors.cockpit(user, period, today=dt.date(2026, 2, 10)) for f in s.figures}


def test_periods_across_the_year_end():
    assert PERIOD.previous() == ReportPeriod(CUSTOM, dt.date(2025, 10, 1), dt.date(2025, 11, 30))
    assert PERIOD.year_before() == ReportPeriod(CUSTOM, dt.date(2024, 12, 1), dt.date(2025, 1, 31))
    jan = resolve_period("month", None, None, dt.date(2026, 1, 20))
    assert (jan.start, jan.end) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    assert jan.previous().start == dt.date(2025, 12, 1) and jan.previous().end == dt.date(2025, 12, 31)
    feb = resolve_period("month", None, None, dt.date(2024, 2, 10))
    assert feb.year_before().end == dt.date(2023, 2, 28)
    q1 = resolve_period("quarter", None, None, dt.date(2026, 2, 1))
    assert q1.previous() == ReportPeriod("quarter", dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    last = resolve_period("last_year", None, None, dt.date(2026, 5, 1))
    assert (last.start, last.end) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def test_every_sales_and_market_figure_equals_the_raw_rows(personas, records):
    figures = _figures(personas["auditor_dave"].user)
    previous, year_before = PERIOD.previous(), PERIOD.year_before()
    amount = figures["contract_amount"]
    assert amount.value == _contracts_total(PERIOD.start, PERIOD.end)
    assert amount.previous == _contracts_total(previous.start, previous.end)
    assert amount.year_before == _contracts_total(year_before.start, year_before.end)
    expected_change = ((amount.value - amount.previous) * 100 / amount.previous).quantize(Decimal("0.1"))
    assert amount.previous_change == expected_change
    payments = figures["payments"]
    assert payments.value == _payments_total(PERIOD.start, PERIOD.end)
    assert payments.previous == _payments_total(previous.start, previous.end)
    assert figures["leads"].value == _leads(PERIOD.start, PERIOD.end)
    assert figures["leads"].previous == _leads(previous.start, previous.end)
    assert figures["leads"].year_before == _leads(year_before.start, year_before.end)
    converted = _leads(PERIOD.start, PERIOD.end, status=LeadStatus.CONVERTED)
    assert figures["converted"].value == converted
    assert figures["conversion_pct"].value == (Decimal(converted) * 100 / _leads(PERIOD.start, PERIOD.end)).quantize(
        Decimal("0.1")
    )


def test_the_sales_manager_sees_only_sales_and_his_tree(personas, records):
    bob = personas["lead_bob"].user
    sections = cockpit_selectors.cockpit(bob, PERIOD, today=dt.date(2026, 2, 10))
    assert [s.key for s in sections] == ["sales"]
    figures = {f.key: f for f in sections[0].figures}
    tree = [personas["rep_alice"].user, bob]
    assert figures["contract_amount"].value == _contracts_total(PERIOD.start, PERIOD.end, tree)
    assert figures["contract_amount"].value != _contracts_total(PERIOD.start, PERIOD.end)


def test_who_may_open_the_cockpit(client, personas, records):
    url = reverse("reports:cockpit")
    client.force_login(personas["rep_alice"].user)
    assert client.get(url).status_code == 403
    client.force_login(personas["lead_bob"].user)
    page = client.get(url).content.decode()
    assert 'data-testid="section-sales"' in page and 'data-testid="section-market"' not in page
    client.force_login(personas["auditor_dave"].user)
    page = client.get(url).content.decode()
    for section in cockpit_selectors.SECTIONS:
        assert f'data-testid="section-{section}"' in page


def test_drill_down_adds_up_and_stays_in_scope(client, personas, records):
    query = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
    url = reverse("reports:cockpit_drill", args=["contract_amount"])
    bob = personas["lead_bob"].user
    client.force_login(bob)
    departments = client.get(url, query).context["rows"]
    figure = _figures(bob)["contract_amount"].value
    assert sum(r.value for r in departments) == figure
    names = {r.name for r in departments}
    assert personas["rep_carol"].unit.name not in names  # the service department's contract is not his to see
    team = next(r for r in departments if r.pk == personas["rep_alice"].unit.pk)
    people = client.get(url, {**query, "department": team.pk}).context["rows"]
    assert sum(r.value for r in people) == team.value
    alice = personas["rep_alice"].user
    rows = client.get(url, {**query, "department": team.pk, "person": alice.pk}).context["rows"]
    assert sum(r.value for r in rows) == team.value
    assert {r.url for r in rows} == {reverse("sales:contract_detail", args=[records["c1"].pk])}
    for row in rows:
        assert client.get(row.url).status_code == 200
    # a figure of another section is not his to drill into
    assert client.get(reverse("reports:cockpit_drill", args=["leads"]), query).status_code == 404


def test_amount_unit_toggle_is_remembered(client, personas, records):
    client.force_login(personas["auditor_dave"].user)
    url = reverse("reports:cockpit")
    query = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
    page = client.get(url, {**query, "unit": "wan"}).content.decode()
    total = _contracts_total(PERIOD.start, PERIOD.end)
    wan = f"{(total / 10000).quantize(Decimal('0.01')):,}"
    assert wan in page
    assert wan in client.get(url, query).content.decode()  # remembered
    assert f"{total:,}" in client.get(url, {**query, "unit": "yuan"}).content.decode()


def test_excel_export_matches_the_figures(client, personas, records):
    dave = personas["auditor_dave"].user
    client.force_login(dave)
    query = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
    response = client.get(reverse("reports:cockpit_export", args=["xlsx"]), query)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    figures = _figures(dave)
    sales = book[str(cockpit_selectors.SECTION_LABELS["sales"])]
    values = {row[0].value: row for row in sales.iter_rows(min_row=2)}
    cell = values[figures["contract_amount"].label][1]
    assert cell.data_type == "n" and Decimal(str(cell.value)) == figures["contract_amount"].value
    assert values[figures["new_customers"].label][1].value == figures["new_customers"].value
    assert {str(s) for s in cockpit_selectors.SECTION_LABELS.values()} <= set(book.sheetnames)


@pytest.mark.parametrize("extra", [0, 12])
def test_cockpit_query_count_is_constant(client, personas, records, extra, django_assert_max_num_queries):
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    for i in range(extra):
        contract = make_contract(alice if i % 2 else bob, "1000.00", dt.date(2026, 1, 1 + i))
        make_payment(contract, "10.00", dt.date(2026, 1, 1 + i))
        _lead(alice, dt.date(2025, 12, 1 + i), LeadStatus.CONVERTED)
    client.force_login(personas["auditor_dave"].user)
    query = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
    client.get(reverse("reports:cockpit"), query)  # warm the per-process calendar caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("reports:cockpit"), query).status_code == 200
    QUERY_COUNTS[extra] = len(queries)
    if len(QUERY_COUNTS) == 2:
        assert QUERY_COUNTS[0] == QUERY_COUNTS[12], QUERY_COUNTS


QUERY_COUNTS: dict[int, int] = {}


def test_pdf_export_has_the_chinese_headings_and_figures(client, personas, records):
    import subprocess
    import tempfile

    dave = personas["auditor_dave"].user
    client.force_login(dave)
    query = {"period": "custom", "start": "2025-12-01", "end": "2026-01-31"}
    response = client.get(reverse("reports:cockpit_export", args=["pdf"]), query)
    assert response["Content-Type"] == "application/pdf"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(response.content)
        f.flush()
        text = subprocess.run(["pdftotext", "-layout", f.name, "-"], capture_output=True, check=True, text=True).stdout
    assert "高层驾驶舱" in text and "签约合同额" in text and "客户服务" in text
    assert f"{_figures(dave)['contract_amount'].value:,}" in text


def test_service_improvement_and_performance_figures_equal_the_raw_rows(personas):
    import secrets

    from apps.improvements.models import ImprovementAction
    from apps.improvements.tests.factories import ImprovementActionFactory
    from apps.performance.choices import ProposalStatus
    from apps.performance.models import RewardPenalty
    from apps.policy.choices import RewardPenaltyAction
    from apps.policy.selectors import rules_in_force
    from apps.service.choices import TicketPriority, TicketStatus, TicketType
    from apps.service.models import Ticket

    carol, alice = personas["rep_carol"], personas["rep_alice"]
    version = rules_in_force(dt.date(2026, 1, 1)).version_id
    moments = [
        dt.datetime(2025, 12, 3, 10, tzinfo=TZ),
        dt.datetime(2026, 1, 30, 16, tzinfo=TZ),
        dt.datetime(2025, 11, 20, 10, tzinfo=TZ),
        dt.datetime(2026, 2, 1, 9, tzinfo=TZ),
    ]
    for i, moment in enumerate(moments):
        ticket = Ticket.objects.create(
            number=f"GD-R-{i}",
            title="投诉",
            ticket_type=TicketType.COMPLAINT,
            priority=TicketPriority.HIGH,
            description="x",
            status=TicketStatus.RESOLVED if i % 2 == 0 else TicketStatus.IN_PROGRESS,
            assignee=carol.user,
            department=carol.unit,
            rules_version_id=version,
            first_response_due=moment + dt.timedelta(hours=2),
            resolution_due=moment + dt.timedelta(days=2),
            resolved_at=moment + dt.timedelta(hours=5) if i % 2 == 0 else None,
            public_token=secrets.token_urlsafe(16),
        )
        Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    for moment, status in [(moments[0], "open"), (moments[1], "verified"), (moments[2], "open")]:
        action = ImprovementActionFactory(owner=alice.user, status=status)
        ImprovementAction.objects.filter(pk=action.pk).update(
            created_at=moment, verified_at=moment if status == "verified" else None, due_date=dt.date(2026, 1, 5)
        )
    for moment, reward, amount in [
        (moments[0], True, "500.00"),
        (moments[1], False, "200.00"),
        (moments[2], True, "9.00"),
    ]:
        RewardPenalty.objects.create(
            action=RewardPenaltyAction.values[0],
            is_reward=reward,
            person=alice.user,
            department=alice.unit,
            reason="考核",
            amount=Decimal(amount),
            status=ProposalStatus.APPROVED,
            decided_at=moment,
        )
    figures = _figures(personas["auditor_dave"].user)
    first = dt.datetime(2025, 12, 1, tzinfo=TZ)
    after = dt.datetime(2026, 2, 1, tzinfo=TZ)
    complaints = [t for t in Ticket.objects.all() if first <= t.created_at < after]
    assert figures["complaints"].value == len(complaints) == 2
    resolved = sum(1 for t in complaints if t.resolved_at)
    assert figures["complaints_resolved_pct"].value == (Decimal(resolved) * 100 / len(complaints)).quantize(
        Decimal("0.1")
    )
    assert figures["complaints"].previous == 1
    actions = list(ImprovementAction.objects.all())
    assert figures["improvements_raised"].value == sum(1 for a in actions if first <= a.created_at < after)
    assert figures["improvements_verified"].value == 1
    assert figures["improvements_open"].value == sum(1 for a in actions if a.status == "open")
    assert figures["improvements_overdue"].value == sum(
        1 for a in actions if a.status == "open" and a.due_date < dt.date(2026, 2, 10)
    )
    rewards = [r for r in RewardPenalty.objects.all() if first <= r.decided_at < after]
    assert figures["rewards"].value == sum(1 for r in rewards if r.is_reward)
    assert figures["reward_amount"].value == sum(r.amount for r in rewards if r.is_reward)
    assert figures["penalty_amount"].value == sum(r.amount for r in rewards if not r.is_reward)
    assert figures["reward_amount"].previous == Decimal("9.00")


def test_a_manager_outside_the_three_areas_has_no_cockpit_and_no_link_to_it(client, personas):
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_department, make_employee

    finance = make_department("财务部", "t-finance", "other", personas["auditor_dave"].unit)
    manager = make_employee("fin", "财务经理", finance, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    client.force_login(manager)
    assert client.get(reverse("reports:cockpit")).status_code == 403
    page = client.get(reverse("reports:index"), follow=True)
    assert page.status_code == 200 and reverse("reports:cockpit") not in page.content.decode()
