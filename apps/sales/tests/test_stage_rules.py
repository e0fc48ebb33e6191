"""The opportunity stage rules are one table (``STAGE_MOVES``): for every stage and every demo role, the detail
page's move form and edit button, the stages the service accepts and the API agree with the table. An open stage
moves to any other stage; a closed one (won, lost, invalid) moves nowhere and is not edited; lost and invalid need
a reason. sales1 owns the opportunity, sales_mgr manages the department; ceo sees it but may not change it; cs1 and
sales2 do not see it (an opportunity has no sharing)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from apps.org.models import User
from apps.sales.choices import OpportunityStage
from apps.sales.models import Opportunity
from apps.sales.models.pipeline import STAGE_MOVES, STAGE_NEEDS_REASON
from apps.sales.services import opportunities as svc
from apps.sales.tests.factories_pipeline import OpportunityFactory

PEOPLE = ("sales1", "sales_mgr", "ceo", "cs1", "sales2")
CHANGERS = {"sales1", "sales_mgr"}
SEERS = {"sales1", "sales_mgr", "ceo"}


class _Rollback(Exception):
    pass


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _accepted(user: User, opp: Opportunity, stage: str) -> bool:
    try:
        with transaction.atomic():
            svc.opportunity_move_stage(
                actor=user,
                opportunity=Opportunity.objects.get(pk=opp.pk),
                stage=stage,
                reason="原因" if stage in STAGE_NEEDS_REASON else "",
            )
            raise _Rollback
    except _Rollback:
        return True
    except (PermissionDenied, ValidationError):
        return False


@pytest.mark.parametrize("stage", OpportunityStage.values)
def test_page_api_and_service_agree_with_the_stage_table(stage: str, people: dict[str, User]) -> None:
    opp = OpportunityFactory(owner=people["sales1"], stage=stage)
    for name in PEOPLE:
        user = people[name]
        may_move = name in CHANGERS and bool(STAGE_MOVES[stage])
        client = Client()
        client.force_login(user)
        page = client.get(f"/sales/opportunities/{opp.pk}/")
        if name in SEERS:
            html = page.content.decode()
            assert ('data-testid="move-form"' in html) == may_move, (stage, name)
            assert ('data-testid="opportunity-edit"' in html) == may_move, (stage, name)
        else:
            assert page.status_code == 404
        for target in OpportunityStage.values:
            expected = name in CHANGERS and target in STAGE_MOVES[stage]
            assert _accepted(user, opp, target) == expected, (stage, name, target)
        api = client.post(
            f"/api/v1/opportunities/{opp.pk}/move-stage/",
            {"stage": OpportunityStage.NEEDS, "reason": ""},
            content_type="application/json",
        )
        expected_api = 200 if name in CHANGERS and OpportunityStage.NEEDS in STAGE_MOVES[stage] else None
        if expected_api:
            assert api.status_code == 200, (stage, name)
            svc_opp = Opportunity.objects.get(pk=opp.pk)
            assert svc_opp.stage == OpportunityStage.NEEDS
            Opportunity.objects.filter(pk=opp.pk).update(stage=stage)  # back to the stage under test
        else:
            assert api.status_code in (400, 403, 404), (stage, name, api.status_code)
            assert Opportunity.objects.get(pk=opp.pk).stage == stage


def test_a_reason_is_required_to_close_as_lost_or_invalid(people: dict[str, User]) -> None:
    opp = OpportunityFactory(owner=people["sales1"])
    for stage in STAGE_NEEDS_REASON:
        with pytest.raises(ValidationError) as info:
            svc.opportunity_move_stage(actor=people["sales1"], opportunity=opp, stage=stage, reason=" ")
        assert "reason" in info.value.message_dict
    assert Opportunity.objects.get(pk=opp.pk).stage == OpportunityStage.INITIAL
