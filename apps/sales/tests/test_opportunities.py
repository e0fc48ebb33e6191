"""Opportunities (商机): stage moves with history and time in stage, reasons for lost/invalid, the weighted amount
from the configured probabilities, lines, lead conversion (attribution) and customer transfer."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.customers.services.archive import customer_transfer
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.marketing.choices import LeadStatus
from apps.marketing.services import leads as lead_services
from apps.marketing.tests.factories_leads import CampaignFactory, LeadFactory, build_marketing_team
from apps.sales.choices import OpportunityStage as St
from apps.sales.models import Opportunity, OpportunityStageChange
from apps.sales.selectors.opportunities import opportunity_list, opportunity_totals, weighted_amount
from apps.sales.services.opportunities import (
    opportunity_create,
    opportunity_move_stage,
    opportunity_update,
    stage_settings_update,
)
from apps.sales.tests.factories_pipeline import OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(personas: dict) -> Any:
    return personas["rep_alice"].user


@pytest.fixture
def opp(alice: Any) -> Opportunity:
    return opportunity_create(
        actor=alice, data={"name": "ERP 项目", "customer": CustomerFactory(owner=alice), "amount": Decimal("200000")}
    )


class CreateTests:
    def test_it_starts_in_initial_contact_with_a_first_history_row(self, opp: Opportunity, alice: Any) -> None:
        assert (opp.stage, opp.owner, opp.owner_unit.name) == (St.INITIAL, alice, "销售一组")
        assert list(opp.stage_changes.values_list("from_stage", "to_stage")) == [("", St.INITIAL)]

    def test_a_customer_out_of_scope_is_refused(self, alice: Any, personas: dict) -> None:
        other = CustomerFactory(owner=personas["rep_carol"].user)
        with pytest.raises(ValidationError) as info:
            opportunity_create(actor=alice, data={"name": "x", "customer": other})
        assert "customer" in info.value.message_dict
        assert not Opportunity.objects.exists()

    def test_lines_default_to_the_list_price_and_make_the_amount(self, alice: Any) -> None:
        licence = ProductFactory(list_price=Decimal("50000"))
        service = ProductFactory(list_price=Decimal("800"))
        opp = opportunity_create(
            actor=alice,
            data={"name": "x", "customer": CustomerFactory(owner=alice), "amount": Decimal("1")},
            lines=[
                {"product": licence, "quantity": Decimal("2"), "unit_price": None, "discount_pct": Decimal("10")},
                {"product": service, "quantity": Decimal("10"), "unit_price": Decimal("1000")},
            ],
        )
        opp.refresh_from_db()
        assert opp.amount == Decimal("100000.00")  # 2 × 50000 × 90 % + 10 × 1000
        assert sorted(line.unit_price for line in opp.lines.all()) == [Decimal("1000"), Decimal("50000")]

    def test_a_contact_of_another_customer_is_refused(self, alice: Any) -> None:
        contact = ContactFactory()
        with pytest.raises(ValidationError):
            opportunity_create(
                actor=alice, data={"name": "x", "customer": CustomerFactory(owner=alice), "contact": contact}
            )


class StageMoveTests:
    def test_each_move_records_the_time_spent_in_the_previous_stage(self, opp: Opportunity, alice: Any) -> None:
        Opportunity.objects.filter(pk=opp.pk).update(stage_changed_at=timezone.now() - dt.timedelta(days=3))
        opportunity_move_stage(actor=alice, opportunity=opp, stage=St.NEEDS)
        opportunity_move_stage(actor=alice, opportunity=opp, stage=St.INITIAL)  # backward is allowed
        changes = list(OpportunityStageChange.objects.filter(opportunity=opp).order_by("id"))
        assert [(c.from_stage, c.to_stage) for c in changes] == [
            ("", St.INITIAL),
            (St.INITIAL, St.NEEDS),
            (St.NEEDS, St.INITIAL),
        ]
        assert 3 * 86400 <= changes[1].seconds_in_previous < 3 * 86400 + 60
        assert changes[2].seconds_in_previous < 60
        opp.refresh_from_db()
        assert opp.stage == St.INITIAL and opp.stage_changed_at > timezone.now() - dt.timedelta(minutes=1)

    @pytest.mark.parametrize("stage", [St.LOST, St.INVALID])
    def test_lost_and_invalid_need_a_reason(self, opp: Opportunity, alice: Any, stage: str) -> None:
        with pytest.raises(ValidationError) as info:
            opportunity_move_stage(actor=alice, opportunity=opp, stage=stage, reason="  ")
        assert "reason" in info.value.message_dict
        opp.refresh_from_db()
        assert opp.stage == St.INITIAL and opp.stage_changes.count() == 1
        opportunity_move_stage(actor=alice, opportunity=opp, stage=stage, reason="预算取消")
        opp.refresh_from_db()
        assert (opp.stage, opp.close_reason, opp.closed_on) == (stage, "预算取消", timezone.localdate())

    def test_won_sets_the_close_date_and_a_closed_one_cannot_move(self, opp: Opportunity, alice: Any) -> None:
        opportunity_move_stage(actor=alice, opportunity=opp, stage=St.WON)
        opp.refresh_from_db()
        assert opp.closed_on == timezone.localdate()
        with pytest.raises(ValidationError):
            opportunity_move_stage(actor=alice, opportunity=opp, stage=St.NEGOTIATION)
        with pytest.raises(ValidationError):
            opportunity_update(actor=alice, opportunity=opp, data={"name": "改名"})

    def test_someone_out_of_scope_cannot_move_it(self, opp: Opportunity, personas: dict) -> None:
        with pytest.raises(PermissionDenied):
            opportunity_move_stage(actor=personas["rep_carol"].user, opportunity=opp, stage=St.NEEDS)
        opportunity_move_stage(actor=personas["lead_bob"].user, opportunity=opp, stage=St.NEEDS)


class WeightedAmountTests:
    def test_the_weighted_amount_follows_the_configured_probability(self, alice: Any, personas: dict) -> None:
        opp = OpportunityFactory(owner=alice, stage=St.PROPOSAL, amount=Decimal("100000"))
        OpportunityFactory(owner=alice, stage=St.NEGOTIATION, amount=Decimal("200000"))
        assert weighted_amount(opp) == Decimal("50000.00")
        assert opportunity_totals(opportunity_list(user=alice))["weighted_total"] == Decimal("200000")
        stage_settings_update(actor=personas["lead_bob"].user, probabilities={St.PROPOSAL: 60})
        assert weighted_amount(opp) == Decimal("60000.00")
        assert opportunity_list(user=alice).get(pk=opp.pk).weighted == Decimal("60000")
        assert opportunity_totals(opportunity_list(user=alice))["weighted_total"] == Decimal("210000")

    def test_only_a_manager_sets_probabilities(self, alice: Any) -> None:
        with pytest.raises(PermissionDenied):
            stage_settings_update(actor=alice, probabilities={St.PROPOSAL: 60})


class HookTests:
    def test_a_converted_lead_opens_an_attributed_opportunity(self, personas: dict, alice: Any) -> None:
        team = build_marketing_team(personas)
        campaign = CampaignFactory(owner=team.mkt1)
        lead = LeadFactory(
            owner=team.mkt1,
            status=LeadStatus.QUALIFIED,
            campaign=campaign,
            company_name="南京恒达机械有限公司",
            contact_name="周强",
            mobile="13912345678",
        )
        lead_services.lead_handover(actor=team.mkt1, lead=lead, to_user=alice, note="")
        customer = lead_services.lead_convert(actor=alice, lead=lead)
        opp = Opportunity.objects.get(source_lead=lead)
        assert (opp.customer, opp.campaign, opp.owner, opp.stage) == (customer, campaign, alice, St.INITIAL)
        assert opp.contact is not None and opp.contact.customer == customer

    def test_open_opportunities_follow_a_transferred_customer(self, personas: dict, alice: Any) -> None:
        bob = personas["lead_bob"].user
        customer = CustomerFactory(owner=alice)
        open_opp = OpportunityFactory(owner=alice, customer=customer, stage=St.PROPOSAL)
        won = OpportunityFactory(owner=alice, customer=customer, stage=St.WON)
        customer_transfer(actor=bob, customers=[customer], to_owner=bob, reason="调岗")
        open_opp.refresh_from_db()
        won.refresh_from_db()
        assert (open_opp.owner, open_opp.stage) == (bob, St.PROPOSAL)
        assert won.owner == alice


class WorkbenchAndTimelineTests:
    def test_workbench_shows_next_actions_due_and_close_dates_passed(self, alice: Any) -> None:
        from apps.sales.hooks.pipeline import workbench_items

        today = timezone.localdate()
        OpportunityFactory(
            owner=alice,
            name="今天要报价",
            next_action="发送报价",
            next_action_on=today,
            expected_close_date=today - dt.timedelta(days=3),
        )
        OpportunityFactory(
            owner=alice,
            name="已赢单",
            stage=St.WON,
            next_action_on=today,
            expected_close_date=today - dt.timedelta(days=3),
        )
        titles = [str(item.title) for item in workbench_items(alice)]
        assert any("今天要报价" in t for t in titles) and not any("已赢单" in t for t in titles)
        passed = [item for item in workbench_items(alice) if item.count]
        assert [item.count for item in passed] == [1]

    def test_the_customer_timeline_shows_its_opportunities(self, opp: Opportunity, alice: Any) -> None:
        from apps.customers.selectors.archive import customer_timeline

        events = customer_timeline(customer=opp.customer, user=alice, limit=20)
        assert any(e.kind == "opportunity" and "ERP 项目" in e.title for e in events)
