"""Factories for research, plans, evaluations — and plain helpers that put leads, campaigns and visits at known
dates, so that computed actuals can be asserted exactly (set-up only; writes under test go through services)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from apps.marketing.choices import CampaignStatus, LeadSource, LeadStatus, PlanStatus
from apps.marketing.models import Campaign, Lead, MarketEvaluation, MarketPlan, MarketResearch, PlanGoal, Visit

Q_START, Q_END = dt.date(2025, 1, 1), dt.date(2025, 3, 31)


def _unit(obj: Any) -> Any:
    return obj.owner.employee.department


class ResearchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketResearch

    subject = factory.Sequence(lambda n: f"调研-{n}")
    target_market = "华东制造业"
    period_start = Q_START
    period_end = Q_END
    owner_unit = factory.LazyAttribute(_unit)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketPlan

    title = factory.Sequence(lambda n: f"计划-{n}")
    period_start = Q_START
    period_end = Q_END
    strategic_goal = "扩大华东市场份额"
    status = PlanStatus.EXECUTING
    owner_unit = factory.LazyAttribute(_unit)


class EvaluationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketEvaluation

    plan = factory.SubFactory(PlanFactory, owner=factory.SelfAttribute("..owner"))
    period_start = Q_START
    period_end = Q_END
    owner_unit = factory.LazyAttribute(_unit)


def add_goals(plan: MarketPlan, **targets: Any) -> None:
    PlanGoal.objects.bulk_create(
        [PlanGoal(plan=plan, metric=m, target_value=Decimal(str(v))) for m, v in targets.items()]
    )


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def make_lead(
    owner: Any,
    *,
    created: dt.date,
    plan: MarketPlan | None = None,
    campaign: Campaign | None = None,
    qualified: dt.date | None = None,
    converted: dt.date | None = None,
    handed: dt.date | None = None,
    status: str = LeadStatus.NEW,
) -> Lead:
    lead = Lead.objects.create(
        company_name="测试公司",
        contact_name="张三",
        owner=owner,
        owner_unit=owner.employee.department,
        source=LeadSource.CAMPAIGN if campaign else LeadSource.MANUAL,
        plan=plan,
        campaign=campaign,
        status=status,
        qualified_at=at(qualified) if qualified else None,
        converted_at=at(converted) if converted else None,
        handed_at=at(handed) if handed else None,
    )
    Lead.objects.filter(pk=lead.pk).update(created_at=at(created))  # auto_now_add cannot be set on create
    return lead


def make_campaign(
    owner: Any,
    *,
    start: dt.date,
    plan: MarketPlan | None = None,
    status: str = CampaignStatus.FINISHED,
    cost: str = "1000",
) -> Campaign:
    return Campaign.objects.create(
        name=f"活动 {start}",
        plan=plan,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        status=status,
        actual_cost=Decimal(cost),
        owner=owner,
        owner_unit=owner.employee.department,
    )


def make_visit(owner: Any, *, on: dt.date, lead: Lead) -> Visit:
    return Visit.objects.create(
        lead=lead, visited_on=on, purpose="拜访", owner=owner, owner_unit=owner.employee.department
    )
