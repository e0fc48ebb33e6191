"""Naming a customer's service owner follows the one "whom may I assign?" rule (``core.scoping.users_assignable``
for the service app): the sales owner cannot share the customer with anyone they like, the service manager names
people of the service department only."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from apps.customers.services.archive import customer_create, customer_update
from apps.customers.tests.factories import CustomerFactory
from apps.org.choices import BuiltinRole
from apps.org.models import Department
from apps.org.testing import make_employee


def service_manager(personas: dict) -> Any:
    """The manager of the personas' customer-service department (carol's)."""
    unit = personas["rep_carol"].unit
    employee = make_employee("csm", "客服经理", unit, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER)
    Department.objects.filter(pk=unit.pk).update(manager=employee.user)
    return employee.user


def _customer(personas: dict, **extra: Any) -> Any:
    alice = personas["rep_alice"]
    return CustomerFactory(owner=alice.user, owner_unit=alice.unit, **extra)


def test_the_sales_owner_cannot_name_anyone_service_owner(personas: dict) -> None:
    alice, carol, bob = (personas[k].user for k in ("rep_alice", "rep_carol", "lead_bob"))
    customer = _customer(personas)
    for person in (carol, bob):
        with pytest.raises(ValidationError) as refused:
            customer_update(actor=alice, customer=customer, data={"service_owner": person})
        assert "service_owner" in refused.value.message_dict
    customer.refresh_from_db()
    assert customer.service_owner_id is None
    with pytest.raises(ValidationError):
        customer_create(actor=alice, data={"name": "苏州新客户有限公司", "service_owner": carol})
    # Other fields still save while the service owner stays as it is.
    kept = _customer(personas, service_owner=carol)
    customer_update(actor=alice, customer=kept, data={"service_owner": carol, "remarks": "年度框架协议"})
    kept.refresh_from_db()
    assert (kept.service_owner, kept.remarks) == (carol, "年度框架协议")


def test_the_service_manager_names_service_staff_only(personas: dict) -> None:
    manager, carol, alice = service_manager(personas), personas["rep_carol"].user, personas["rep_alice"].user
    customer = _customer(personas, service_owner=carol)
    customer_update(actor=manager, customer=customer, data={"service_owner": manager})
    customer.refresh_from_db()
    assert customer.service_owner == manager
    with pytest.raises(ValidationError):
        customer_update(actor=manager, customer=customer, data={"service_owner": alice})


def test_the_form_offers_only_assignable_service_owners(personas: dict) -> None:
    manager = service_manager(personas)
    customer = _customer(personas, service_owner=personas["rep_carol"].user)
    client = personas["rep_alice"].client()
    page = client.get(f"/customers/{customer.pk}/edit/")
    assert page.status_code == 200
    offered = {str(u.pk) for u in page.context["form"].fields["service_owner"].queryset}
    assert offered == {str(personas["rep_alice"].user.pk), str(personas["rep_carol"].user.pk)}  # self + current
    assert str(manager.pk) not in offered
