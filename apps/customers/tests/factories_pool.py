"""Factories for the public-pool, import and export tests (customers made directly, bypassing the archive)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory
from django.utils import timezone

from apps.core.validators import uscc_check_char
from apps.customers.models import Contact, Customer
from apps.customers.selectors.dedupe import name_key
from apps.org.models import Employee


def valid_uscc(serial: int) -> str:
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    first17 = f"91310000{serial:09d}"
    return first17 + uscc_check_char(first17)


def unit_of(user: Any) -> Any:
    employee = Employee.objects.filter(user=user).select_related("department").first()
    return employee.department if employee else None


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"测试客户{n:04d}有限公司")
    name_key = factory.LazyAttribute(lambda o: name_key(o.name))
    level = "B"
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: unit_of(o.owner) if o.owner else None)
    owner_since = factory.LazyAttribute(lambda o: timezone.now() if o.owner else None)
    pooled_at = factory.LazyAttribute(lambda o: None if o.owner else timezone.now())


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")


def owned(
    owner: Any, *, days_owned: int, followed_days_ago: int | None = None, now: dt.datetime, **kwargs: Any
) -> Customer:
    """A customer ``owner`` has had for ``days_owned`` days, last followed up ``followed_days_ago`` days ago."""
    return CustomerFactory(
        owner=owner,
        owner_since=now - dt.timedelta(days=days_owned),
        last_follow_up_at=None if followed_days_ago is None else now - dt.timedelta(days=followed_days_ago),
        **kwargs,
    )
