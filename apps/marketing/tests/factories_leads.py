"""factory_boy factories for campaigns, leads, visits and market intelligence (set-up only; tests of writes use
the services)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import factory

from apps.marketing.choices import CampaignStatus, IntelCategory, IntelStatus, LeadSource, LeadStatus
from apps.marketing.models import Campaign, Lead, MarketIntel, Visit


def _unit(owner: Any) -> Any:
    employee = getattr(owner, "employee", None)
    return employee.department if employee else None


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"推广活动{n}")
    start_date = dt.date(2025, 3, 1)
    end_date = dt.date(2025, 3, 31)
    budget = Decimal("10000.00")
    actual_cost = Decimal("8000.00")
    status = CampaignStatus.RUNNING
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    source = LeadSource.MANUAL
    company_name = factory.Sequence(lambda n: f"测试线索公司{n}")
    contact_name = factory.Sequence(lambda n: f"联系人{n}")
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    status = LeadStatus.NEW
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner) if o.owner else None)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    visited_on = dt.date(2025, 4, 1)
    purpose = factory.Sequence(lambda n: f"拜访目的{n}")
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))


class IntelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketIntel

    title = factory.Sequence(lambda n: f"市场情报{n}")
    category = IntelCategory.COMPETITOR
    content = "竞争对手下调了报价。"
    status = IntelStatus.DRAFT
    owner = None
    owner_unit = factory.LazyAttribute(lambda o: _unit(o.owner))


@dataclass
class MarketingTeam:
    """A market development department beside the personas' sales department: a manager and two staff."""

    unit: Any
    manager: Any
    mkt1: Any
    mkt2: Any


def build_marketing_team(personas: dict[str, Any]) -> MarketingTeam:
    from apps.org.choices import BuiltinRole, DepartmentKind
    from apps.org.testing import make_department, make_employee

    company = personas["auditor_dave"].unit
    unit = make_department("市场营销部", "t-marketing", DepartmentKind.MARKET_DEVELOPMENT, company)
    manager = make_employee("mktmgr", "陈经理", unit, BuiltinRole.STAFF, BuiltinRole.DEPARTMENT_MANAGER).user
    unit.manager = manager
    unit.save(update_fields=["manager"])
    mkt1 = make_employee("mkt1", "刘洋", unit, BuiltinRole.STAFF).user
    mkt2 = make_employee("mkt2", "杨丽", unit, BuiltinRole.STAFF).user
    return MarketingTeam(unit=unit, manager=manager, mkt1=mkt1, mkt2=mkt2)
