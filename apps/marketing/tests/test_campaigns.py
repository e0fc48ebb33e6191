"""Campaigns: results computed from the records (never stored), a list page whose query count does not grow with
the rows, the status pipeline, and the scope matrix."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.marketing.choices import CampaignStatus, LeadStatus
from apps.marketing.models import Campaign
from apps.marketing.selectors import campaigns as selectors
from apps.marketing.services import campaigns as svc
from apps.marketing.tests.factories_leads import CampaignFactory, LeadFactory, MarketingTeam, build_marketing_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


def _with_leads(owner: Any, leads: int, qualified: int, converted: int, cost: str = "8000.00") -> Campaign:
    campaign = CampaignFactory(owner=owner, actual_cost=Decimal(cost))
    now = timezone.now()
    for index in range(leads):
        LeadFactory(
            owner=owner,
            campaign=campaign,
            status=LeadStatus.QUALIFIED if index < qualified else "new",
            qualified_at=now if index < qualified else None,
            converted_at=now if index < converted else None,
        )
    return campaign


class CampaignMetricsTests:
    def test_leads_qualified_conversions_and_cost_per_lead(self, team: MarketingTeam) -> None:
        m = selectors.campaign_metrics(_with_leads(team.mkt1, leads=16, qualified=6, converted=2))
        assert (m.leads, m.qualified, m.conversions) == (16, 6, 2)
        assert m.cost_per_lead == Decimal("500.00")
        assert m.conversion_rate == Decimal("12.5")

    def test_no_leads_no_cost_per_lead(self, team: MarketingTeam) -> None:
        m = selectors.campaign_metrics(CampaignFactory(owner=team.mkt1))
        assert m.leads == 0 and m.cost_per_lead is None and m.conversion_rate is None

    def test_revenue_is_not_measured_until_sales_registers_it(self, team: MarketingTeam, monkeypatch) -> None:
        monkeypatch.setattr(selectors, "_revenue_provider", [])  # as before sales registers its measure
        m = selectors.campaign_metrics(_with_leads(team.mkt1, leads=2, qualified=1, converted=1))
        assert m.revenue is None and m.roi is None

    def test_roi_once_revenue_is_measurable(self, team: MarketingTeam, monkeypatch) -> None:
        monkeypatch.setattr(selectors, "_revenue_provider", [])  # restored afterwards, with sales' own measure
        campaign = _with_leads(team.mkt1, leads=2, qualified=1, converted=1, cost="10000.00")
        selectors.register_campaign_revenue(lambda ids: {pk: Decimal("25000.00") for pk in ids})
        m = selectors.campaign_metrics(campaign)
        assert m.revenue == Decimal("25000.00") and m.roi == Decimal("1.5000") and m.roi_pct == Decimal("150.0")

    def test_the_list_page_runs_the_same_queries_at_two_sizes(self, team: MarketingTeam, personas: dict) -> None:
        client = personas["admin"].client()

        def count() -> int:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(reverse("marketing:campaign_list")).status_code == 200
            return len(ctx.captured_queries)

        for _ in range(2):
            _with_leads(team.mkt1, leads=3, qualified=1, converted=1)
        count()  # the first page fills the per-user caches (scope, unread count)
        small = count()
        for _ in range(12):
            _with_leads(team.mkt2, leads=4, qualified=2, converted=1)
        assert count() == small


class CampaignServiceTests:
    def test_create_is_planned_and_owned(self, team: MarketingTeam) -> None:
        campaign = svc.campaign_create(
            actor=team.mkt1,
            data={"name": "春季展会", "start_date": "2025-03-01", "end_date": "2025-03-05", "budget": Decimal("50000")},
        )
        assert (campaign.status, campaign.owner, campaign.owner_unit) == (CampaignStatus.PLANNED, team.mkt1, team.unit)

    def test_end_before_start_is_refused(self, team: MarketingTeam) -> None:
        with pytest.raises(ValidationError) as info:
            svc.campaign_create(
                actor=team.mkt1, data={"name": "x", "start_date": "2025-03-05", "end_date": "2025-03-01"}
            )
        assert "end_date" in info.value.message_dict
        assert not Campaign.objects.exists()

    def test_status_pipeline(self, team: MarketingTeam) -> None:
        campaign = CampaignFactory(owner=team.mkt1, status=CampaignStatus.PLANNED)
        svc.campaign_set_status(actor=team.mkt1, campaign=campaign, status=CampaignStatus.RUNNING)
        svc.campaign_set_status(actor=team.mkt1, campaign=campaign, status=CampaignStatus.FINISHED)
        with pytest.raises(ValidationError):
            svc.campaign_set_status(actor=team.mkt1, campaign=campaign, status=CampaignStatus.RUNNING)


class CampaignScopeTests(core_testing.ScopeMatrixTests):
    model = Campaign
    list_url = "/marketing/campaigns/"
    api_list_url = "/api/v1/campaigns/"
    detail_route = "marketing:campaign_detail"

    def make(self, persona: Persona) -> Campaign:
        return CampaignFactory(owner=persona.user, owner_unit=persona.unit, name=f"活动-{persona.key}")

    def label(self, record: Campaign) -> str:
        return record.name
