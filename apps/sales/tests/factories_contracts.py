"""factory_boy factories for contracts and payments (set-up only; tests of writes go through the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from apps.customers.tests.factories import CustomerFactory, _unit
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment, PaymentPlan, Product


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"HTP{n:04d}")
    name = factory.Sequence(lambda n: f"合同测试产品{n}")
    list_price = Decimal("10000.00")


class ContractFactory(factory.django.DjangoModelFactory):
    """A contract (default approved) owned by ``owner``, for a customer of the same owner."""

    class Meta:
        model = Contract

    owner: Any = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))
    customer = factory.LazyAttribute(lambda o: CustomerFactory(owner=o.owner))
    number = factory.Sequence(lambda n: f"HTTEST-{n:05d}")
    title = factory.Sequence(lambda n: f"测试合同{n:04d}")
    signed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    amount = Decimal("100000.00")
    status = ContractStatus.APPROVED
    created_by = factory.LazyAttribute(lambda o: o.owner)


class PaymentPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentPlan

    contract = factory.SubFactory(ContractFactory)
    instalment = factory.Sequence(lambda n: n + 1)
    due_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=30))
    amount = Decimal("50000.00")


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    contract = factory.SubFactory(ContractFactory)
    number = factory.Sequence(lambda n: f"HKTEST-{n:05d}")
    received_on = factory.LazyFunction(timezone.localdate)
    amount = Decimal("1000.00")
    recorded_by = factory.LazyAttribute(lambda o: o.contract.owner)
