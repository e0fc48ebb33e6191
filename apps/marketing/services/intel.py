"""Writes to market intelligence (市场情报): drafts, publication to the sales department (art. 5: intelligence
supplied by market development), and read receipts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_save, model_update, notify
from apps.marketing.choices import IntelStatus
from apps.marketing.models import IntelRead, MarketIntel
from apps.marketing.selectors.intel import intel_audience
from apps.org.models import User

INTEL_FIELDS = ["title", "category", "content", "source", "importance"]
ALREADY_PUBLISHED = gettext_lazy("This intelligence has already been published.")
NOT_PUBLISHED = gettext_lazy("Only published intelligence has read receipts.")


@transaction.atomic
def intel_create(*, actor: User, data: dict[str, Any]) -> MarketIntel:
    """Write a draft owned by the actor; it reaches sales only when a manager publishes it."""
    if not actor.has_perm("marketing.add_marketintel"):
        raise PermissionDenied
    intel = MarketIntel(**{k: v for k, v in data.items() if k in INTEL_FIELDS})
    intel.source = intel.source or ""
    intel.owner = actor
    intel.owner_unit_id = user_scope(actor).unit_id  # type: ignore[assignment]
    intel.created_by = actor
    intel.status = IntelStatus.DRAFT
    model_save(intel, actor=actor)
    return intel


@transaction.atomic
def intel_update(*, actor: User, intel: MarketIntel, data: dict[str, Any]) -> MarketIntel:
    """Change intelligence the actor may change (a correction after publication is kept in the history)."""
    if not can(actor, "change", intel):
        raise PermissionDenied
    model_update(
        instance=intel, fields=INTEL_FIELDS, data={k: v for k, v in data.items() if k in INTEL_FIELDS}, actor=actor
    )
    return intel


@transaction.atomic
def intel_publish(*, actor: User, intel: MarketIntel) -> MarketIntel:
    """Publish a draft (managers with ``marketing.publish_marketintel``, within their scope) and notify the
    people of the sales departments."""
    if not actor.has_perm("marketing.publish_marketintel") or not can(actor, "change", intel):
        raise PermissionDenied
    if intel.status == IntelStatus.PUBLISHED:
        raise ValidationError(ALREADY_PUBLISHED, code="published")
    intel.status = IntelStatus.PUBLISHED
    intel.published_at = timezone.now()
    record_actor(intel, actor, _("Published to sales"))
    intel.save(update_fields=["status", "published_at", "updated_at"])
    notify(
        recipients=intel_audience().exclude(pk=actor.pk),
        title=_("New market intelligence: %(title)s") % {"title": intel.title},
        body=f"{intel.get_category_display()} · {intel.get_importance_display()}",
        url=reverse("marketing:intel_detail", args=[intel.pk]),
    )
    return intel


def intel_mark_read(*, actor: User, intel: MarketIntel) -> IntelRead | None:
    """Record that the actor read published intelligence — once; drafts get no receipts."""
    if intel.status != IntelStatus.PUBLISHED:
        return None
    receipt, _created = IntelRead.objects.get_or_create(intel=intel, reader=actor)
    return receipt
