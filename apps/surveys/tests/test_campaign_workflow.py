"""The survey campaign workflow is one table (``SURVEY_CAMPAIGN_WORKFLOW``): for every status, both kinds of survey
and six demo people, the buttons on the campaign page, the API's ``allowed_actions`` and what the services accept are
the same, and match the table.

cs_mgr runs the survey (its owner: changes and sends it); cs1 works in his department (staff: sees, changes
nothing); ceo (senior management) may change every survey but not send one; mkt_mgr manages another department (he
may send surveys, but not this one: it is outside his scope); sales1 is staff elsewhere; vp_ops sees everything as
senior management too. No survey is shared with anyone, so no one takes a step by sharing alone.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from apps.core.testing import assert_each_person_agrees
from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User
from apps.surveys.choices import SurveyKind, SurveyStatus
from apps.surveys.models import CAMPAIGN_ACTIONS, SURVEY_CAMPAIGN_WORKFLOW, SurveyCampaign
from apps.surveys.selectors.campaigns import campaign_allowed
from apps.surveys.services import campaigns as svc
from apps.surveys.tests.factories import make_campaign

PEOPLE = ("cs_mgr", "cs1", "ceo", "vp_ops", "mkt_mgr", "sales1")
BUTTONS = {
    "edit": "campaign-edit",
    "send": "campaign-send",
    "schedule": "campaign-schedule",
    "close": "campaign-close",
    "analysis": "analysis-save",
}
STATES = [
    (SurveyKind.CAMPAIGN, SurveyStatus.DRAFT),
    (SurveyKind.CAMPAIGN, SurveyStatus.SCHEDULED),
    (SurveyKind.CAMPAIGN, SurveyStatus.SENT),
    (SurveyKind.CAMPAIGN, SurveyStatus.CLOSED),
    (SurveyKind.POST_TICKET, SurveyStatus.SENT),
    (SurveyKind.POST_TICKET, SurveyStatus.CLOSED),
]


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    people = {u.username: u for u in User.objects.filter(username__in=PEOPLE)}
    CustomerFactory(owner=people["cs1"])  # the segment selects someone, so sending and scheduling can go through
    return people


def _campaign_in(kind: str, status: str, people: dict[str, User]) -> SurveyCampaign:
    extra: dict[str, Any] = {}
    if status == SurveyStatus.SCHEDULED:
        extra["scheduled_at"] = timezone.now() + dt.timedelta(days=2)
    if status in (SurveyStatus.SENT, SurveyStatus.CLOSED):
        extra["sent_at"] = timezone.now() - dt.timedelta(days=3)
    if status == SurveyStatus.CLOSED:
        extra["closed_at"] = timezone.now() - dt.timedelta(days=1)
    return make_campaign(people["cs_mgr"], kind=kind, status=status, segment={}, **extra)


def _call(action: str, user: User, campaign: SurveyCampaign) -> Any:
    calls = {
        "edit": lambda: svc.campaign_update(actor=user, campaign=campaign, data={"name": "二季度满意度调查（修订）"}),
        "send": lambda: svc.campaign_send(actor=user, campaign=campaign),
        "schedule": lambda: svc.campaign_schedule(
            actor=user, campaign=campaign, when=timezone.now() + dt.timedelta(days=1)
        ),
        "close": lambda: svc.campaign_close(actor=user, campaign=campaign),
        "analysis": lambda: svc.campaign_analysis_update(actor=user, campaign=campaign, analysis="响应及时度需提升"),
    }
    return calls[action]()


@pytest.mark.parametrize(("kind", "status"), STATES)
def test_page_api_and_services_agree_with_the_table(kind: str, status: str, people: dict[str, User]) -> None:
    campaign = _campaign_in(kind, status, people)

    def check(username: str, allowed: set[str]) -> None:
        expected_for_person(username, kind, status, allowed)
        assert SurveyCampaign.objects.get(pk=campaign.pk).status == status  # every try was undone

    assert_each_person_agrees(
        campaign,
        people,
        PEOPLE,
        allowed_for=campaign_allowed,
        steps=SURVEY_CAMPAIGN_WORKFLOW[status],
        call=_call,
        check=check,
        label=(kind, status),
        actions=CAMPAIGN_ACTIONS,
        page_url=f"/service/surveys/{campaign.pk}/",
        api_url=f"/api/v1/survey-campaigns/{campaign.pk}/",
        buttons=BUTTONS,
    )


def expected_for_person(username: str, kind: str, status: str, allowed: set[str]) -> None:
    """What the policy asks, person by person (the table must not drift from it)."""
    not_sent = kind == SurveyKind.CAMPAIGN and status in (SurveyStatus.DRAFT, SurveyStatus.SCHEDULED)
    if username in ("cs1", "mkt_mgr", "sales1"):  # sees it only, or not at all
        assert allowed == set(), (username, status, allowed)
    elif username == "cs_mgr":  # the owner: everything the status allows
        assert ("send" in allowed) == ("schedule" in allowed) == ("edit" in allowed) == not_sent
        assert ("close" in allowed) == (status != SurveyStatus.CLOSED)
        assert "analysis" in allowed
    else:  # senior management may change (edit, close, analysis) every survey, and sends none
        assert "send" not in allowed and "schedule" not in allowed
        assert ("edit" in allowed) == not_sent
        assert "analysis" in allowed


def test_editable_statuses_are_read_from_the_table() -> None:
    assert svc.EDITABLE == (SurveyStatus.DRAFT, SurveyStatus.SCHEDULED)


def test_the_page_buttons_post_to_steps_the_service_takes(people: dict[str, User]) -> None:
    campaign = _campaign_in(SurveyKind.CAMPAIGN, SurveyStatus.DRAFT, people)
    outsider = Client()
    outsider.force_login(people["mkt_mgr"])
    outsider.post(f"/service/surveys/{campaign.pk}/send/")  # another department's manager: nothing is sent
    assert SurveyCampaign.objects.get(pk=campaign.pk).status == SurveyStatus.DRAFT
    ceo = Client()
    ceo.force_login(people["ceo"])
    ceo.post(f"/service/surveys/{campaign.pk}/send/")  # may change it, may not send it
    assert SurveyCampaign.objects.get(pk=campaign.pk).status == SurveyStatus.DRAFT
    owner = Client()
    owner.force_login(people["cs_mgr"])
    owner.post(f"/service/surveys/{campaign.pk}/send/")
    campaign = SurveyCampaign.objects.get(pk=campaign.pk)
    assert campaign.status == SurveyStatus.SENT and campaign.invitations.count() == 1
    ceo.post(f"/service/surveys/{campaign.pk}/close/")
    assert SurveyCampaign.objects.get(pk=campaign.pk).status == SurveyStatus.CLOSED
