"""Performance assessment: violations of the policy, their decision, appeal and the appeal's decision."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.scoping import users_assignable
from apps.core.services import notify
from apps.org.models import Employee
from apps.performance.choices import (
    AssessmentStatus,
    CycleStatus,
    ProposalStatus,
    ViolationStatus,
)
from apps.performance.models import RewardPenalty, Violation
from apps.performance.permissions import Perm
from apps.performance.services.common import (
    APPEAL_DECIDED,
    APPEAL_NEEDS_REASON,
    ARTICLE_UNKNOWN,
    DECISION_NEEDS_TEXT,
    NOT_DECIDER,
    NOT_OWN_VIOLATION,
    VIOLATION_ALREADY_APPEALED,
    VIOLATION_DECIDED,
    VIOLATION_MOVE_NOT_ALLOWED,
    _deny,
    _move,
    _require,
    _save,
)
from apps.policy.models import PolicyVersion
from apps.policy.selectors import rules_in_force

C, A = CycleStatus, AssessmentStatus


#
# Violations
#


@transaction.atomic
def violation_report(
    *, actor: Any, person: Any, article: int, happened_on: dt.date, description: str, evidence: Any = None
) -> Violation:
    """A manager records a breach of the policy by someone in their scope."""
    _require(actor, Perm.ADD_VIOLATION)
    version = PolicyVersion.objects.filter(pk=rules_in_force().version_id).first()
    if version is not None and not version.articles.filter(number=article).exists():
        raise ValidationError({"article": ARTICLE_UNKNOWN % {"article": article}})
    employee = Employee.objects.select_related("department").filter(user=person, is_active=True).first()
    if employee is None:
        raise ValidationError({"person": _("Choose an employee in service.")})
    violation = Violation(
        owner=person,
        owner_unit=employee.department,
        article=article,
        happened_on=happened_on,
        description=description.strip(),
        reported_by=actor,
        created_by=actor,
    )
    if evidence:
        violation.evidence = evidence
    violation.full_clean()
    if not users_assignable(actor, "performance").filter(pk=person.pk).exists():
        raise ValidationError({"person": _("You can only report on people within your scope.")})
    _save(violation, actor)
    return violation


@transaction.atomic
def violation_decide(*, actor: Any, violation: Violation, confirm: bool, decision: str, action: str = "") -> Violation:
    """Senior management confirms or dismisses; a confirmed violation may propose a penalty whatever the score."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _move(
        actor,
        violation,
        ViolationStatus.CONFIRMED if confirm else ViolationStatus.DISMISSED,
        VIOLATION_DECIDED,
        NOT_DECIDER,
    )
    if not decision.strip():
        raise ValidationError({"decision": DECISION_NEEDS_TEXT})
    violation.decision, violation.decided_by, violation.decided_at = decision.strip(), actor, timezone.now()
    _save(violation, actor)
    if confirm and action:
        proposal = RewardPenalty(
            action=action,
            is_reward=False,
            person=violation.owner,
            department=violation.owner_unit,
            violation=violation,
            reason=_("Violation of article %(article)s on %(day)s")
            % {"article": violation.article, "day": violation.happened_on},
        )
        proposal.full_clean()
        _save(proposal, actor)
    return violation


@transaction.atomic
def violation_appeal(*, actor: Any, violation: Violation, reason: str) -> Violation:
    """申诉 of a confirmed violation: by the person concerned, once; senior management or the leadership group is
    asked to decide."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    if violation.owner_id != actor.pk:
        _deny(NOT_OWN_VIOLATION)
    if violation.appealed_at is not None:
        raise ValidationError(VIOLATION_ALREADY_APPEALED)
    if not reason.strip():
        raise ValidationError({"reason": APPEAL_NEEDS_REASON})
    _move(
        actor,
        violation,
        ViolationStatus.APPEALED,
        VIOLATION_MOVE_NOT_ALLOWED
        % {"current": violation.get_status_display(), "target": ViolationStatus.APPEALED.label},
        NOT_OWN_VIOLATION,
    )
    violation.appeal_reason, violation.appealed_at = reason.strip(), timezone.now()
    _save(violation, actor)
    from apps.org.models import User

    deciders = [
        u
        for u in User.objects.filter(is_active=True, employee__is_active=True).distinct()
        if u.pk != violation.owner_id and u.has_perm(str(Perm.DECIDE_APPEAL))
    ]
    notify(
        recipients=deciders,
        title=_("%(person)s appeals a violation of article %(article)s")
        % {"person": violation.owner, "article": violation.article},
        url=reverse("performance:violation_detail", args=[violation.pk]),
    )
    return violation


@transaction.atomic
def violation_appeal_decide(*, actor: Any, violation: Violation, upheld: bool, decision: str) -> Violation:
    """Senior management or the leadership group decides the appeal of a violation: upheld, the violation is
    overturned and its penalty proposals still open are rejected; else it stands. The person sees the decision."""
    violation = Violation.objects.select_for_update().get(pk=violation.pk)
    _move(
        actor,
        violation,
        ViolationStatus.OVERTURNED if upheld else ViolationStatus.UPHELD_ON_APPEAL,
        APPEAL_DECIDED,
        NOT_DECIDER,
    )
    if not decision.strip():
        raise ValidationError({"decision": DECISION_NEEDS_TEXT})
    violation.appeal_decision = decision.strip()
    violation.appeal_decided_by, violation.appeal_decided_at = actor, timezone.now()
    _save(violation, actor)
    if upheld:
        for proposal in RewardPenalty.objects.select_for_update().filter(
            violation=violation, status=ProposalStatus.PROPOSED
        ):
            proposal.status = ProposalStatus.REJECTED
            proposal.decision_note = str(_("The violation was overturned on appeal."))
            proposal.decided_by, proposal.decided_at = actor, timezone.now()
            _save(proposal, actor)
    notify(
        recipients=[violation.owner],
        title=_("Your appeal of a violation was decided: %(outcome)s") % {"outcome": violation.get_status_display()},
        body=violation.appeal_decision,
        url=reverse("performance:violation_detail", args=[violation.pk]),
    )
    return violation
