"""The generic data-scope matrix for customers, contacts and follow-ups: selector, list page, API, 404s."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp
from apps.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory


def _customer(persona: Persona) -> Customer:
    return CustomerFactory(owner=persona.user, name=f"范围测试{persona.key}有限公司")


class CustomerScopeTests(core_testing.ScopeMatrixTests):
    model = Customer
    list_url = "/customers/"
    api_list_url = "/api/v1/customers/"
    detail_route = "customers:customer_detail"

    def make(self, persona: Persona) -> Customer:
        return _customer(persona)

    def label(self, record: Customer) -> str:
        return record.name

    def test_list_url_is_the_named_route(self) -> None:
        assert reverse("customers:customer_list") == "/customers/"


class ContactScopeTests(core_testing.ScopeMatrixTests):
    model = Contact
    list_url = "/customers/"
    api_list_url = "/api/v1/contacts/"

    def make(self, persona: Persona) -> Contact:
        return ContactFactory(customer=_customer(persona), name=f"联系人{persona.key}")

    def detail_url(self, record: Contact) -> str:
        return reverse("customers:customer_detail", args=[record.customer_id])

    def label(self, record: Contact) -> str:
        return record.name


class FollowUpScopeTests(core_testing.ScopeMatrixTests):
    model = FollowUp
    list_url = "/customers/"
    api_list_url = "/api/v1/follow-ups/"

    def make(self, persona: Persona) -> FollowUp:
        return FollowUpFactory(customer=_customer(persona), content=f"跟进{persona.key}")

    def detail_url(self, record: FollowUp) -> str:
        return reverse("customers:customer_detail", args=[record.customer_id])

    def label(self, record: Any) -> str:
        return record.customer.name


class CustomerNeedScopeTests(core_testing.ScopeMatrixTests):
    """Needs are seen through their customer: on its page, and in the read-only API."""

    model = CustomerNeed
    list_url = "/customers/"
    api_list_url = "/api/v1/customer-needs/"

    def make(self, persona: Persona) -> CustomerNeed:
        return CustomerNeed.objects.create(
            customer=_customer(persona), content=f"需求{persona.key}", recorded_by=persona.user
        )

    def detail_url(self, record: CustomerNeed) -> str:
        return reverse("customers:customer_detail", args=[record.customer_id])

    def label(self, record: CustomerNeed) -> str:
        return record.customer.name


def test_the_service_department_sees_the_customers_its_staff_look_after(personas: dict[str, Persona]) -> None:
    """A customer owned by sales but served by rep_carol (客户服务部 B) is visible to B's manager through the
    service owner's department, and not to a manager elsewhere; the sales owner's side is unchanged."""
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_employee

    service_manager = make_employee(
        "svc_mgr", "客服经理", personas["rep_carol"].unit, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER
    ).user
    served = CustomerFactory(
        owner=personas["rep_alice"].user,
        owner_unit=personas["rep_alice"].unit,
        service_owner=personas["rep_carol"].user,
        name="客服负责的客户",
    )
    unserved = CustomerFactory(
        owner=personas["rep_alice"].user, owner_unit=personas["rep_alice"].unit, name="无客服的客户"
    )
    seen = set(Customer.objects.visible_to(service_manager).values_list("pk", flat=True))
    assert served.pk in seen and unserved.pk not in seen
    assert {served.pk, unserved.pk} <= set(
        Customer.objects.visible_to(personas["lead_bob"].user).values_list("pk", flat=True)
    )
