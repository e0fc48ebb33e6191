"""Market research: leads created from a study, and the research scope matrix."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.marketing.choices import LeadSource, LeadStatus
from apps.marketing.models import Lead, MarketResearch
from apps.marketing.services import research as services
from apps.marketing.tests.factories_plans import Q_END, Q_START, ResearchFactory


class ResearchLeadsTests:
    def test_leads_are_attributed_to_the_research_and_owned_by_the_actor(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        research = services.research_create(
            actor=alice, subject="长三角汽配调研", target_market="长三角", period_start=Q_START, period_end=Q_END
        )
        leads = services.research_create_leads(
            actor=alice,
            research=research,
            rows=[
                {"company_name": "宁波甲公司", "contact_name": "王五", "mobile": "+86 138-0013-8000"},
                {"company_name": "苏州乙公司", "contact_name": "赵六"},
            ],
        )
        assert len(leads) == 2
        lead = Lead.objects.get(company_name="宁波甲公司")
        assert (lead.source, lead.research, lead.status, lead.owner) == (
            LeadSource.RESEARCH,
            research,
            LeadStatus.NEW,
            alice,
        )
        assert lead.mobile == "13800138000"

    def test_one_bad_row_adds_nothing_and_names_the_row(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        research = ResearchFactory(owner=alice)
        with pytest.raises(ValidationError, match="2"):
            services.research_create_leads(
                actor=alice,
                research=research,
                rows=[
                    {"company_name": "甲", "contact_name": "王"},
                    {"company_name": "乙", "contact_name": "李", "mobile": "12345"},
                ],
            )
        assert not Lead.objects.filter(research=research).exists()

    def test_the_page_adds_filled_rows_and_skips_blank_ones(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        research = ResearchFactory(owner=alice.user)
        data = {
            "leads-TOTAL_FORMS": "3",
            "leads-INITIAL_FORMS": "0",
            "leads-MIN_NUM_FORMS": "0",
            "leads-MAX_NUM_FORMS": "50",
            "leads-0-company_name": "杭州丙公司",
            "leads-0-contact_name": "孙七",
        }
        response = alice.client().post(reverse("marketing:research_leads", args=[research.pk]), data)
        assert response.status_code == 302
        assert list(Lead.objects.filter(research=research).values_list("company_name", flat=True)) == ["杭州丙公司"]

    def test_reversed_period_is_refused(self, personas: dict) -> None:
        with pytest.raises(ValidationError):
            services.research_create(
                actor=personas["rep_alice"].user, subject="x", target_market="y", period_start=Q_END, period_end=Q_START
            )


class ResearchScopeTests(core_testing.ScopeMatrixTests):
    model = MarketResearch
    list_url = "/marketing/research/"
    api_list_url = "/api/v1/research/"
    detail_route = "marketing:research_detail"

    def make(self, persona: Persona) -> MarketResearch:
        return ResearchFactory(owner=persona.user, subject=f"调研-{persona.key}")

    def label(self, record: MarketResearch) -> str:
        return record.subject
