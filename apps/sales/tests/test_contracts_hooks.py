"""What the contracts area registers elsewhere: campaign revenue, the plan goal "new_customer_revenue",
the customer timeline and the workbench reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from apps.customers.tests.factories import CustomerFactory
from apps.marketing.selectors.campaigns import metrics_for
from apps.marketing.tests.factories_leads import CampaignFactory, LeadFactory
from apps.marketing.tests.factories_plans import PlanFactory
from apps.sales.choices import ContractStatus
from apps.sales.hooks import contracts as hooks_contracts
from apps.sales.tests.factories_contracts import ContractFactory, PaymentFactory, PaymentPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _registered() -> None:
    """Other apps' tests may unregister the providers; these tests need this area's."""
    hooks_contracts.register()


def test_campaign_revenue_counts_approved_contracts_of_converted_customers(personas: dict) -> None:
    alice = personas["rep_alice"].user
    campaign, other = CampaignFactory(owner=alice), CampaignFactory(owner=alice)
    customer = CustomerFactory(owner=alice)
    converted = timezone.now() - dt.timedelta(days=30)
    LeadFactory(campaign=campaign, customer=customer, converted_at=converted)
    LeadFactory(campaign=campaign, customer=customer, converted_at=converted)  # two leads of one customer: once
    ContractFactory(owner=alice, customer=customer, amount=Decimal("300.00"))
    ContractFactory(owner=alice, customer=customer, amount=Decimal("50.00"), status=ContractStatus.VOIDED)
    ContractFactory(owner=alice, amount=Decimal("999.00"))  # a customer not from the campaign
    metrics = metrics_for(type(campaign).objects.filter(pk__in=[campaign.pk, other.pk]))
    assert {pk: m.revenue for pk, m in metrics.items()} == {campaign.pk: Decimal("300.00"), other.pk: Decimal("0")}


def test_plan_revenue_attributes_by_lead_plan_then_campaign_plan(personas: dict) -> None:
    alice = personas["rep_alice"].user
    plan_a, plan_b = PlanFactory(owner=alice), PlanFactory(owner=alice)
    direct, via_campaign = CustomerFactory(owner=alice), CustomerFactory(owner=alice)
    converted = timezone.make_aware(dt.datetime(2026, 5, 1, 10, 0))
    LeadFactory(
        plan=plan_a, campaign=CampaignFactory(owner=alice, plan=plan_b), customer=direct, converted_at=converted
    )
    LeadFactory(campaign=CampaignFactory(owner=alice, plan=plan_b), customer=via_campaign, converted_at=converted)
    day = dt.date(2026, 5, 10)
    ContractFactory(owner=alice, customer=direct, amount=Decimal("100"), signed_on=day)
    ContractFactory(owner=alice, customer=via_campaign, amount=Decimal("40"), signed_on=day)
    ContractFactory(owner=alice, customer=via_campaign, amount=Decimal("7"), signed_on=dt.date(2025, 1, 1))
    result = hooks_contracts.plan_new_customer_revenue(
        plans=[plan_a, plan_b], start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
    )
    assert result == {plan_a.pk: Decimal("100"), plan_b.pk: Decimal("40")}


def test_timeline_shows_contracts_and_payments(personas: dict) -> None:
    alice = personas["rep_alice"].user
    contract = ContractFactory(owner=alice)
    PaymentFactory(contract=contract, amount=Decimal("1234.50"))
    events = hooks_contracts.contract_events(contract.customer, alice) + hooks_contracts.payment_events(
        contract.customer, alice
    )
    assert [e.kind for e in events] == ["contract", "payment"]
    assert "¥1,234.50" in events[1].title
    assert "¥100,000.00" in events[0].title


def test_workbench_reminders(personas: dict) -> None:
    """The item titles are read in English."""
    with translation.override("en"):
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        today = timezone.localdate()
        contract = ContractFactory(owner=alice, end_date=today + dt.timedelta(days=20))
        PaymentPlanFactory(contract=contract, instalment=1, due_date=today - dt.timedelta(days=2))
        PaymentPlanFactory(contract=contract, instalment=2, due_date=today + dt.timedelta(days=2))
        ContractFactory(owner=alice, status=ContractStatus.PENDING)
        titles = [str(i.title) for i in hooks_contracts.workbench_items(alice)]
        assert any("Overdue" in t and "1" in t for t in titles)
        assert any("Payment due" in t for t in titles)
        assert any("expiring" in t for t in titles)
        bob_items = hooks_contracts.workbench_items(bob)
        assert [i.count for i in bob_items if "approval" in str(i.title)] == [1]
