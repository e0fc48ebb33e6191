"""Issue 12 (policy governance) on tickets: a complaint opened before an amendment takes effect keeps the old
deadline, one opened from its effective date gets the new one (frozen clock)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from apps.core.workdays import TZ, add_working_hours
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import services as policy_services
from apps.policy.choices import VoteChoice
from apps.service.choices import ComplaintCategory, TicketPriority, TicketType
from apps.service.tests.factories_tickets import make_ticket

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 8, 10, 0, tzinfo=TZ)  # a Tuesday
TOMORROW = TODAY + dt.timedelta(days=1)


def _complaint(actor: object) -> object:
    return make_ticket(
        actor,
        ticket_type=TicketType.COMPLAINT,
        priority=TicketPriority.HIGH,
        complaint_category=ComplaintCategory.PRODUCT_QUALITY,
        title="设备频繁死机",
    )


def test_a_complaint_keeps_the_version_it_was_opened_under(personas: dict) -> None:
    company = personas["auditor_dave"].unit
    ceo, vp = (make_employee(n, n, company, BuiltinRole.LEADERSHIP_GROUP).user for n in ("ceo1", "vp1"))
    agent = personas["rep_carol"].user
    with time_machine.travel(TODAY, tick=False):
        draft = policy_services.policy_version_draft_from_in_force(actor=ceo, label="1.1")
        policy_services.policy_version_update_rules(
            actor=ceo, version=draft, rules={"service_deadlines": {"complaint": {"high": {"resolution_hours": 8}}}}
        )
        decision = policy_services.policy_version_submit(actor=ceo, version=draft)
        for member in (ceo, vp):
            policy_services.policy_vote_cast(actor=member, decision=decision, vote=VoteChoice.IN_FAVOUR)
        policy_services.policy_decision_close(actor=ceo, decision=decision, minutes="同意缩短投诉解决时限")
        policy_services.policy_version_publish(actor=ceo, version=draft, effective_from=TOMORROW.date())
        before = _complaint(agent)
    with time_machine.travel(TOMORROW, tick=False):
        policy_services.policy_versions_take_effect()
        after = _complaint(agent)
    before.refresh_from_db()
    assert before.rules_version.label == "1.0"
    assert before.resolution_due == add_working_hours(TODAY, 16)
    assert after.rules_version_id == draft.pk
    assert after.resolution_due == add_working_hours(TOMORROW, 8)
