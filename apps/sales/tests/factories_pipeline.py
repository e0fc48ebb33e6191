"""factory_boy factories for products, opportunities and sales plans (set-up only; writes under test go through
the services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from apps.sales.choices import OpportunityStage
from apps.sales.models import Opportunity, Product, SalesPlan, SalesPlanAction


def _unit(owner: Any) -> Any:
    employee = getattr(owner, "employee", None)
    return employee.department if employee else None


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    code = factory.Sequence(lambda n: f"P{n:04d}")
    name = factory.Sequence(lambda n: f"测试产品{n}")
    category = "软件许可"
    list_price = Decimal("10000.00")


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Opportunity

    name = factory.Sequence(lambda n: f"测试商机{n:04d}")
    customer = factory.LazyAttribute(lambda o: _customer(o.owner))
    amount = Decimal("100000.00")
    stage = OpportunityStage.INITIAL
    stage_changed_at = factory.LazyFunction(timezone.now)
    expected_close_date = dt.date(2026, 12, 15)
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))
    created_by = factory.LazyAttribute(lambda o: o.owner)


def _customer(owner: Any) -> Any:
    from apps.customers.tests.factories import CustomerFactory

    return CustomerFactory(owner=owner)


class SalesPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesPlan
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"销售计划{n:03d}")
    period_start = dt.date(2026, 1, 1)
    period_end = dt.date(2026, 6, 30)
    strategy = "重点攻关华东制造业客户"
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))
    created_by = factory.LazyAttribute(lambda o: o.owner)


class SalesPlanActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SalesPlanAction

    title = factory.Sequence(lambda n: f"行动项{n}")
    start_date = dt.date(2026, 1, 5)
    due_date = dt.date(2026, 3, 31)
