"""Test helpers for tickets: customers, a customer-service manager, tickets opened through the service."""

from __future__ import annotations

from typing import Any

from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory
from apps.org.choices import BuiltinRole
from apps.org.models import Department
from apps.org.testing import make_employee
from apps.service.choices import TicketOrigin, TicketPriority, TicketType
from apps.service.services.tickets import ticket_create


def customer_of(owner: Any = None, **kwargs: Any) -> Any:
    return CustomerFactory(owner=owner, **kwargs)


def contact_of(customer: Any) -> Any:
    return ContactFactory(customer=customer)


def service_manager(personas: dict, username: str = "csm") -> Any:
    """A manager of the personas' customer-service department (客户服务部 B), set as its manager."""
    unit = personas["rep_carol"].unit
    employee = make_employee(username, "客服经理", unit, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER)
    Department.objects.filter(pk=unit.pk).update(manager=employee.user)
    unit.refresh_from_db()
    return employee.user


def make_ticket(actor: Any = None, *, origin: str = TicketOrigin.STAFF, **data: Any) -> Any:
    values = {
        "title": "设备无法启动",
        "ticket_type": TicketType.REPAIR,
        "priority": TicketPriority.MEDIUM,
        "description": "客户来电：设备开机无反应。",
    }
    values.update(data)
    return ticket_create(actor=actor, data=values, origin=origin)
