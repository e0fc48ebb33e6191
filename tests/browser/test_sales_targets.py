"""Sales targets from the top down to a payment (policy arts. 5, 9), driven through the real pages.

ceo opens a 12,000,000 元 annual signed-contract-amount target for this fiscal year and gives the company node to
销售部 (the company node is outside sales_mgr's department tree). sales_mgr decomposes 销售部 in the editor → the two
teams → four people over twelve months — with the editor's own controls (add child nodes, spread evenly, edit a
cell). While it does not reconcile, submitting is refused and the message
names the node that does not add up; once it does, sales_mgr submits and ceo approves. sales1 then wins an
opportunity, creates the contract from it, submits it (sales_mgr approves when the rules in force require it) and
records the payment. The attainment of sales1, 销售一组（华东）, 销售部 and the company each grows by exactly the
contract amount, read from the attainment page and recomputed here from the records.

Set-up loads only the org demo (accounts, password demo12345) and the seeded policy. The customer and the open
opportunity are created through the services (typing a customer archive and an opportunity would only slow the
walk down; both pages have their own browser tests); winning it and everything after happens in the browser.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from apps.org.models import Department, Employee, User
from tests.browser.conftest import load_demo_org, screenshot
from tests.browser.helpers import login, logout, pk_from, zh

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANNUAL = Decimal("12000000")
DEAL = Decimal("880000.00")
COMPANY_DEPT = "销售部"
EAST, SOUTH = "销售一组（华东）", "销售二组（华南）"
PEOPLE = {EAST: ("sales1", "east2"), SOUTH: ("sales2", "south2")}
CUSTOMER = "杭州恒远自动化设备有限公司"


def node_pk(target_set_pk: int, *, department: str | None = None, username: str | None = None) -> int:
    from apps.sales.models import TargetNode

    nodes = TargetNode.objects.filter(target_set_id=target_set_pk)
    if username:
        return nodes.get(person__username=username).pk
    return nodes.get(department__name=department, person=None).pk


def company_node_pk(target_set_pk: int) -> int:
    from apps.sales.models import TargetNode

    return TargetNode.objects.get(target_set_id=target_set_pk, parent=None).pk


def add_child(page: Any, parent: str, *, department: str | None = None, person: str | None = None) -> None:
    """The editor's "add a sub-department or a person" form (a <details> that the page's reload closes again)."""
    page.locator("details:has([data-testid=target-add-node]) > summary").click()
    page.select_option("select[name=parent]", label=parent)
    if department:
        page.select_option("select[name=department]", label=department)
    if person:
        page.select_option("select[name=person]", label=person)
    page.get_by_test_id("target-add-node").click()
    page.wait_for_load_state()
    from playwright.sync_api import expect

    expect(page.locator(".flash-messages .alert-success")).to_contain_text(
        zh("Node added; spread its parent's targets or type its months.")
    )


def spread_evenly(page: Any, target_set_pk: int, parent_pk: int) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id(f"spread-{parent_pk}").click()
    page.locator(f"form[action$='/targets/nodes/{parent_pk}/spread/'] button[value=even]").click()
    expect(page.locator(".flash-messages .alert-success")).to_be_visible()


def set_cell(page: Any, pk: int, month: int, value: str) -> None:
    """Type a month and leave the cell: HTMX saves the row and the sums come back."""
    cell = page.get_by_test_id(f"cell-{pk}-{month}")
    with page.expect_response(lambda r: f"/nodes/{pk}/cell/" in r.url):
        cell.fill(value)
        cell.press("Tab")


def attainment(page: Any, base: str, target_set_pk: int, year: int, pks: dict[str, int]) -> dict[str, Decimal]:
    """The year's actual of each node, read from the attainment page's rows."""
    page.goto(f"{base}/sales/attainment/{target_set_pk}/?period={year}")
    return {
        name: Decimal(page.locator(f"[data-testid=attainment-row][data-node='{pk}']").get_attribute("data-actual"))
        for name, pk in pks.items()
    }


def recomputed(year: int) -> dict[str, Decimal]:
    """Independently of the attainment code: approved contracts signed this year, summed over the people employed
    in each subtree (sales1 alone; the team; the department; the whole company)."""
    from django.db.models import Sum

    from apps.sales.choices import ContractStatus
    from apps.sales.models import Contract

    def total(owner_ids: Any) -> Decimal:
        qs = Contract.objects.filter(
            status=ContractStatus.APPROVED,
            owner_id__in=owner_ids,
            signed_on__gte=dt.date(year, 1, 1),
            signed_on__lte=dt.date(year, 12, 31),
        )
        return qs.aggregate(s=Sum("amount"))["s"] or Decimal("0")

    def people_in(name: str | None) -> Any:
        employees = Employee.objects.all()
        if name is not None:
            path = Department.objects.get(name=name).path
            employees = employees.filter(department__path__startswith=path)
        return employees.values_list("user_id", flat=True)

    return {
        "sales1": total(User.objects.filter(username="sales1").values_list("pk", flat=True)),
        "team": total(people_in(EAST)),
        "department": total(people_in(COMPANY_DEPT)),
        "company": total(people_in(None)),
    }


def test_sales_targets_decomposed_then_attained_by_a_won_contract(live_server: Any, page: Any) -> None:
    load_demo_org()
    base = live_server.url
    from playwright.sync_api import expect

    from apps.customers.services.archive import customer_create
    from apps.sales.choices import ContractStatus, TargetStatus
    from apps.sales.models import Contract, TargetSet
    from apps.sales.services.opportunities import opportunity_create

    today = timezone.localdate()
    year = today.year
    company = Department.objects.get(parent=None).name
    names = {
        u.username: u.name or u.username
        for u in User.objects.filter(username__in=[p for pair in PEOPLE.values() for p in pair])
    }

    # ceo opens this year's company target: 12,000,000 元 of signed contracts, spread evenly over the months.
    login(page, base, "ceo")
    page.goto(f"{base}/sales/targets/")
    form = page.get_by_test_id("target-create-form")
    form.locator("input[name=fiscal_year]").fill(str(year))
    form.locator("select[name=metric]").select_option("contract_amount")
    form.locator("select[name=tier]").select_option("base")
    form.locator("input[name=annual]").fill(str(ANNUAL))
    form.locator("button").click()
    page.wait_for_url(re.compile(r"/sales/targets/\d+/$"))
    ts_pk = pk_from(page.url, "targets")
    target_set = TargetSet.objects.get(pk=ts_pk)
    assert (target_set.fiscal_year, target_set.metric) == (year, "contract_amount")
    root_pk = company_node_pk(ts_pk)
    expect(page.get_by_test_id(f"cell-{root_pk}-1")).to_have_value("1000000.00")
    # The company node is senior management's (outside sales_mgr's department tree): ceo gives it to 销售部.
    add_child(page, company, department=COMPANY_DEPT)
    dept_pk = node_pk(ts_pk, department=COMPANY_DEPT)
    spread_evenly(page, ts_pk, root_pk)
    expect(page.get_by_test_id(f"cell-{dept_pk}-1")).to_have_value("1000000.00")
    logout(page, base)

    # sales_mgr decomposes 销售部 → both teams → two people each, with the editor's controls.
    login(page, base, "sales_mgr")
    page.goto(f"{base}/sales/targets/{ts_pk}/")
    add_child(page, COMPANY_DEPT, department=EAST)
    add_child(page, COMPANY_DEPT, department=SOUTH)
    for team, people in PEOPLE.items():
        for username in people:
            add_child(page, team, person=f"{names[username]} · {team}")
    east_pk, south_pk = node_pk(ts_pk, department=EAST), node_pk(ts_pk, department=SOUTH)
    sales1_pk, east2_pk = node_pk(ts_pk, username="sales1"), node_pk(ts_pk, username="east2")

    # Nothing is given out to the teams yet: submitting is refused and the message names 销售部.
    page.get_by_test_id("target-submit").click()
    expect(page.locator(".flash-messages .alert-danger")).to_contain_text(COMPANY_DEPT)
    expect(page.get_by_test_id(f"unalloc-{dept_pk}")).to_be_visible()
    assert TargetSet.objects.get(pk=ts_pk).status == TargetStatus.DRAFT

    # Spread evenly down the tree: 500,000 a month to each team, 250,000 to each person.
    spread_evenly(page, ts_pk, dept_pk)
    spread_evenly(page, ts_pk, east_pk)
    spread_evenly(page, ts_pk, south_pk)
    expect(page.get_by_test_id(f"cell-{sales1_pk}-1")).to_have_value("250000.00")

    # sales1 is given more in January by hand: the team no longer reconciles, and submitting names it.
    set_cell(page, sales1_pk, 1, "300000")
    expect(page.get_by_test_id(f"unalloc-{east_pk}")).to_be_visible()
    page.get_by_test_id("target-submit").click()
    expect(page.locator(".flash-messages .alert-danger")).to_contain_text(EAST)
    assert TargetSet.objects.get(pk=ts_pk).status == TargetStatus.DRAFT
    screenshot(page, "sales_targets_refused")

    # east2 gives up the same amount in January: everything adds up, and the set is submitted.
    set_cell(page, east2_pk, 1, "200000")
    expect(page.get_by_test_id(f"unalloc-{east_pk}")).to_be_hidden()
    page.get_by_test_id("target-submit").click()
    expect(page.locator(".flash-messages .alert-success")).to_contain_text(zh("Targets submitted for approval."))
    logout(page, base)

    # ceo approves and locks it.
    login(page, base, "ceo")
    page.goto(f"{base}/sales/targets/{ts_pk}/")
    page.get_by_test_id("target-approve").click()
    expect(page.locator(".flash-messages .alert-success")).to_contain_text(zh("Targets approved and locked."))
    assert TargetSet.objects.get(pk=ts_pk).status == TargetStatus.APPROVED
    screenshot(page, "sales_targets_approved")

    pks = {"sales1": sales1_pk, "team": east_pk, "department": dept_pk, "company": root_pk}
    before = attainment(page, base, ts_pk, year, pks)
    assert before == recomputed(year)
    logout(page, base)

    # Set-up through the services (see the module docstring): sales1's customer and open opportunity.
    sales1 = User.objects.get(username="sales1")
    customer = customer_create(actor=sales1, data={"name": CUSTOMER})
    opportunity = opportunity_create(
        actor=sales1,
        data={
            "name": "产线自动化改造",
            "customer": customer,
            "amount": DEAL,
            "expected_close_date": today + dt.timedelta(days=10),
        },
    )

    # sales1 wins it, creates the contract from it and submits the contract.
    login(page, base, "sales1")
    page.goto(f"{base}/sales/opportunities/{opportunity.pk}/")
    move = page.get_by_test_id("move-form")
    move.locator("select[name=stage]").select_option("won")
    move.locator("button").click()
    page.get_by_test_id("contract-create").click()
    page.wait_for_url(re.compile(rf"/sales/contracts/new/\?opportunity={opportunity.pk}$"))
    expect(page.locator("select[name=opportunity]")).to_have_value(str(opportunity.pk))
    expect(page.locator("select[name=customer]")).to_have_value(str(customer.pk))
    page.fill("input[name=amount]", str(DEAL))
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(r"/sales/contracts/\d+/$"))
    contract_pk = pk_from(page.url, "contracts")
    page.get_by_test_id("contract-submit").click()
    expect(page.get_by_test_id("contract-submit")).to_have_count(0)
    contract = Contract.objects.get(pk=contract_pk)
    assert (contract.owner_id, contract.opportunity_id, contract.amount) == (sales1.pk, opportunity.pk, DEAL)

    if contract.status == ContractStatus.PENDING:  # above the thresholds of the rules in force
        logout(page, base)
        login(page, base, "sales_mgr")
        page.goto(f"{base}/sales/contracts/{contract_pk}/")
        page.get_by_test_id("contract-approve").click()
        expect(page.get_by_test_id("contract-approve")).to_have_count(0)
        logout(page, base)
        login(page, base, "sales1")
        page.goto(f"{base}/sales/contracts/{contract_pk}/")
    assert Contract.objects.get(pk=contract_pk).status == ContractStatus.APPROVED

    # sales1 records the payment in full.
    page.get_by_test_id("payment-create").click()
    page.fill("input[name=received_on]", today.isoformat())
    page.fill("input[name=amount]", str(DEAL))
    page.locator("select[name=method]").select_option(index=0)
    page.get_by_test_id("save").click()
    page.wait_for_url(re.compile(rf"/sales/contracts/{contract_pk}/$"))
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    expect(page.get_by_test_id("remaining")).to_contain_text("0.00")
    screenshot(page, "sales_targets_contract_paid")
    logout(page, base)

    # The attainment of sales1, the team, the department and the company each grew by exactly the contract amount,
    # and the page agrees with the records.
    login(page, base, "ceo")
    after = attainment(page, base, ts_pk, year, pks)
    screenshot(page, "sales_targets_attainment")
    assert {name: after[name] - before[name] for name in pks} == dict.fromkeys(pks, DEAL)
    assert after == recomputed(year)
