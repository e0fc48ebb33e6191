"""The policy demo: 1.0 in force with the leadership group's decision, a draft 1.1; loading twice changes nothing."""

from __future__ import annotations

import io

import pytest

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import demo, selectors
from apps.policy.choices import DecisionOutcome, PolicyVersionStatus
from apps.policy.models import PolicyDecision, PolicyVersion
from apps.policy.tests.factories import seeded_version

pytestmark = pytest.mark.django_db


def test_the_demo_decision_and_draft(personas: dict) -> None:
    for username in ("ceo", "vp_ops"):
        make_employee(username, username, personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP)
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    decision = PolicyDecision.objects.get()
    assert decision.version == seeded_version()
    assert decision.outcome == DecisionOutcome.APPROVED
    assert selectors.decision_tally(decision).in_favour == 2
    draft = PolicyVersion.objects.get(label=demo.DRAFT_LABEL)
    assert draft.status == PolicyVersionStatus.DRAFT
    diff = selectors.version_diff(draft)
    assert [a.number for a in diff.articles] == [10]
    assert {line.change.section for line in diff.rules} == {"service_deadlines", "kpi_weights"}
    assert selectors.rules_in_force().version_label == "1.0"


def test_a_past_decision_is_recorded_only_by_a_member(personas: dict) -> None:
    from django.core.exceptions import PermissionDenied

    from apps.policy import services

    with pytest.raises(PermissionDenied):
        services.policy_decision_record_past(
            actor=personas["admin"].user,
            version=seeded_version(),
            meeting_date=seeded_version().effective_from,
            votes={},
            minutes="x",
        )
    assert not PolicyDecision.objects.exists()
