"""A user's access (permissions, department, data scopes) is cached between requests (``org.scope.user_access``),
and no cached access ever outlives a change: a grant, a role, a role's permission, a department move or a
deactivation is seen by the very next request — inside the writing transaction, after a savepoint rolls back, and
after a real commit (the shared version every app server reads)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core.scoping import DataScope
from apps.customers.models import Customer
from apps.customers.tests.factories import CustomerFactory
from apps.org.choices import BuiltinRole
from apps.org.models import Department, Employee, Role, RoleGrant
from apps.org.scope import ACCESS_VERSION
from apps.org.services import employee_offboard, employee_update

pytestmark = pytest.mark.django_db
ACCESS_TABLES = ("org_employee", "org_role", "org_rolegrant", "auth_permission")


def _detail(customer: Customer) -> str:
    return reverse("customers:customer_detail", args=[customer.pk])


@pytest.fixture
def seen(personas: dict) -> dict[str, Any]:
    """Carol (customer service, own records) sees Alice's customer through a role granting her all customers;
    her client has opened the page once, so her access is cached."""
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    role = Role.objects.create(code="all-customers", name="全部客户", data_scope=DataScope.OWN)
    role.permissions.add(Permission.objects.get(content_type__app_label="customers", codename="view_customer"))
    grant = RoleGrant.objects.create(role=role, app_label="customers", data_scope=DataScope.ALL)
    carol = Employee.objects.get(user=personas["rep_carol"].user)
    carol.roles.add(role)
    client = personas["rep_carol"].client()
    assert client.get(_detail(customer)).status_code == 200
    return {"customer": customer, "role": role, "grant": grant, "carol": carol, "client": client}


def test_the_next_request_reads_the_access_from_the_cache(seen: dict) -> None:
    with CaptureQueriesContext(connection) as captured:
        assert seen["client"].get(_detail(seen["customer"])).status_code == 200
    tables = [t for q in captured.captured_queries for t in ACCESS_TABLES if f'FROM "{t}"' in q["sql"]]
    assert tables == []


def test_losing_the_grant_hides_the_record_on_the_next_request(seen: dict) -> None:
    seen["grant"].delete()
    assert seen["client"].get(_detail(seen["customer"])).status_code == 404


def test_a_narrower_grant_hides_the_record_on_the_next_request(seen: dict) -> None:
    seen["grant"].data_scope = DataScope.OWN
    seen["grant"].save()
    assert seen["client"].get(_detail(seen["customer"])).status_code == 404


def test_losing_the_role_hides_the_record(seen: dict) -> None:
    seen["carol"].roles.remove(seen["role"])
    assert seen["client"].get(_detail(seen["customer"])).status_code in (403, 404)


def test_the_role_losing_a_permission_loses_it_on_the_next_request(seen: dict) -> None:
    """Exporting is not a clerk's: the role gives it to Carol, and takes it back."""
    client, export = seen["client"], 'data-testid="export-menu"'
    permission = Permission.objects.get(content_type__app_label="customers", codename="export_customer")
    assert export not in client.get(reverse("customers:customer_list")).content.decode()
    seen["role"].permissions.add(permission)
    assert export in client.get(reverse("customers:customer_list")).content.decode()
    assert export in client.get(reverse("customers:customer_list")).content.decode()  # now from the cache
    seen["role"].permissions.remove(permission)
    assert export not in client.get(reverse("customers:customer_list")).content.decode()


def test_moving_department_changes_the_department_scope(personas: dict) -> None:
    """Bob manages sales A and sees his team's customers; moved to service, he no longer does."""
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    client = personas["lead_bob"].client()
    assert client.get(_detail(customer)).status_code == 200
    bob = Employee.objects.get(user=personas["lead_bob"].user)
    employee_update(
        actor=personas["admin"].user, employee=bob, data={"department": Department.objects.get(code="t-service")}
    )
    assert client.get(_detail(customer)).status_code == 404


def test_a_department_moved_out_of_the_tree_leaves_the_managers_scope(personas: dict) -> None:
    """Moving sales team A1 under service (its path changes by a bulk update) takes Alice's customer out of Bob's
    tree on the next request."""
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    client = personas["lead_bob"].client()
    assert client.get(_detail(customer)).status_code == 200
    team = Department.objects.get(code="t-sales-1")
    team.parent = Department.objects.get(code="t-service")
    team.path = f"{team.parent.path}{team.pk}/"
    Department.objects.filter(pk=team.pk).update(parent=team.parent, path=team.path)  # no signal at all
    Customer.objects.filter(pk=customer.pk).update(owner_unit=team)
    from apps.org.scope import access_changed

    access_changed()  # what the org service does after its bulk path update
    assert client.get(_detail(customer)).status_code == 404


def test_deactivated_employee_loses_the_access(personas: dict, seen: dict) -> None:
    employee_offboard(
        actor=personas["admin"].user,
        employee=seen["carol"],
        successor=Employee.objects.get(user=personas["rep_alice"].user),
    )
    response = seen["client"].get(_detail(seen["customer"]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_an_employee_record_set_inactive_loses_the_scope(seen: dict) -> None:
    seen["carol"].is_active = False
    seen["carol"].save()
    assert seen["client"].get(_detail(seen["customer"])).status_code in (403, 404)


def test_a_rolled_back_change_is_not_remembered(seen: dict) -> None:
    """Inside the transaction the request sees the grant gone; once it rolls back, the grant is there again."""
    with pytest.raises(RuntimeError), transaction.atomic():
        RoleGrant.objects.filter(pk=seen["grant"].pk).delete()
        assert seen["client"].get(_detail(seen["customer"])).status_code == 404
        raise RuntimeError("roll back")
    assert seen["client"].get(_detail(seen["customer"])).status_code == 200


def test_built_in_roles_still_apply_after_the_cache(personas: dict) -> None:
    """The built-in manager role is untouched by the tests above: a second request gives the same answers."""
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    for _ in range(2):
        assert personas["lead_bob"].client().get(_detail(customer)).status_code == 200
        assert personas["rep_carol"].client().get(_detail(customer)).status_code == 404
    assert Role.objects.get(code=BuiltinRole.DEPARTMENT_MANAGER).employees.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_moves_the_shared_version(personas: dict) -> None:
    """Real commits (as in production): warm the cache, commit the loss of the grant, and the next request —
    with a new shared version, the one every app server reads — no longer sees the record."""
    customer = CustomerFactory(owner=personas["rep_alice"].user)
    role = Role.objects.create(code="all-customers", name="全部客户", data_scope=DataScope.OWN)
    role.permissions.add(Permission.objects.get(content_type__app_label="customers", codename="view_customer"))
    grant = RoleGrant.objects.create(role=role, app_label="customers", data_scope=DataScope.ALL)
    Employee.objects.get(user=personas["rep_carol"].user).roles.add(role)
    client = personas["rep_carol"].client()
    assert client.get(_detail(customer)).status_code == 200
    before = ACCESS_VERSION.current()
    with transaction.atomic():
        grant.delete()
        assert ACCESS_VERSION.current() != before  # private to the writing transaction
    assert "-" not in ACCESS_VERSION.current() and ACCESS_VERSION.current() != before
    assert client.get(_detail(customer)).status_code == 404
