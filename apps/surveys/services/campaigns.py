"""Writes to survey campaigns (满意度调查): create and edit a draft, send now or schedule, close, analysis notes.

Sending makes one one-time link per customer of the segment (not in the public pool) for its primary contact,
owned by the customer's service owner (else its owner) and their department, and emails it where the contact has an
address. A scheduled campaign is sent by the periodic job ``surveys.dispatch_due``.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.services import model_save, model_update, notify
from apps.customers.models import Tag
from apps.policy.choices import CustomerLevel
from apps.surveys.choices import SurveyKind, SurveyStatus
from apps.surveys.models import (
    SURVEY_CAMPAIGN_WORKFLOW,
    CampaignStep,
    SurveyCampaign,
    SurveyInvitation,
    campaign_step,
    campaign_step_roles,
)
from apps.surveys.registry import segment_source
from apps.surveys.selectors.campaigns import campaign_roles, segment_customers
from apps.surveys.services import invitations as links

logger = logging.getLogger(__name__)

NOT_EDITABLE = gettext_lazy("Only a draft or scheduled survey can be changed.")
NOT_SENDABLE = gettext_lazy("Only a draft or scheduled survey can be sent.")
POST_TICKET_NOT_SENT = gettext_lazy("The after-ticket survey is sent automatically when tickets are resolved.")
ALREADY_CLOSED = gettext_lazy("This survey is already closed.")
NO_RECIPIENTS = gettext_lazy("The segment selects no customers; widen it before sending.")
QUESTIONNAIRE_INACTIVE = gettext_lazy("Choose a questionnaire that is in use.")
SCHEDULE_IN_PAST = gettext_lazy("Choose a time in the future.")
PERIOD_ORDER = gettext_lazy("The end of the period cannot be before its start.")
PERIOD_NEEDED = gettext_lazy("Give the period for this segment.")
UNKNOWN_LEVEL = gettext_lazy("Unknown customer level.")
UNKNOWN_TAG = gettext_lazy("Unknown tag.")
UNKNOWN_SOURCE = gettext_lazy("Unknown segment.")
SENT_NOTIFY = gettext_lazy('Survey "%(name)s" sent: %(count)s of your customers received a link')

CAMPAIGN_FIELDS = [
    "name",
    "questionnaire",
    "segment",
    "link_valid_days",
    "remind_after_days",
    "period_start",
    "period_end",
]
# The statuses in which the segment survey is not sent yet (edit, send and schedule are open): from the table.
EDITABLE = tuple(status for status, steps in SURVEY_CAMPAIGN_WORKFLOW.items() if "send" in steps)
# What a step the table does not allow in the campaign's status (or kind) says.
_REFUSED = {
    "edit": NOT_EDITABLE,
    "send": NOT_SENDABLE,
    "schedule": NOT_SENDABLE,
    "close": ALREADY_CLOSED,
}


def _require(actor: Any, campaign: SurveyCampaign, action: str) -> None:
    """Refuse (403) a person ``SURVEY_CAMPAIGN_WORKFLOW`` does not name for ``action``."""
    if not campaign_step_roles(action) & campaign_roles(actor, campaign):
        raise PermissionDenied


def _allow(campaign: SurveyCampaign, action: str) -> CampaignStep:
    """The step of the table for the campaign's status and kind; a validation error when it has none."""
    step = campaign_step(campaign, action)
    if step is None:
        if action == "send" and campaign.kind != SurveyKind.CAMPAIGN:
            raise ValidationError(POST_TICKET_NOT_SENT)
        raise ValidationError(_REFUSED[action])
    return step


def clean_segment(segment: dict[str, Any] | None, period_start: Any, period_end: Any) -> dict[str, Any]:
    """Normalise a segment: {"levels": [...], "tags": [ids], "province": "", "source": key}; raises ValidationError."""
    segment = segment or {}
    levels = [str(v) for v in segment.get("levels") or []]
    if any(level not in CustomerLevel.values for level in levels):
        raise ValidationError({"segment": UNKNOWN_LEVEL})
    tags = sorted({int(t) for t in segment.get("tags") or []})
    if tags and Tag.objects.filter(pk__in=tags).count() != len(tags):
        raise ValidationError({"segment": UNKNOWN_TAG})
    source = str(segment.get("source") or "")
    if source and segment_source(source) is None:
        raise ValidationError({"segment": UNKNOWN_SOURCE})
    if source and not (period_start or period_end):
        raise ValidationError({"period_start": PERIOD_NEEDED})
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": PERIOD_ORDER})
    cleaned: dict[str, Any] = {}
    if levels:
        cleaned["levels"] = sorted(set(levels))
    if tags:
        cleaned["tags"] = tags
    if str(segment.get("province") or "").strip():
        cleaned["province"] = str(segment["province"]).strip()
    if source:
        cleaned["source"] = source
    return cleaned


def recipients(campaign: SurveyCampaign) -> Any:
    return segment_customers(campaign.segment, campaign.period_start, campaign.period_end)


@transaction.atomic
def campaign_create(*, actor: Any, data: dict[str, Any]) -> SurveyCampaign:
    if not actor.has_perm("surveys.add_surveycampaign"):
        raise PermissionDenied
    fields = {k: data[k] for k in CAMPAIGN_FIELDS if k in data}
    fields["segment"] = clean_segment(fields.get("segment"), fields.get("period_start"), fields.get("period_end"))
    questionnaire = fields.get("questionnaire")
    if questionnaire is not None and not questionnaire.is_active:
        raise ValidationError({"questionnaire": QUESTIONNAIRE_INACTIVE})
    campaign = SurveyCampaign(
        kind=SurveyKind.CAMPAIGN,
        status=SurveyStatus.DRAFT,
        owner=actor,
        owner_unit=links.unit_of(actor),
        created_by=actor,
        **fields,
    )
    model_save(campaign, actor=actor)
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: SurveyCampaign, data: dict[str, Any]) -> SurveyCampaign:
    _require(actor, campaign, "edit")
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _allow(campaign, "edit")
    data = dict(data)
    if "segment" in data:
        data["segment"] = clean_segment(
            data["segment"],
            data.get("period_start", campaign.period_start),
            data.get("period_end", campaign.period_end),
        )
    questionnaire = data.get("questionnaire")
    if questionnaire is not None and questionnaire != campaign.questionnaire and not questionnaire.is_active:
        raise ValidationError({"questionnaire": QUESTIONNAIRE_INACTIVE})
    model_update(instance=campaign, fields=CAMPAIGN_FIELDS, data=data, actor=actor)
    return campaign


def _send(campaign: SurveyCampaign, now: dt.datetime) -> list[SurveyInvitation]:
    """Make the links (one per customer without one yet in this campaign), mark the campaign sent, email after
    commit and tell each owner how many of their customers were asked."""
    already = set(campaign.invitations.values_list("customer_id", flat=True))
    customers = (
        recipients(campaign)
        .exclude(pk__in=already)
        .select_related("service_owner__employee__department", "owner__employee__department", "owner_unit")
        .prefetch_related("contacts")
    )
    rows = []
    for customer in customers:
        owner = customer.service_owner or customer.owner
        owner_unit = links.unit_of(owner) or customer.owner_unit
        if owner is None or owner_unit is None:
            continue
        rows.append(
            SurveyInvitation(
                campaign=campaign,
                customer=customer,
                contact=links.primary_contact(customer),
                token=links.new_token(),
                expires_at=now + dt.timedelta(days=campaign.link_valid_days),
                sent_at=now,
                customer_level=customer.level or "",
                owner=owner,
                owner_unit=owner_unit,
            )
        )
    if not rows:
        raise ValidationError(NO_RECIPIENTS)
    created = SurveyInvitation.objects.bulk_create(rows, batch_size=500)
    campaign.status = SurveyStatus.SENT
    campaign.sent_at = now
    campaign.scheduled_at = None
    campaign.save(update_fields=["status", "sent_at", "scheduled_at", "updated_at"])
    counts: dict[Any, int] = {}
    for invitation in created:
        counts[invitation.owner] = counts.get(invitation.owner, 0) + 1
    with translation.override(settings.LANGUAGE_CODE):
        for owner, count in counts.items():
            notify(recipients=[owner], title=str(SENT_NOTIFY) % {"name": campaign.name, "count": count})
    ids = [i.pk for i in created]
    transaction.on_commit(lambda: email_invitations(ids))
    return created


def email_invitations(invitation_ids: list[int]) -> int:
    """Email the links whose contact has an address, over one mail connection; returns the number sent."""
    invitations = SurveyInvitation.objects.filter(pk__in=invitation_ids, contact__email__gt="").select_related(
        "contact", "campaign"
    )
    sent = 0
    try:
        connection = get_connection()
        connection.open()
    except Exception:
        logger.exception("survey mail: no connection")
        return 0
    try:
        for invitation in invitations:
            message = links.invitation_message(invitation)
            if message is None:
                continue
            subject, body = message
            try:
                EmailMessage(
                    subject, body, None, [invitation.contact.email if invitation.contact else ""], connection=connection
                ).send()
            except Exception:
                logger.exception("survey invitation %s: mail failed", invitation.pk)
                continue
            sent += 1
    finally:
        connection.close()
    return sent


@transaction.atomic
def campaign_send(*, actor: Any, campaign: SurveyCampaign, now: dt.datetime | None = None) -> list[SurveyInvitation]:
    """Send now: one link per customer of the segment; returns the new invitations."""
    _require(actor, campaign, "send")
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    _allow(campaign, "send")
    if not campaign.questionnaire.is_active:
        raise ValidationError({"questionnaire": QUESTIONNAIRE_INACTIVE})
    record_actor(campaign, actor)
    return _send(campaign, now or timezone.now())


@transaction.atomic
def campaign_schedule(
    *, actor: Any, campaign: SurveyCampaign, when: dt.datetime, now: dt.datetime | None = None
) -> SurveyCampaign:
    """Send later: the periodic job ``surveys.dispatch_due`` sends it at ``when``."""
    _require(actor, campaign, "schedule")
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    step = _allow(campaign, "schedule")
    if when <= (now or timezone.now()):
        raise ValidationError({"scheduled_at": SCHEDULE_IN_PAST})
    if not recipients(campaign).exists():
        raise ValidationError(NO_RECIPIENTS)
    record_actor(campaign, actor)
    campaign.status = cast(str, step.target)
    campaign.scheduled_at = when
    campaign.save(update_fields=["status", "scheduled_at", "updated_at"])
    return campaign


def campaigns_dispatch_due(now: dt.datetime | None = None) -> int:
    """Send every scheduled campaign whose time has come (each in its own transaction); returns how many."""
    now = now or timezone.now()
    sent = 0
    due = SurveyCampaign.objects.filter(status=SurveyStatus.SCHEDULED, scheduled_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        try:
            with transaction.atomic():
                campaign = SurveyCampaign.objects.select_for_update().get(pk=pk)
                if campaign.status != SurveyStatus.SCHEDULED:
                    continue
                _send(campaign, now)
        except ValidationError:
            logger.warning("scheduled survey %s: no recipients", pk)
            continue
        sent += 1
    return sent


@transaction.atomic
def campaign_close(*, actor: Any, campaign: SurveyCampaign, now: dt.datetime | None = None) -> SurveyCampaign:
    """Close: its links take no more answers and no more reminders go out."""
    _require(actor, campaign, "close")
    campaign = SurveyCampaign.objects.select_for_update().get(pk=campaign.pk)
    step = _allow(campaign, "close")
    record_actor(campaign, actor)
    campaign.status = cast(str, step.target)
    campaign.closed_at = now or timezone.now()
    campaign.scheduled_at = None
    campaign.save(update_fields=["status", "closed_at", "scheduled_at", "updated_at"])
    return campaign


@transaction.atomic
def campaign_analysis_update(*, actor: Any, campaign: SurveyCampaign, analysis: str) -> SurveyCampaign:
    """The analysis notes (分析结论) managers write on the results."""
    _require(actor, campaign, "analysis")
    _allow(campaign, "analysis")
    model_update(instance=campaign, fields=["analysis"], data={"analysis": analysis.strip()}, actor=actor)
    return campaign
