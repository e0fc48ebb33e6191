"""Permissions follow the kind of department (issue 10, "each role sees and may do what its work needs"): the same
built-in role — staff, department manager — works contracts in the sales department, tickets in customer service and
campaigns in market development, and is stopped (403, no button) from the other departments' writes. Senior
management reads everything and writes none of the departments' day-to-day records. An install migrated before the
split loses the generic grants on its next migrate."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from apps.org.choices import BuiltinRole as R
from apps.org.choices import DepartmentKind as K
from apps.org.models import Role, RoleKindGrant
from apps.org.roles import sync_builtin_roles
from apps.org.testing import make_department, make_employee

pytestmark = pytest.mark.django_db

# Each department's own writes: (permission, page that creates such a record, the list page, its button's testid)
WRITES = {
    K.SALES: ("sales.add_contract", "sales:contract_create", "sales:contract_list", "contract-create"),
    K.MARKET_DEVELOPMENT: (
        "marketing.add_campaign",
        "marketing:campaign_create",
        "marketing:campaign_list",
        "campaign-create",
    ),
    K.CUSTOMER_SERVICE: (
        "service.add_relationshipcontact",
        "service:contact_create",
        "service:contact_list",
        "contact-create",
    ),
}
# Beyond the create pages: what else belongs to one department only.
MORE = {
    K.SALES: ["sales.add_opportunity", "sales.add_payment", "customers.claim_customer"],
    K.MARKET_DEVELOPMENT: ["marketing.add_lead", "marketing.handover_lead", "marketing.add_marketresearch"],
    K.CUSTOMER_SERVICE: ["service.add_relationshipcontact", "service.change_duecontact"],
}
MANAGER_ONLY = {
    K.SALES: ["sales.approve_contract", "customers.transfer_customer"],
    K.MARKET_DEVELOPMENT: ["marketing.approve_marketplan", "marketing.publish_marketintel"],
    K.CUSTOMER_SERVICE: ["service.assign_ticket", "customers.set_service_owner"],
}


@pytest.fixture
def company() -> dict[str, Any]:
    root = make_department("公司", "p-company", K.COMPANY)
    units = {
        K.SALES: make_department("销售部", "p-sales", K.SALES, root),
        K.MARKET_DEVELOPMENT: make_department("市场部", "p-mkt", K.MARKET_DEVELOPMENT, root),
        K.CUSTOMER_SERVICE: make_department("客服部", "p-cs", K.CUSTOMER_SERVICE, root),
        K.OTHER: make_department("财务部", "p-fin", K.OTHER, root),
    }
    people: dict[str, Any] = {}
    for kind, unit in units.items():
        people[f"staff:{kind}"] = make_employee(f"s-{kind}", f"员工{kind}", unit, R.STAFF).user
        people[f"manager:{kind}"] = make_employee(f"m-{kind}", f"经理{kind}", unit, R.STAFF, R.DEPARTMENT_MANAGER).user
    people["ceo"] = make_employee("p-ceo", "总经理", root, R.SENIOR_MANAGEMENT, R.LEADERSHIP_GROUP).user
    return people


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("level", ["staff", "manager"])
@pytest.mark.parametrize("kind", list(WRITES))
def test_each_department_writes_its_own_records_and_is_stopped_from_the_others(
    company: dict, kind: str, level: str
) -> None:
    user = company[f"{level}:{kind}"]
    client = _client(user)
    for other, (perm, create, listing, button) in WRITES.items():
        page = client.get(reverse(listing))
        assert page.status_code == 200, (kind, listing)
        form = client.get(reverse(create))
        if other == kind:
            assert user.has_perm(perm)
            assert form.status_code == 200, (kind, create)
            assert f'data-testid="{button}"' in page.content.decode()
        else:
            assert not user.has_perm(perm), (kind, perm)
            assert form.status_code == 403, (kind, create)
            assert f'data-testid="{button}"' not in page.content.decode(), (kind, listing)
    for other, perms in MORE.items():
        assert all(user.has_perm(p) == (other == kind) for p in perms), (kind, other)
    for other, perms in MANAGER_ONLY.items():
        assert all(user.has_perm(p) == (other == kind and level == "manager") for p in perms), (kind, level, other)


def test_sales_turns_handed_over_leads_into_customers_and_opens_tickets_for_them(company: dict) -> None:
    seller = company[f"staff:{K.SALES}"]
    assert seller.has_perm("marketing.convert_lead") and seller.has_perm("service.add_ticket")
    # …but assigning tickets and keeping relationship contacts stay with customer service
    assert not seller.has_perm("service.assign_ticket") and not seller.has_perm("service.add_relationshipcontact")
    # a service clerk neither claims from the pool nor creates customers, but keeps their contacts up to date
    clerk = company[f"staff:{K.CUSTOMER_SERVICE}"]
    assert not clerk.has_perm("customers.claim_customer") and not clerk.has_perm("customers.add_customer")
    assert clerk.has_perm("customers.add_contact") and clerk.has_perm("customers.add_followup")
    assert _client(clerk).get(reverse("customers:pool_list")).status_code == 403


@pytest.mark.parametrize("who", [f"staff:{K.OTHER}", f"manager:{K.OTHER}", "ceo"])
def test_other_departments_and_senior_management_read_but_write_none_of_it(company: dict, who: str) -> None:
    user = company[who]
    client = _client(user)
    for perm, create, listing, button in WRITES.values():
        assert not user.has_perm(perm), (who, perm)
        assert client.get(reverse(create)).status_code == 403, (who, create)
        page = client.get(reverse(listing))
        assert page.status_code == 200 and f'data-testid="{button}"' not in page.content.decode(), (who, listing)
    for perm in ("sales.view_contract", "marketing.view_campaign", "service.view_ticket", "customers.view_customer"):
        assert user.has_perm(perm), (who, perm)
    # every employee may record what a customer told them (senior management never did)
    assert user.has_perm("service.add_feedback") == (who != "ceo")


def test_moving_to_another_department_changes_the_rights(company: dict) -> None:
    from apps.org.models import Employee

    user = company[f"staff:{K.SALES}"]
    assert user.has_perm("sales.add_contract")
    employee = Employee.objects.get(user=user)
    employee.department = Employee.objects.get(user=company[f"staff:{K.CUSTOMER_SERVICE}"]).department
    employee.save(update_fields=["department"])
    user = type(user).objects.get(pk=user.pk)  # a fresh request: permissions are cached per user object
    assert not user.has_perm("sales.add_contract") and user.has_perm("service.add_relationshipcontact")


def test_an_install_with_the_old_generic_grants_loses_them_on_its_next_migrate(company: dict) -> None:
    """Before the split the staff role itself held the sales writes (so every clerk had them); the post-migrate
    sync that every migrate runs puts them back where they belong."""
    staff = Role.objects.get(code=R.STAFF)
    old = Permission.objects.get(content_type__app_label="sales", codename="add_contract")
    staff.permissions.add(old)
    RoleKindGrant.objects.filter(role=staff).delete()
    clerk = company[f"staff:{K.CUSTOMER_SERVICE}"]
    assert type(clerk).objects.get(pk=clerk.pk).has_perm("sales.add_contract")  # the defect, as it was
    sync_builtin_roles()
    assert old not in staff.permissions.all()
    assert not type(clerk).objects.get(pk=clerk.pk).has_perm("sales.add_contract")
    seller = company[f"staff:{K.SALES}"]
    assert type(seller).objects.get(pk=seller.pk).has_perm("sales.add_contract")
    assert RoleKindGrant.objects.filter(role=staff, department_kind=K.SALES).exists()
