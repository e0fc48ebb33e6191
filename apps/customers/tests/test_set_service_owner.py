"""The "set service owner" action (服务负责人) for customer service managers (issue 10): under the one "whom may I
assign?" rule a first service owner could only be named by the administrator, since the sales department's customers
are outside the service manager's scope. The manager now names one — for a customer nobody serves yet, one they see
or one served by their people — only from their own service staff, with the reason in the customer's history;
salespeople, service staff and managers of other departments cannot."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from apps.customers.models import Customer
from apps.customers.selectors.archive import customers_without_service_owner
from apps.customers.services.archive import customer_set_service_owner
from apps.customers.tests.factories import CustomerFactory
from apps.customers.tests.test_service_owner import service_manager

pytestmark = pytest.mark.django_db


def _customer(personas: dict, **extra: Any) -> Customer:
    alice = personas["rep_alice"]
    return CustomerFactory(owner=alice.user, owner_unit=alice.unit, **extra)


def test_the_service_manager_names_a_first_service_owner_with_history(personas: dict) -> None:
    manager, carol = service_manager(personas), personas["rep_carol"].user
    customer = _customer(personas)
    assert not Customer.objects.visible_to(manager).filter(pk=customer.pk).exists()  # the sales department's
    assert customer in customers_without_service_owner(user=manager)
    customer_set_service_owner(actor=manager, customer=customer, service_owner=carol, reason="华东大客户，指定专人维护")
    customer.refresh_from_db()
    assert customer.service_owner == carol
    last = customer.history.latest("history_date")
    assert last.history_user == manager and last.service_owner_id == carol.pk
    assert "指定专人" in (last.history_change_reason or "")
    # carol now sees it (sharing), and it left the manager's work list
    assert Customer.objects.visible_to(carol).filter(pk=customer.pk).exists()
    assert customer not in customers_without_service_owner(user=manager)
    # the manager may change it again (served by his people) and clear it
    customer_set_service_owner(actor=manager, customer=customer, service_owner=manager)
    customer_set_service_owner(actor=manager, customer=customer, service_owner=None, reason="客户暂停合作")
    customer.refresh_from_db()
    assert customer.service_owner is None


def test_only_people_of_the_managers_service_scope_can_be_named(personas: dict) -> None:
    manager, alice, bob = service_manager(personas), personas["rep_alice"].user, personas["lead_bob"].user
    customer = _customer(personas)
    for person in (alice, bob):
        with pytest.raises(ValidationError):
            customer_set_service_owner(actor=manager, customer=customer, service_owner=person)
    customer.refresh_from_db()
    assert customer.service_owner_id is None


@pytest.mark.parametrize("who", ["rep_alice", "lead_bob", "rep_carol", "auditor_dave"])
def test_others_cannot_set_a_service_owner(personas: dict, who: str) -> None:
    """The sales owner, the sales manager, a service clerk and senior management: refused by the service, 403 on
    the page and the work list, no form on the customer page."""
    service_manager(personas)
    carol, actor = personas["rep_carol"].user, personas[who].user
    customer = _customer(personas)
    with pytest.raises(PermissionDenied):
        customer_set_service_owner(actor=actor, customer=customer, service_owner=carol)
    client = personas[who].client()
    assert client.get(reverse("customers:service_owner_list")).status_code == 403
    response = client.post(reverse("customers:customer_service_owner", args=[customer.pk]), {"service_owner": carol.pk})
    assert response.status_code == 403
    customer.refresh_from_db()
    assert customer.service_owner_id is None
    detail = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    if detail.status_code == 200:
        assert 'data-testid="service-owner-form"' not in detail.content.decode()


def test_a_customer_served_by_another_department_is_out_of_reach(personas: dict) -> None:
    """A customer already served by someone the manager may not assign (here the sales manager, named by the
    administrator) is not his to re-assign."""
    manager, bob, carol = service_manager(personas), personas["lead_bob"].user, personas["rep_carol"].user
    customer = _customer(personas)
    Customer.objects.filter(pk=customer.pk).update(service_owner=bob)
    with pytest.raises(PermissionDenied):
        customer_set_service_owner(actor=manager, customer=customer, service_owner=carol)


def test_the_pages_name_a_service_owner(personas: dict) -> None:
    manager, carol = service_manager(personas), personas["rep_carol"].user
    customer = _customer(personas)
    client = type(personas["rep_carol"])("csm", manager, personas["rep_carol"].unit).client()
    listing = client.get(reverse("customers:service_owner_list"))
    assert listing.status_code == 200 and customer.name in listing.content.decode()
    assert client.get(reverse("customers:customer_list")).content.decode().count("service-owner-list-link") == 1
    response = client.post(
        reverse("customers:customer_service_owner", args=[customer.pk]),
        {"service_owner": carol.pk, "reason": "就近服务", "next": "unserved"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("customers:service_owner_list")
    customer.refresh_from_db()
    assert customer.service_owner == carol
    # now in the manager's reach: the customer page shows the form, offering his department only
    detail = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert detail.status_code == 200 and 'data-testid="service-owner-form"' in detail.content.decode()
    offered = detail.context["service_owner_form"].fields["service_owner"].queryset
    assert set(offered) == {manager, carol}


def test_the_work_list_searches_and_reloads_its_rows_with_htmx(personas: dict) -> None:
    """The work list is a generic scoped list over the list layout: the search box narrows it by name, and an htmx
    request gets the rows alone, with the customers nobody serves yet — never one already served."""
    manager = service_manager(personas)
    unserved = _customer(personas, name="无人服务科技有限公司")
    served = _customer(personas, name="已有服务科技有限公司", service_owner=personas["rep_carol"].user)
    client = type(personas["rep_carol"])("csm", manager, personas["rep_carol"].unit).client()
    url = reverse("customers:service_owner_list")
    rows = client.get(url, {"q": "服务科技"}, HTTP_HX_REQUEST="true").content.decode()
    assert rows.lstrip().startswith('<div id="rows"') and "<html" not in rows
    assert unserved.name in rows and served.name not in rows
    other = client.get(url, {"q": "没有这家"}).content.decode()
    assert unserved.name not in other and 'data-testid="empty-state"' in other
