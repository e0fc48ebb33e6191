"""Issue 12: the impact page of a draft counts, per changed rule, the records it touches (open tickets keeping the
old deadline, draft contracts that would now need approval, the cycles still to be computed)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.performance.choices import CycleStatus
from apps.performance.models import AssessmentCycle
from apps.policy import selectors
from apps.policy import services as policy_services
from apps.sales.choices import ContractStatus
from apps.sales.models import Contract
from apps.sales.tests.factories_contracts import ContractFactory
from apps.service.choices import ComplaintCategory, TicketPriority, TicketType
from apps.service.tests.factories_tickets import make_ticket

pytestmark = pytest.mark.django_db


def test_the_impact_counts_the_records_each_change_touches(personas: dict) -> None:
    leader = make_employee("lg", "领导", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    seller = personas["rep_alice"].user
    for amount, status in [
        ("350000", ContractStatus.DRAFT),
        ("450000", ContractStatus.DRAFT),
        ("600000", ContractStatus.DRAFT),
        ("400000", ContractStatus.APPROVED),
    ]:
        ContractFactory(owner=seller, amount=Decimal(amount), status=status)
    agent = personas["rep_carol"].user
    for ticket_type, priority in [(TicketType.COMPLAINT, TicketPriority.HIGH)] * 2 + [
        (TicketType.REPAIR, TicketPriority.HIGH)
    ]:
        extra = {"complaint_category": ComplaintCategory.PRODUCT_QUALITY} if ticket_type == TicketType.COMPLAINT else {}
        make_ticket(agent, ticket_type=ticket_type, priority=priority, **extra)
    draft = policy_services.policy_version_draft_from_in_force(actor=leader, label="1.1")
    policy_services.policy_version_update_rules(
        actor=leader,
        version=draft,
        rules={
            "service_deadlines": {"complaint": {"high": {"resolution_hours": 8}}},
            "approval_thresholds": {"contract_amount": "300000"},
            "kpi_weights": {"market_development": 20, "sales_target": 60, "customer_satisfaction": 20},
        },
    )
    from apps.service.models import Ticket

    open_complaints = Ticket.objects.filter(
        ticket_type=TicketType.COMPLAINT, priority=TicketPriority.HIGH, resolved_at__isnull=True
    ).count()
    newly_approved = sum(
        1
        for c in Contract.objects.filter(status=ContractStatus.DRAFT)
        if Decimal("300000") < c.amount <= Decimal("500000")
    )
    waiting = list(AssessmentCycle.objects.filter(status=CycleStatus.OPEN).values_list("name", flat=True))
    with translation.override("en"):
        impacts = {i.section: i for i in selectors.version_impact(draft)}
    assert set(impacts) == {"service_deadlines", "approval_thresholds", "kpi_weights"}
    assert any(
        f"{open_complaints} open tickets keep the deadlines of version 1.0" in e
        for e in impacts["service_deadlines"].effects
    )
    assert f"{newly_approved} draft contracts would now need approval." in impacts["approval_thresholds"].effects
    assert any(
        ("No assessment cycle" in e) if not waiting else all(w in e for w in waiting)
        for e in impacts["kpi_weights"].effects
    )
    client = Client()
    client.force_login(leader)
    page = client.get(reverse("policy:version_impact", args=[draft.pk]))
    assert page.status_code == 200
    assert f"{newly_approved} 份草稿合同将需要审批。" in page.content.decode()
    client.force_login(seller)
    assert client.get(reverse("policy:version_impact", args=[draft.pk])).status_code == 404
