"""The customer archive's duplicate check (查重) runs on leads too (issue 10): a lead with the USCC or a mobile of
a customer already in the archive is refused, naming the customer and its owner and nothing else; a similar
company name warns and needs an explicit confirmation. Through the service, the page and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.customers.tests.factories import ContactFactory, CustomerFactory, make_uscc
from apps.marketing.models import Lead
from apps.marketing.services import leads as svc
from apps.marketing.tests.factories_leads import LeadFactory, MarketingTeam, build_marketing_team

pytestmark = pytest.mark.django_db

NAME, MOBILE, USCC = "南京恒达机械有限公司", "13912345678", make_uscc(4242)


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


@pytest.fixture
def signed(personas: dict) -> Any:
    """A customer of alice (sales), out of the marketing staff's scope, with a contact's mobile and a USCC."""
    customer = CustomerFactory(owner=personas["rep_alice"].user, name=NAME, uscc=USCC)
    ContactFactory(customer=customer, name="周强", mobile=MOBILE)
    return customer


def _data(**overrides: Any) -> dict[str, Any]:
    return {"company_name": "苏州新材科技", "contact_name": "吴敏", "mobile": "13700001111", **overrides}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


class ServiceTests:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"mobile": "+86 139-1234-5678"}, "mobile"),
            ({"uscc": USCC.lower()}, "uscc"),
            ({"company_name": "恒达机械（南京）", "mobile": MOBILE}, "mobile"),
        ],
    )
    def test_a_customer_in_the_archive_blocks_the_lead(
        self, team: MarketingTeam, signed: Any, overrides: dict, field: str
    ) -> None:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
            svc.lead_create(actor=team.mkt1, data=_data(**overrides), allow_similar_name=True)
        message = " ".join(info.value.message_dict[field])
        assert NAME in message and "艾丽" in message and "重复" in message
        assert MOBILE not in message and USCC not in message  # the hit is named, its details stay masked
        assert [hit.customer_id for hit in info.value.duplicates if hit.exact] == [signed.pk]
        assert not Lead.objects.exists()

    def test_a_similar_name_needs_confirmation(self, team: MarketingTeam, signed: Any) -> None:
        with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
            svc.lead_create(actor=team.mkt1, data=_data(company_name="南京恒达机械"))
        assert NAME in " ".join(info.value.message_dict["company_name"])
        assert not any(hit.exact for hit in info.value.duplicates)
        assert not Lead.objects.exists()
        lead = svc.lead_create(actor=team.mkt1, data=_data(company_name="南京恒达机械"), allow_similar_name=True)
        assert lead.company_name == "南京恒达机械"

    def test_an_unrelated_lead_is_accepted(self, team: MarketingTeam, signed: Any) -> None:
        assert svc.lead_create(actor=team.mkt1, data=_data(uscc=make_uscc(5151))).uscc == make_uscc(5151)

    def test_changing_a_lead_into_a_customer_is_refused_other_edits_are_not(
        self, team: MarketingTeam, signed: Any
    ) -> None:
        lead = LeadFactory(owner=team.mkt1, company_name="南京恒达机械")  # recorded before the check existed
        svc.lead_update(actor=team.mkt1, lead=lead, data={"notes": "再次联系"})
        with pytest.raises(ValidationError) as info:
            svc.lead_update(actor=team.mkt1, lead=lead, data={"mobile": MOBILE}, allow_similar_name=True)
        assert "mobile" in info.value.message_dict
        lead.refresh_from_db()
        assert (lead.notes, lead.mobile) == ("再次联系", lead.mobile) and lead.mobile != MOBILE

    def test_conversion_creates_the_customer_with_the_lead_uscc(self, team: MarketingTeam) -> None:
        lead = svc.lead_create(actor=team.mkt1, data=_data(uscc=make_uscc(6161)))
        svc.lead_set_status(actor=team.mkt1, lead=lead, status="qualified")
        assert svc.lead_convert(actor=team.mkt1, lead=lead).uscc == make_uscc(6161)


def _form(**overrides: Any) -> dict[str, Any]:
    return _data(source="manual", **overrides)


class PageTests:
    def test_an_exact_hit_is_listed_and_blocked(self, team: MarketingTeam, signed: Any) -> None:
        client = _client(team.mkt1)
        response = client.post(reverse("marketing:lead_create"), _form(mobile=MOBILE), HTTP_ACCEPT_LANGUAGE="zh-hans")
        body = response.content.decode()
        assert response.status_code == 200 and not Lead.objects.exists()
        assert 'data-testid="duplicates"' in body and NAME in body and "艾丽" in body
        assert 'data-testid="similar-confirm"' not in body and MOBILE not in body.replace(f'value="{MOBILE}"', "")

    def test_a_similar_name_is_saved_once_confirmed(self, team: MarketingTeam, signed: Any) -> None:
        client = _client(team.mkt1)
        url = reverse("marketing:lead_create")
        body = client.post(url, _form(company_name="南京恒达机械")).content.decode()
        assert 'data-testid="similar-confirm"' in body and NAME in body and not Lead.objects.exists()
        response = client.post(url, _form(company_name="南京恒达机械", allow_similar_name="on"))
        assert response.status_code == 302 and Lead.objects.get().company_name == "南京恒达机械"


class ApiTests:
    def test_an_exact_hit_answers_400_naming_the_customer(self, team: MarketingTeam, signed: Any) -> None:
        response = _client(team.mkt1).post(
            "/api/v1/leads/", _data(uscc=USCC), content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
        assert response.status_code == 400 and NAME in response.content.decode()
        assert not Lead.objects.exists()

    def test_a_similar_name_needs_allow_similar_name(self, team: MarketingTeam, signed: Any) -> None:
        client = _client(team.mkt1)
        data = _data(company_name="南京恒达机械")
        assert client.post("/api/v1/leads/", data, content_type="application/json").status_code == 400
        response = client.post("/api/v1/leads/", {**data, "allow_similar_name": True}, content_type="application/json")
        assert response.status_code == 201 and Lead.objects.count() == 1
