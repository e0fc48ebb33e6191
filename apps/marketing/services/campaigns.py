"""Writes to campaigns (推广活动): create, edit and the status planned → running → finished / cancelled. Results
(leads, conversions, cost per lead, ROI) are never written; ``selectors.campaigns`` computes them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_save, model_update
from apps.marketing.choices import CampaignStatus
from apps.marketing.models import Campaign
from apps.org.models import User

C = CampaignStatus
CAMPAIGN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    C.PLANNED: (C.RUNNING, C.CANCELLED),
    C.RUNNING: (C.FINISHED, C.CANCELLED),
    C.FINISHED: (),
    C.CANCELLED: (C.PLANNED,),
}
CAMPAIGN_FIELDS = [
    "name",
    "plan",
    "kind",
    "channel",
    "start_date",
    "end_date",
    "budget",
    "actual_cost",
    "target_segment",
    "description",
]

END_BEFORE_START = gettext_lazy("The end date cannot be before the start date.")
NEGATIVE_MONEY = gettext_lazy("Amounts cannot be negative.")
CAMPAIGN_STATUS_NOT_ALLOWED = gettext_lazy("A campaign cannot go from “%(old)s” to “%(new)s”.")


def _validate(campaign: Campaign) -> None:
    errors: dict[str, Any] = {}
    if campaign.start_date and campaign.end_date and campaign.end_date < campaign.start_date:
        errors["end_date"] = END_BEFORE_START
    for name in ("budget", "actual_cost"):
        value = getattr(campaign, name)
        if value is not None and value < 0:
            errors[name] = NEGATIVE_MONEY
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def campaign_create(*, actor: User, data: dict[str, Any]) -> Campaign:
    """Create a planned campaign owned by the actor and their department."""
    if not actor.has_perm("marketing.add_campaign"):
        raise PermissionDenied
    campaign = Campaign(**{k: v for k, v in data.items() if k in CAMPAIGN_FIELDS})
    campaign.owner = actor
    campaign.owner_unit_id = user_scope(actor).unit_id  # type: ignore[assignment]
    campaign.created_by = actor
    campaign.status = C.PLANNED
    _validate(campaign)
    model_save(campaign, actor=actor)
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    """Change a campaign the actor may change (dates, budget, actual cost …); the dates must stay in order."""
    if not can(actor, "change", campaign):
        raise PermissionDenied
    probe = Campaign(
        **{
            name: data.get(name, getattr(campaign, name))
            for name in ("start_date", "end_date", "budget", "actual_cost")
        }
    )
    _validate(probe)
    model_update(instance=campaign, fields=CAMPAIGN_FIELDS, data=data, actor=actor)
    return campaign


@transaction.atomic
def campaign_set_status(*, actor: User, campaign: Campaign, status: str) -> Campaign:
    """Move a campaign along ``CAMPAIGN_TRANSITIONS``."""
    if not can(actor, "change", campaign):
        raise PermissionDenied
    if status not in CAMPAIGN_TRANSITIONS.get(campaign.status, ()):
        raise ValidationError(
            CAMPAIGN_STATUS_NOT_ALLOWED
            % {"old": campaign.get_status_display(), "new": dict(C.choices).get(status, status)},
            code="transition",
        )
    campaign.status = status
    record_actor(campaign, actor)
    campaign.save(update_fields=["status", "updated_at"])
    return campaign
