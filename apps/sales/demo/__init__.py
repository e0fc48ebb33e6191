"""The demo company's sales: products and two years of opportunities, contracts and payments, then the targets
decomposed to both teams and all sales staff, consistent with them; the business that followed the campaigns' leads
(contracts signed after the conversion, so the campaign revenue and ROI are real figures) and a few refunds (so the
payments figure under refunds shows)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any, cast

from django.db import transaction
from django.utils import timezone

from apps.org.models import User
from apps.sales.choices import ContractStatus, OpportunityStage
from apps.sales.demo import pipeline as demo_pipeline
from apps.sales.demo import targets as demo_targets
from apps.sales.models import Contract, Opportunity, Payment, RefundRequest
from apps.sales.services import contracts as contract_services
from apps.sales.services import refunds as refund_services

CAMPAIGN_CONTRACTS_PER_CAMPAIGN = 2
REFUND_REASONS = ["客户部分设备退货，按合同约定退还相应款项", "重复付款，原路退回", "验收扣减，退还差额"]


def load(stdout: Any) -> None:
    demo_pipeline.load(stdout)
    _campaign_contracts(stdout)
    demo_targets.load(stdout)
    _refunds(stdout)


def _campaign_contracts(stdout: Any) -> None:
    """Some opportunities opened by converting a campaign's lead are won: a contract signed 10–40 days after the
    conversion (never after today), through the contract services, with its instalments and payments."""
    if Contract.objects.filter(opportunity__source_lead__campaign__isnull=False).exists():
        return
    rng = random.Random(20260110)
    today = timezone.localdate()
    picked: dict[int, int] = {}
    made = 0
    opportunities = (
        Opportunity.objects.filter(source_lead__campaign__isnull=False, source_lead__converted_at__isnull=False)
        .exclude(stage__in=(OpportunityStage.LOST, OpportunityStage.INVALID))
        .select_related("source_lead", "customer", "owner")
        .order_by("source_lead__campaign_id", "pk")
    )
    for opp in opportunities:
        lead = opp.source_lead
        if lead is None or lead.converted_at is None or opp.owner is None:
            continue
        campaign_id = cast(int, lead.campaign_id)
        if picked.get(campaign_id, 0) >= CAMPAIGN_CONTRACTS_PER_CAMPAIGN:
            continue
        converted = timezone.localtime(lead.converted_at).date()
        signed = min(converted + dt.timedelta(days=rng.randint(10, 40)), today)
        with transaction.atomic():
            contract = contract_services.contract_create(
                actor=opp.owner,
                data={
                    "opportunity": opp,
                    "customer": opp.customer,
                    "title": opp.name,
                    "signed_on": signed,
                    "start_date": signed,
                    "end_date": signed + dt.timedelta(days=365),
                },
            )
            contract = contract_services.contract_submit(actor=opp.owner, contract=contract)
            if contract.status == ContractStatus.PENDING:
                approver = next(iter(contract_services.contract_approvers(contract)), None)
                if approver is None:
                    raise LookupError(f"no approver for the demo contract {contract.number}")
                contract = contract_services.contract_approve(actor=cast(User, approver), contract=contract)
            demo_pipeline._payments(rng, contract, opp.owner, today)
        picked[campaign_id] = picked.get(campaign_id, 0) + 1
        made += 1
    stdout.write(f"  campaign business: {made} contracts signed after their lead's conversion")


def _refunds(stdout: Any) -> None:
    """Three refunds requested by the contract's owner on a received payment: two approved by a manager (negative
    payments dated today, so this month's payments figure shows them), one still awaiting approval."""
    if RefundRequest.objects.exists():
        return
    payments = list(
        Payment.objects.filter(amount__gt=0, contract__status=ContractStatus.APPROVED, contract__owner__isnull=False)
        .select_related("contract", "contract__owner", "contract__owner_unit")
        .order_by("-received_on", "pk")[:40]
    )
    rng = random.Random(20261201)
    owners: set[int] = set()
    made = 0
    for payment in payments:
        contract = payment.contract
        if contract.owner_id in owners or made >= len(REFUND_REASONS):
            continue
        approver = next((u for u in contract_services.contract_approvers(contract) if u.pk != contract.owner_id), None)
        if approver is None:
            continue
        amount = (payment.amount * Decimal(rng.choice(("0.1", "0.2", "0.25")))).quantize(Decimal("0.01"))
        with transaction.atomic():
            refund = refund_services.refund_request(
                actor=contract.owner, contract=contract, payment=payment, amount=amount, reason=REFUND_REASONS[made]
            )
            if made < 2:
                refund_services.refund_approve(actor=approver, refund=refund, comment="同意")
        owners.add(contract.owner_id)
        made += 1
    stdout.write(f"  refunds: {made} (2 approved as negative payments today, the rest awaiting approval)")
