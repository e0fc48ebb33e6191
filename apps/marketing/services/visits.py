"""Writes to customer visits (客户拜访): a visit to a customer or a lead the actor may see, by the actor and the
colleagues who went along. Nothing else is written: the customer timeline shows visits through its source."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from apps.core.scoping import can, user_scope
from apps.core.services import model_update
from apps.marketing.models import Visit
from apps.marketing.selectors.leads import lead_visible
from apps.org.models import User

VISIT_FIELDS = ["customer", "lead", "visited_on", "purpose", "outcome", "next_step", "next_step_on"]

VISIT_NEEDS_TARGET = gettext_lazy("Choose the customer or the lead that was visited.")
VISIT_TARGET_OUT_OF_SCOPE = gettext_lazy("You may not record visits for this customer or lead.")
NEXT_STEP_BEFORE_VISIT = gettext_lazy("The next step cannot be before the visit.")
VISIT_IN_FUTURE_OUTCOME = gettext_lazy("A visit in the future cannot have an outcome yet.")


def _check(actor: User, visit: Visit) -> None:
    if visit.customer_id is None and visit.lead_id is None:
        raise ValidationError({"customer": VISIT_NEEDS_TARGET})
    if visit.customer is not None and not can(actor, "view", visit.customer):
        raise ValidationError({"customer": VISIT_TARGET_OUT_OF_SCOPE})
    if visit.lead_id and not lead_visible(user=actor).filter(pk=visit.lead_id).exists():
        raise ValidationError({"lead": VISIT_TARGET_OUT_OF_SCOPE})
    if visit.next_step_on and visit.visited_on and visit.next_step_on < visit.visited_on:
        raise ValidationError({"next_step_on": NEXT_STEP_BEFORE_VISIT})
    if visit.visited_on and visit.visited_on > timezone.localdate() and visit.outcome.strip():
        raise ValidationError({"outcome": VISIT_IN_FUTURE_OUTCOME})


@transaction.atomic
def visit_create(*, actor: User, data: dict[str, Any], visitors: list[Any] | None = None) -> Visit:
    """Record a visit organised by the actor; the actor is always among the visitors."""
    if not actor.has_perm("marketing.add_visit"):
        raise PermissionDenied
    visit = Visit(**{k: v for k, v in data.items() if k in VISIT_FIELDS})
    for key in ("outcome", "next_step"):
        setattr(visit, key, getattr(visit, key) or "")
    visit.owner = actor
    visit.owner_unit_id = user_scope(actor).unit_id  # type: ignore[assignment]
    visit.created_by = actor
    _check(actor, visit)
    visit.full_clean()
    visit.save()
    visit.visitors.set({u.pk: u for u in [actor, *(visitors or [])]}.values())
    return visit


@transaction.atomic
def visit_update(*, actor: User, visit: Visit, data: dict[str, Any], visitors: list[Any] | None = None) -> Visit:
    """Change a visit the actor may change (outcome, next step …)."""
    if not can(actor, "change", visit):
        raise PermissionDenied
    clean = {k: (v if v is not None or k not in ("outcome", "next_step") else "") for k, v in data.items()}
    probe = Visit(**{name: clean.get(name, getattr(visit, name)) for name in VISIT_FIELDS})
    _check(actor, probe)
    model_update(instance=visit, fields=VISIT_FIELDS, data=clean)
    if visitors is not None:
        visit.visitors.set({u.pk: u for u in [visit.owner, *visitors]}.values())
    return visit
