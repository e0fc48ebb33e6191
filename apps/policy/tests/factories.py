"""Test helpers for the policy: the seeded policy and a leadership-group member."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.org.choices import BuiltinRole
from apps.org.models import Department, User
from apps.org.testing import make_employee
from apps.policy import seed_data, services
from apps.policy.models import Policy, PolicyVersion


def seeded_policy() -> Policy:
    return Policy.objects.get(code=seed_data.POLICY_CODE)


def seeded_version() -> PolicyVersion:
    return PolicyVersion.objects.get(policy__code=seed_data.POLICY_CODE, label=seed_data.VERSION_LABEL)


def leader(department: Department) -> User:
    """A member of the leadership group (领导小组), who may amend the policy (art. 14)."""
    return make_employee("leader", "领导", department, BuiltinRole.LEADERSHIP_GROUP).user


def new_version(actor: Any, label: str, effective_from: dt.date | None = None, **rules: Any) -> PolicyVersion:
    """A draft based on 1.0 with ``rules`` applied, put in force from ``effective_from`` when given."""
    version = services.policy_version_create_draft(
        actor=actor, policy=seeded_policy(), label=label, based_on=seeded_version(), rules=rules or None
    )
    if effective_from is not None:
        version = services.policy_version_put_in_force(actor=actor, version=version, effective_from=effective_from)
    return version
