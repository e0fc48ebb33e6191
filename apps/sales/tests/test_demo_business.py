"""The demo shows real campaign figures and refunds (issue 10): contracts follow the conversion of some campaign leads
(so the campaigns' revenue and ROI are not 0), and refunds lower this month's payments. Every figure is recomputed from
the raw rows (leads, contracts, payments), not typed."""

from __future__ import annotations

import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Min, Sum
from django.utils import timezone

from apps.marketing.models import Campaign, Lead
from apps.marketing.selectors.campaigns import metrics_for
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract, Payment, RefundRequest

pytestmark = pytest.mark.django_db


def _revenue_from_rows() -> dict[int, Decimal]:
    """Per campaign: approved contracts of the customers converted from its leads, signed on or after the Beijing day
    of the customer's first conversion from that campaign."""
    firsts = (
        Lead.objects.filter(campaign__isnull=False, customer__isnull=False, converted_at__isnull=False)
        .values("campaign_id", "customer_id")
        .annotate(first=Min("converted_at"))
    )
    result: dict[int, Decimal] = defaultdict(Decimal)
    for row in firsts:
        day = timezone.localtime(row["first"]).date()
        for contract in Contract.objects.filter(customer_id=row["customer_id"], status=ContractStatus.APPROVED):
            if contract.signed_on >= day:
                result[row["campaign_id"]] += contract.amount
    return result


def test_the_demo_has_campaign_revenue_and_refunds() -> None:
    call_command("load_demo", stdout=io.StringIO())
    campaigns = list(Campaign.objects.all())
    figures = metrics_for(campaigns)
    expected = _revenue_from_rows()
    assert {c.pk: figures[c.pk].revenue for c in campaigns} == {
        c.pk: expected.get(c.pk, Decimal("0")) for c in campaigns
    }
    earning = [c for c in campaigns if expected.get(c.pk, Decimal("0")) > 0]
    assert len(earning) >= len(campaigns) // 2, "most demo campaigns show revenue"
    for campaign in earning:
        assert figures[campaign.pk].roi is not None or not campaign.cost

    refunds = list(RefundRequest.objects.select_related("refund"))
    approved = [r for r in refunds if r.refund_id]
    assert len(refunds) == 3 and len(approved) == 2
    today = timezone.localdate()
    for refund in approved:
        assert refund.refund.amount == -refund.amount and refund.refund.received_on == today
        assert refund.decided_by_id not in (refund.requested_by_id, refund.contract.owner_id)
    month = Payment.objects.filter(received_on__year=today.year, received_on__month=today.month)
    received = month.filter(amount__gt=0).aggregate(s=Sum("amount"))["s"] or Decimal("0")
    net = month.aggregate(s=Sum("amount"))["s"] or Decimal("0")
    assert net == received - sum((r.amount for r in approved), Decimal("0"))

    call_command("load_demo", stdout=io.StringIO())  # idempotent: nothing added the second time
    assert RefundRequest.objects.count() == 3
    assert metrics_for(campaigns) == figures
