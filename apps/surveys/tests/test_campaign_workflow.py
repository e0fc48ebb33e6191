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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.test import Client
from django.utils import timezone

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


class _Rollback(Exception):
    pass


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


def _service_accepts(action: str, user: User, campaign: SurveyCampaign) -> bool:
    """Whether the service takes the step (undone afterwards); a refusal is a 403 or an illegal-move error."""
    try:
        with transaction.atomic():
            _call(action, user, SurveyCampaign.objects.get(pk=campaign.pk))
            raise _Rollback
    except _Rollback:
        return True
    except (PermissionDenied, ValidationError, Http404):
        return False


@pytest.mark.parametrize(("kind", "status"), STATES)
def test_page_api_and_services_agree_with_the_table(kind: str, status: str, people: dict[str, User]) -> None:
    campaign = _campaign_in(kind, status, people)
    steps = SURVEY_CAMPAIGN_WORKFLOW[status]
    for username in PEOPLE:
        user = User.objects.get(pk=people[username].pk)
        allowed = set(campaign_allowed(user, campaign))
        assert allowed <= set(steps), (username, allowed)
        client = Client()
        client.force_login(user)
        page = client.get(f"/service/surveys/{campaign.pk}/")
        api = client.get(f"/api/v1/survey-campaigns/{campaign.pk}/")
        if page.status_code in (403, 404):
            assert api.status_code in (403, 404) and not allowed, username
        else:
            assert page.status_code == 200 and api.status_code == 200, username
            body = page.content.decode()
            shown = {a for a, testid in BUTTONS.items() if f'data-testid="{testid}"' in body}
            assert shown == allowed, (username, kind, status, shown, allowed)
            assert set(api.json()["allowed_actions"]) == allowed, username
        accepted = {a for a in CAMPAIGN_ACTIONS if _service_accepts(a, User.objects.get(pk=user.pk), campaign)}
        assert accepted == allowed, (username, kind, status, accepted, allowed)
        expected_for_person(username, kind, status, allowed)
        assert SurveyCampaign.objects.get(pk=campaign.pk).status == status  # every try was undone


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
