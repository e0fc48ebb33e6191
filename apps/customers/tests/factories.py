"""factory_boy factories for the customer archive (set-up only; tests of writes go through the services)."""

from __future__ import annotations

from typing import Any

import factory
from django.utils import timezone

from apps.core.validators import uscc_check_char
from apps.customers.choices import FollowUpChannel, OwnershipAction
from apps.customers.models import Contact, Customer, FollowUp, OwnershipLog
from apps.customers.selectors.dedupe import name_key
from apps.org.models import Employee


def make_uscc(serial: int, region: str = "440300") -> str:
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    first17 = f"91{region}{serial:09d}"
    return first17 + uscc_check_char(first17)


def make_mobile(serial: int) -> str:
    return f"139{serial:08d}"


def _unit(user: Any) -> Any:
    employee = Employee.objects.filter(user=user).select_related("department").first() if user else None
    return employee.department if employee else None


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"档案测试{n:05d}科技有限公司")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    uscc = factory.Sequence(lambda n: make_uscc(n + 1))
    level = "B"
    province = "广东省"
    city = "深圳市"
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))
    owner_since = factory.LazyAttribute(lambda o: timezone.now() if o.owner else None)
    created_by = factory.LazyAttribute(lambda o: o.owner)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = factory.Sequence(lambda n: make_mobile(n + 1))
    is_primary = True


class FollowUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUp

    customer = factory.SubFactory(CustomerFactory)
    channel = FollowUpChannel.PHONE
    content = factory.Sequence(lambda n: f"电话沟通第{n}次")
    occurred_at = factory.LazyFunction(timezone.now)
    author = factory.LazyAttribute(lambda o: o.customer.owner)


class OwnershipLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipLog

    customer = factory.SubFactory(CustomerFactory)
    action = OwnershipAction.CREATE
    to_owner = factory.LazyAttribute(lambda o: o.customer.owner)
