"""The generic data-scope matrix for survey campaigns, links and answers: selector, list page, API, 404s."""

from __future__ import annotations

from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from apps.surveys.services.answers import response_submit
from apps.surveys.tests.factories import CustomerFactory, default_questionnaire, make_campaign, make_invitation


def _invitation(persona: Persona) -> SurveyInvitation:
    campaign = make_campaign(persona.user, default_questionnaire(), name=f"范围调查{persona.key}")
    customer = CustomerFactory(owner=persona.user, name=f"问卷范围{persona.key}有限公司")
    return make_invitation(campaign, customer=customer)


class SurveyCampaignScopeTests(core_testing.ScopeMatrixTests):
    model = SurveyCampaign
    list_url = "/service/surveys/"
    api_list_url = "/api/v1/survey-campaigns/"
    detail_route = "surveys:campaign_detail"

    def make(self, persona: Persona) -> SurveyCampaign:
        return make_campaign(persona.user, default_questionnaire(), name=f"范围调查{persona.key}")

    def label(self, record: SurveyCampaign) -> str:
        return record.name

    def test_list_url_is_the_named_route(self) -> None:
        assert reverse("surveys:campaign_list") == self.list_url


class SurveyInvitationScopeTests(core_testing.ScopeMatrixTests):
    model = SurveyInvitation
    list_url = "/service/surveys/links/"
    api_list_url = "/api/v1/survey-invitations/"
    detail_route = "surveys:invitation_detail"

    def make(self, persona: Persona) -> SurveyInvitation:
        return _invitation(persona)

    def label(self, record: SurveyInvitation) -> str:
        return record.customer.name


class SurveyResponseScopeTests(core_testing.ScopeMatrixTests):
    model = SurveyResponse
    list_url = "/service/surveys/answers/"
    api_list_url = "/api/v1/survey-results/"
    detail_route = "surveys:response_detail"

    def make(self, persona: Persona) -> SurveyResponse:
        invitation = _invitation(persona)
        raw = {q.pk: "10" if q.kind == "nps" else "4" for q in default_questionnaire().questions.exclude(kind="text")}
        return response_submit(token=invitation.token, raw=raw)

    def label(self, record: SurveyResponse) -> str:
        return record.invitation.customer.name


def test_service_owner_and_campaign_owner_see_the_answer(personas) -> None:
    """Shared: the customer's service owner and whoever runs the campaign see a link whatever their scope."""
    alice, carol, bob = personas["rep_alice"].user, personas["rep_carol"].user, personas["lead_bob"].user
    campaign = make_campaign(carol, default_questionnaire())
    customer = CustomerFactory(owner=bob, service_owner=alice)
    invitation = make_invitation(campaign, owner=bob, customer=customer)
    assert SurveyInvitation.objects.visible_to(alice).filter(pk=invitation.pk).exists()
    assert SurveyInvitation.objects.visible_to(carol).filter(pk=invitation.pk).exists()
