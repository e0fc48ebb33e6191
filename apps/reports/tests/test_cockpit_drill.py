"""Cockpit drill-down after a refund and after a person moves team: at every level (department → person → records)
the rows add up to the figure, the figure equals the records recomputed from the raw tables within the viewer's
scope, and a drill-down never lists a record the viewer could not open — for senior management, the sales manager
whose team the person left, the manager of the team they joined; staff, a marketing employee and a customer-service
employee are refused the cockpit and its drill-downs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from apps.core.workdays import TZ
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.reports.selectors import cockpit as cockpit_selectors
from apps.reports.selectors.periods import CUSTOM, ReportPeriod
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment
from apps.sales.services import contracts as contract_services
from apps.sales.services import refunds as refund_services
from apps.sales.tests.factories_attainment import make_customer, make_payment
from apps.sales.tests.factories_contracts import ContractFactory

pytestmark = pytest.mark.django_db

NOVEMBER = ReportPeriod(CUSTOM, dt.date(2026, 11, 1), dt.date(2026, 11, 30))
QUERY = {"period": "custom", "start": "2026-11-01", "end": "2026-11-30"}
FIGURES = ("contract_amount", "payments")


def _signed(owner: Any, amount: str, day: dt.date) -> Contract:
    """Recorded through the service (which stamps the owner's department at the time), then approved."""
    contract = contract_services.contract_create(
        actor=owner,
        data={"title": "合同", "customer": make_customer(owner), "signed_on": day, "amount": Decimal(amount)},
    )
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.APPROVED)
    contract.refresh_from_db()
    return contract


@pytest.fixture
def story(personas):
    """alice (sales team A1, under bob) signs and is paid; part is refunded; she moves to team C1 of another sales
    department (under cathy) and signs again; carol (customer service) has one too — recorded before contracts became
    the sales departments' work (she may no longer record one), so it is written as a row, stamped with her unit."""
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    company = personas["auditor_dave"].unit
    sales_c = make_department("销售部 C", "t-sales-c", DepartmentKind.SALES, company)
    team_c1 = make_department("销售三组 C1", "t-sales-c1", DepartmentKind.SALES, sales_c)
    cathy = make_employee("cathy", "凯西", sales_c, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    sales_c.manager = cathy
    sales_c.save(update_fields=["manager"])
    market = make_department("市场部", "t-market", DepartmentKind.MARKET_DEVELOPMENT, company)
    mkt1 = make_employee("mkt1", "市场专员", market, BuiltinRole.STAFF).user

    before = _signed(alice, "100000.00", dt.date(2026, 11, 3))
    payment = make_payment(before, "60000.00", dt.date(2026, 11, 5))
    refund = refund_services.refund_request(
        actor=alice, contract=before, amount=Decimal("15000"), reason="退货", payment=payment
    )
    with time_machine.travel(dt.datetime(2026, 11, 12, 10, tzinfo=TZ), tick=False):
        refund_services.refund_approve(actor=bob, refund=refund)

    employee = alice.employee
    employee.department = team_c1
    employee.save(update_fields=["department"])
    alice = type(alice).objects.get(pk=alice.pk)
    after = _signed(alice, "30000.00", dt.date(2026, 11, 20))
    make_payment(after, "10000.00", dt.date(2026, 11, 25))
    service = ContractFactory(
        owner=carol, customer=make_customer(carol), amount=Decimal("5000.00"), signed_on=dt.date(2026, 11, 21)
    )
    return {
        "cathy": cathy,
        "mkt1": mkt1,
        "sales_c": sales_c,
        "before": before,
        "after": after,
        "service": service,
    }


def _records(key: str) -> list[tuple[Any, Decimal, int]]:
    """(stamped department, amount, contract id) of what the figure counts in November, from the raw tables."""
    if key == "payments":
        return [
            (p.contract.owner_unit, p.amount, p.contract_id)
            for p in Payment.objects.select_related("contract__owner_unit")
            if p.contract.status == ContractStatus.APPROVED and NOVEMBER.start <= p.received_on <= NOVEMBER.end
        ]
    return [
        (c.owner_unit, c.amount, c.pk)
        for c in Contract.objects.select_related("owner_unit")
        if c.status == ContractStatus.APPROVED and NOVEMBER.start <= c.signed_on <= NOVEMBER.end
    ]


def _in_scope(viewer: Any, key: str) -> tuple[Decimal, set[int]]:
    """The figure as the viewer may see it: everything for senior management, a manager the records stamped in
    their department's subtree (their own besides)."""
    unit = viewer.employee.department
    everyone = viewer.has_perm("reports.view_company_cockpit")
    rows = [r for r in _records(key) if everyone or r[0].path.startswith(unit.path)]
    return sum((r[1] for r in rows), Decimal("0")), {r[2] for r in rows}


def _walk(client: Client, key: str) -> tuple[Decimal, set[str]]:
    """Every level of the drill-down: each level adds up to the one above; returns the total and the record links."""
    url = reverse("reports:cockpit_drill", args=[key])
    departments = client.get(url, QUERY).context["rows"]
    total = sum((Decimal(r.value) for r in departments), Decimal("0"))
    links: set[str] = set()
    for department in departments:
        people = client.get(url, {**QUERY, "department": department.pk}).context["rows"]
        assert sum(Decimal(p.value) for p in people) == department.value, department.name
        for person in people:
            records = client.get(url, {**QUERY, "department": department.pk, "person": person.pk}).context["rows"]
            assert sum(Decimal(r.value) for r in records) == person.value, (department.name, person.name)
            links |= {r.url for r in records}
    return total, links


@pytest.mark.parametrize("viewer", ["auditor_dave", "lead_bob", "cathy"])
def test_drill_down_after_a_refund_and_a_team_move(client, personas, story, viewer):
    user = story[viewer] if viewer == "cathy" else personas[viewer].user
    client.force_login(user)
    figures = {
        f.key: f.value
        for s in cockpit_selectors.cockpit(user, NOVEMBER, sections=["sales"], today=dt.date(2026, 12, 10))
        for f in s.figures
    }
    for key in FIGURES:
        expected, contract_ids = _in_scope(user, key)
        total, links = _walk(client, key)
        assert total == figures[key] == expected, key
        assert links == {reverse("sales:contract_detail", args=[pk]) for pk in contract_ids}, key
        for link in links:  # every record listed opens for the viewer
            assert client.get(link).status_code == 200, link
    contract_link = reverse("sales:contract_detail", args=[story["before"].pk])
    after_link = reverse("sales:contract_detail", args=[story["after"].pk])
    _, links = _walk(client, "contract_amount")
    if viewer == "lead_bob":
        # what alice signed before she left stays with bob's department; what she signed after is not his
        assert contract_link in links and after_link not in links
        assert figures["payments"] == Decimal("45000.00")  # 60 000 paid less the 15 000 refunded
    if viewer == "cathy":
        assert after_link in links and contract_link not in links
        assert figures["contract_amount"] == Decimal("30000.00")
    if viewer == "auditor_dave":
        assert figures["payments"] == Decimal("55000.00")
        assert figures["contract_amount"] == Decimal("135000.00")


def test_those_without_the_cockpit_get_no_drill_down(client, personas, story):
    url = reverse("reports:cockpit_drill", args=["contract_amount"])
    for user in (personas["rep_alice"].user, personas["rep_carol"].user, story["mkt1"]):
        client.force_login(user)
        assert client.get(reverse("reports:cockpit"), QUERY).status_code == 403
        assert client.get(url, QUERY).status_code == 403
        assert client.get(url, {**QUERY, "department": story["sales_c"].pk}).status_code == 403
    # a sales manager may not drill into another area's figures
    client.force_login(personas["lead_bob"].user)
    assert client.get(reverse("reports:cockpit_drill", args=["complaints"]), QUERY).status_code == 404
    # nor reach another department's records by naming it: nothing out of his scope is listed
    rows = client.get(url, {**QUERY, "department": story["sales_c"].pk}).context["rows"]
    assert rows == []


def test_effectiveness_figures_and_their_drill_down(client, personas):
    from apps.improvements.models import ImprovementAction
    from apps.improvements.tests.factories import ImprovementActionFactory

    alice, carol = personas["rep_alice"].user, personas["rep_carol"].user
    today = dt.date(2026, 12, 10)
    rows = [  # owner, checked at, moved, check due on
        (alice, dt.datetime(2026, 11, 2, 9, tzinfo=TZ), True, dt.date(2026, 11, 1)),
        (carol, dt.datetime(2026, 11, 30, 23, tzinfo=TZ), True, dt.date(2026, 11, 1)),
        (alice, dt.datetime(2026, 11, 15, 9, tzinfo=TZ), False, dt.date(2026, 11, 1)),
        (alice, dt.datetime(2026, 12, 1, 0, tzinfo=TZ), True, dt.date(2026, 12, 1)),  # December
        (alice, None, None, dt.date(2026, 12, 1)),  # due, not yet checked
        (carol, None, None, dt.date(2027, 1, 1)),  # not yet due
    ]
    for owner, checked, moved, due in rows:
        action = ImprovementActionFactory(owner=owner, status="verified" if moved is not False else "ineffective")
        ImprovementAction.objects.filter(pk=action.pk).update(
            effect_checked_at=checked, effect_moved=moved, effect_check_on=due, effect_measure="指标"
        )
    first, after = dt.datetime(2026, 11, 1, tzinfo=TZ), dt.datetime(2026, 12, 1, tzinfo=TZ)
    actions = list(ImprovementAction.objects.all())

    def in_november(moved: bool) -> set[int]:
        return {
            a.pk
            for a in actions
            if a.effect_checked_at and first <= a.effect_checked_at < after and a.effect_moved is moved
        }

    due = {
        a.pk for a in actions if a.status == "verified" and a.effect_checked_at is None and a.effect_check_on <= today
    }
    dave = personas["auditor_dave"].user
    figures = {
        f.key: f for f in cockpit_selectors.cockpit(dave, NOVEMBER, sections=["improvement"], today=today)[0].figures
    }
    assert figures["improvements_effective"].value == len(in_november(True)) == 2
    assert figures["improvements_not_effective"].value == len(in_november(False)) == 1
    assert figures["improvements_effective"].previous == 0
    assert figures["improvements_checks_due"].value == len(due) == 1
    client.force_login(dave)
    for key, expected in (("improvements_effective", in_november(True)), ("improvements_checks_due", due)):
        total, links = _walk(client, key)
        assert total == figures[key].value
        assert links == {reverse("improvements:improvementaction_detail", args=[pk]) for pk in expected}
