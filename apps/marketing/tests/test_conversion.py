"""Lead conversion: once only, into a new customer and contact or merged into a duplicate; the attribution to
campaign and plan stays, so the campaign's conversions move by themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.customers.choices import CustomerSource, OwnershipAction
from apps.customers.models import Contact, Customer, OwnershipLog
from apps.customers.services.archive import customer_create
from apps.marketing.choices import LeadStatus
from apps.marketing.selectors.campaigns import campaign_metrics
from apps.marketing.services import leads as svc
from apps.marketing.tests.factories_leads import CampaignFactory, LeadFactory, MarketingTeam, build_marketing_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


@pytest.fixture
def handed(team: MarketingTeam, personas: dict) -> Any:
    """A campaign lead of mkt1, handed over to alice (sales)."""
    campaign = CampaignFactory(owner=team.mkt1)
    lead = LeadFactory(
        owner=team.mkt1,
        status=LeadStatus.QUALIFIED,
        campaign=campaign,
        company_name="南京恒达机械有限公司",
        contact_name="周强",
        mobile="13912345678",
        region="江苏省 南京市",
        industry="manufacturing",
    )
    svc.lead_handover(actor=team.mkt1, lead=lead, to_user=personas["rep_alice"].user, note="")
    return lead


class ConversionTests:
    def test_it_creates_the_customer_and_contact_owned_by_the_converter(self, handed: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        customer = svc.lead_convert(actor=alice, lead=handed)
        assert (customer.name, customer.owner, customer.source) == (
            "南京恒达机械有限公司",
            alice,
            CustomerSource.LEAD_CONVERSION,
        )
        assert (customer.province, customer.city, customer.industry) == ("江苏省", "南京市", "manufacturing")
        contact = Contact.objects.get(customer=customer)
        assert (contact.name, contact.mobile, contact.is_primary) == ("周强", "13912345678", True)
        assert OwnershipLog.objects.get(customer=customer).action == OwnershipAction.CONVERT
        handed.refresh_from_db()
        assert (handed.status, handed.customer, handed.converted_by) == (LeadStatus.CONVERTED, customer, alice)
        assert handed.converted_at is not None

    def test_a_second_conversion_is_refused(self, handed: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        svc.lead_convert(actor=alice, lead=handed)
        with pytest.raises(ValidationError) as info:
            svc.lead_convert(actor=alice, lead=handed)
        assert info.value.code == "already_converted"
        assert Customer.objects.count() == 1

    def test_attribution_is_kept_and_the_campaign_counts_it(self, handed: Any, personas: dict) -> None:
        campaign = handed.campaign
        before = campaign_metrics(campaign)
        svc.lead_convert(actor=personas["rep_alice"].user, lead=handed)
        handed.refresh_from_db()
        assert handed.campaign == campaign
        after = campaign_metrics(campaign)
        assert (before.conversions, after.conversions) == (0, 1)
        assert after.conversion_rate == 100

    def test_the_plan_of_the_campaign_is_kept_on_the_lead(self, team: MarketingTeam, personas: dict) -> None:
        from apps.marketing.models import MarketPlan

        plan = MarketPlan.objects.create(
            title="华东拓展计划",
            period_start="2025-01-01",
            period_end="2025-12-31",
            strategic_goal="扩大华东市场",
            owner=team.manager,
            owner_unit=team.unit,
        )
        campaign = CampaignFactory(owner=team.mkt1, plan=plan)
        lead = svc.lead_create(
            actor=team.mkt1,
            data={"company_name": "苏州新材", "contact_name": "吴敏", "mobile": "13700001111", "campaign": campaign},
        )
        assert lead.plan == plan
        svc.lead_set_status(actor=team.mkt1, lead=lead, status=LeadStatus.QUALIFIED)
        customer = svc.lead_convert(actor=team.mkt1, lead=lead)
        assert plan.leads.filter(customer=customer).count() == 1  # the plan's "new customers" source

    def test_an_exact_duplicate_must_be_merged(self, handed: Any, personas: dict) -> None:
        bob = personas["lead_bob"].user
        existing = customer_create(
            actor=bob, data={"name": "恒达集团"}, contacts=[{"name": "周强", "mobile": "13912345678"}]
        )
        alice = personas["rep_alice"].user
        with pytest.raises(ValidationError) as info:
            svc.lead_convert(actor=alice, lead=handed)
        assert info.value.code == "duplicate" and "恒达集团" in info.value.messages[0]
        customer = svc.lead_convert(actor=alice, lead=handed, merge_into=existing)
        assert customer == existing
        assert Contact.objects.filter(mobile="13912345678").count() == 1  # the contact was there already
        handed.refresh_from_db()
        assert handed.customer == existing and handed.status == LeadStatus.CONVERTED

    def test_merging_into_a_similar_name_adds_the_contact(self, handed: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        existing = customer_create(actor=alice, data={"name": "南京恒达机械"})
        with pytest.raises(ValidationError) as info:
            svc.lead_convert(actor=alice, lead=handed)
        assert info.value.code == "similar_name"
        svc.lead_convert(actor=alice, lead=handed, merge_into=existing)
        assert existing.contacts.filter(mobile="13912345678").exists()

    def test_only_a_duplicate_may_be_merged_into(self, handed: Any, personas: dict) -> None:
        alice = personas["rep_alice"].user
        other = customer_create(actor=alice, data={"name": "毫不相干"})
        with pytest.raises(ValidationError):
            svc.lead_convert(actor=alice, lead=handed, merge_into=other)

    def test_a_stranger_may_not_convert(self, handed: Any, personas: dict, team: MarketingTeam) -> None:
        with pytest.raises(PermissionDenied):
            svc.lead_convert(actor=team.mkt2, lead=handed)
        with pytest.raises(PermissionDenied):
            svc.lead_convert(actor=personas["rep_carol"].user, lead=handed)
        assert not Customer.objects.exists()

    def test_an_unqualified_lead_is_not_converted(self, team: MarketingTeam) -> None:
        lead = LeadFactory(owner=team.mkt1, status=LeadStatus.NEW)
        with pytest.raises(ValidationError):
            svc.lead_convert(actor=team.mkt1, lead=lead)

    def test_the_conversion_hook_runs_in_the_transaction(self, handed: Any, personas: dict) -> None:
        seen: list[Any] = []

        def hook(**kwargs: Any) -> None:
            seen.append((kwargs["lead"].pk, kwargs["customer"].name, kwargs["options"]))

        svc.register_conversion_hook(hook)
        try:
            svc.lead_convert(actor=personas["rep_alice"].user, lead=handed, options={"opportunity": True})
        finally:
            svc._conversion_hooks.remove(hook)
        assert seen == [(handed.pk, "南京恒达机械有限公司", {"opportunity": True})]


class ConvertPageTests:
    def test_the_detail_page_shows_the_hits_and_merges(self, handed: Any, personas: dict) -> None:
        bob = personas["lead_bob"].user
        existing = customer_create(
            actor=bob, data={"name": "恒达集团"}, contacts=[{"name": "周强", "mobile": "13912345678"}]
        )
        client = personas["rep_alice"].client()
        page = client.get(f"/marketing/leads/{handed.pk}/")
        assert page.status_code == 200 and "恒达集团" in page.content.decode()
        refused = client.post(f"/marketing/leads/{handed.pk}/convert/", {})
        assert refused.status_code == 400 and "恒达集团" in refused.content.decode()
        merged = client.post(f"/marketing/leads/{handed.pk}/convert/", {"merge_into": existing.pk})
        assert merged.status_code == 302
        handed.refresh_from_db()
        assert handed.customer == existing
