"""Visits: to a customer or a lead the actor may see; the customer's timeline shows them; next steps due reach the
workbench; the scope matrix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.customers.selectors.archive import customer_timeline
from apps.customers.services.archive import customer_create
from apps.marketing.hooks.leads import workbench_items
from apps.marketing.models import Visit
from apps.marketing.services import visits as svc
from apps.marketing.tests.factories_leads import LeadFactory, MarketingTeam, VisitFactory, build_marketing_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


class VisitServiceTests:
    def test_a_visit_needs_a_customer_or_a_lead(self, team: MarketingTeam) -> None:
        with pytest.raises(ValidationError) as info:
            svc.visit_create(actor=team.mkt1, data={"visited_on": timezone.localdate(), "purpose": "拜访"})
        assert "customer" in info.value.message_dict

    def test_not_for_a_lead_out_of_scope(self, team: MarketingTeam) -> None:
        lead = LeadFactory(owner=team.mkt2)
        with pytest.raises(ValidationError):
            svc.visit_create(
                actor=team.mkt1, data={"lead": lead, "visited_on": timezone.localdate(), "purpose": "拜访"}
            )

    def test_the_organiser_is_a_visitor_and_the_next_step_is_after(self, team: MarketingTeam) -> None:
        lead = LeadFactory(owner=team.mkt1)
        today = timezone.localdate()
        visit = svc.visit_create(
            actor=team.mkt1,
            visitors=[team.mkt2],
            data={
                "lead": lead,
                "visited_on": today,
                "purpose": "需求调研",
                "next_step": "发方案",
                "next_step_on": today + dt.timedelta(days=2),
            },
        )
        assert set(visit.visitors.all()) == {team.mkt1, team.mkt2}
        with pytest.raises(ValidationError):
            svc.visit_create(
                actor=team.mkt1,
                data={"lead": lead, "visited_on": today, "purpose": "x", "next_step_on": today - dt.timedelta(days=1)},
            )

    def test_the_customer_timeline_shows_the_visit(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        customer = customer_create(actor=alice, data={"name": "杭州云帆科技"})
        svc.visit_create(
            actor=alice,
            data={
                "customer": customer,
                "visited_on": timezone.localdate(),
                "purpose": "商务洽谈",
                "outcome": "对方有采购意向",
            },
        )
        events = [e for e in customer_timeline(customer=customer, user=alice) if e.kind == "visit"]
        assert len(events) == 1 and "商务洽谈" in events[0].title and "采购意向" in events[0].body

    def test_next_steps_due_reach_the_workbench(self, team: MarketingTeam) -> None:
        lead = LeadFactory(owner=team.mkt1, company_name="宁波海通")
        today = timezone.localdate()
        svc.visit_create(
            actor=team.mkt1,
            data={
                "lead": lead,
                "visited_on": today,
                "purpose": "回访",
                "next_step": "报价",
                "next_step_on": today + dt.timedelta(days=1),
            },
        )
        titles = [i.title for i in workbench_items(team.mkt1)]
        assert any("宁波海通" in t and "报价" in t for t in titles)
        assert not any("宁波海通" in i.title for i in workbench_items(team.mkt2))


class VisitScopeTests(core_testing.ScopeMatrixTests):
    model = Visit
    list_url = "/marketing/visits/"
    api_list_url = "/api/v1/visits/"
    detail_route = "marketing:visit_detail"

    def make(self, persona: Persona) -> Visit:
        lead = LeadFactory(owner=persona.user, owner_unit=persona.unit)
        return VisitFactory(owner=persona.user, owner_unit=persona.unit, lead=lead, purpose=f"拜访-{persona.key}")

    def label(self, record: Visit) -> str:
        return record.purpose
