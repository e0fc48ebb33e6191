"""The lead workflow is one table (``LEAD_WORKFLOW``): for every status and six demo people, the controls on the lead
page, the API's ``allowed_actions`` and what the services accept are the same, and match the table.

mkt1 owns the lead; mkt2, a colleague, does not see it (staff: own records); mkt_mgr manages the department;
ceo sees everything and changes nothing; sales1 is the sales person it is handed to (shared: sees it and may convert
it, nothing else); sales_mgr manages another department (sees what his people were handed, changes nothing).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from apps.core.testing import assert_workflow_agrees
from apps.marketing.choices import LeadStatus
from apps.marketing.models import Lead
from apps.marketing.models.leads import LEAD_ACTIONS, LEAD_STATUS_MOVES, LEAD_WORKFLOW
from apps.marketing.selectors.leads import lead_allowed
from apps.marketing.services import leads as svc
from apps.marketing.tests.factories_leads import LeadFactory
from apps.org.models import User

PEOPLE = ("mkt1", "mkt2", "mkt_mgr", "ceo", "sales1", "sales_mgr")
CONTROLS = {
    "claim": "lead-claim",
    **{move: f"lead-to-{move}" for move in LEAD_STATUS_MOVES},
    "handover": "handover-card",
    "convert": "convert-card",
}


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    return {u.username: u for u in User.objects.filter(username__in=PEOPLE)}


def _lead_in(status: str, people: dict[str, User]) -> Lead:
    owner = people["mkt1"]
    lead = LeadFactory(owner=owner, company_name="苏州恒远精密机械有限公司", region="江苏省 苏州市")
    path = {
        LeadStatus.NEW: [],
        LeadStatus.CONTACTING: [LeadStatus.CONTACTING],
        LeadStatus.QUALIFIED: [LeadStatus.QUALIFIED],
        LeadStatus.HANDED_OVER: [LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER],
        LeadStatus.CONVERTED: [LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER, LeadStatus.CONVERTED],
        LeadStatus.INVALID: [LeadStatus.INVALID],
    }[status]
    for step in path:
        lead = Lead.objects.get(pk=lead.pk)
        if step == LeadStatus.HANDED_OVER:
            svc.lead_handover(actor=owner, lead=lead, to_user=people["sales1"], note="客户有采购意向")
        elif step == LeadStatus.CONVERTED:
            svc.lead_convert(actor=people["sales1"], lead=lead)
        else:
            svc.lead_set_status(actor=owner, lead=lead, status=step, reason="联系不上")
    lead = Lead.objects.get(pk=lead.pk)
    assert lead.status == status
    return lead


def _call(action: str, user: User, lead: Lead, people: dict[str, User]) -> Any:
    if action in LEAD_STATUS_MOVES:
        return svc.lead_set_status(actor=user, lead=lead, status=action, reason="重复线索")
    calls = {
        "claim": lambda: svc.lead_claim(actor=user, lead=lead),
        "handover": lambda: svc.lead_handover(actor=user, lead=lead, to_user=people["sales1"], note=""),
        "convert": lambda: svc.lead_convert(actor=user, lead=lead),
    }
    return calls[action]()


def _check(lead: Lead, username: str, user: User, people: dict[str, User]) -> set[str]:
    allowed = set(lead_allowed(user, lead))
    assert allowed <= set(LEAD_WORKFLOW[lead.status]), (username, allowed)
    assert_workflow_agrees(
        user,
        allowed=sorted(allowed),
        actions=LEAD_ACTIONS,
        take=lambda action, actor: _call(action, actor, Lead.objects.get(pk=lead.pk), people),
        page_url=f"/marketing/leads/{lead.pk}/",
        api_url=f"/api/v1/leads/{lead.pk}/",
        buttons=CONTROLS,
        label=(username, lead.status),
    )
    return allowed


@pytest.mark.parametrize("status", [s.value for s in LeadStatus])
def test_page_api_and_services_agree_with_the_table(status: str, people: dict[str, User]) -> None:
    lead = _lead_in(status, people)
    for username in PEOPLE:
        allowed = _check(lead, username, User.objects.get(pk=people[username].pk), people)
        expected_for_person(username, status, allowed)


def expected_for_person(username: str, status: str, allowed: set[str]) -> None:
    """What the policy asks, person by person (the table must not drift from it)."""
    if username in ("mkt2", "ceo", "sales_mgr"):
        assert allowed == set(), (username, status, allowed)
    elif username == "sales1":  # sharing gives seeing, and converting the lead handed to him: nothing else
        assert allowed == ({"convert"} if status == LeadStatus.HANDED_OVER else set()), (status, allowed)
    elif username == "mkt1":
        assert ("handover" in allowed) == (status in (LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER))
        assert "claim" not in allowed  # the lead has an owner
    if status == LeadStatus.CONVERTED:
        assert allowed == set(), (username, allowed)


def test_a_pooled_lead_is_claimed_by_whoever_may_claim(people: dict[str, User]) -> None:
    lead = LeadFactory(owner=None, owner_unit=people["mkt1"].employee.department)
    for username in ("mkt1", "mkt2", "ceo"):
        allowed = _check(lead, username, User.objects.get(pk=people[username].pk), people)
        assert ("claim" in allowed) == (username != "ceo"), (username, allowed)
