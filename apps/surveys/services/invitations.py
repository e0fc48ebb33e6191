"""One-time survey links (问卷链接): making them, emailing them, the post-ticket survey and reminders.

A link is ``secrets.token_urlsafe(32)`` (43 characters, 256 bits), valid for the campaign's ``link_valid_days``.
The invitation snapshots what the answer is analysed by (customer level, ticket type, responsible department) and
is owned by the service person it is counted for.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from apps.core.services import notify
from apps.surveys.choices import SurveyKind, SurveyStatus
from apps.surveys.models import Questionnaire, SurveyCampaign, SurveyInvitation

logger = logging.getLogger(__name__)

POST_TICKET_CAMPAIGN_NAME = gettext_lazy("After-service satisfaction: %(questionnaire)s")
INVITATION_MAIL_SUBJECT = gettext_lazy("How did we do? A short satisfaction survey")
INVITATION_MAIL_BODY = gettext_lazy(
    "Dear %(name)s,\n\nThank you for working with us. Please take a minute to tell us how satisfied you are:\n"
    "%(url)s\n\nThe link is personal, can be used once and is valid until %(expires)s.\n"
)
REMINDER_MAIL_SUBJECT = gettext_lazy("Reminder: our short satisfaction survey")
REMINDER_NOTIFY_TITLE = gettext_lazy("%(count)s customers have not answered the satisfaction survey yet")
MAX_REMINDERS = 2


def new_token() -> str:
    return secrets.token_urlsafe(32)


def answer_url(invitation: SurveyInvitation) -> str:
    """The link sent to the customer: ``SITE_URL`` (the public address, e.g. https://crm.example.com) + /s/<token>/;
    without the setting only the path (the pages make it absolute from the request)."""
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    return base + reverse("survey_answer:answer", args=[invitation.token])


def unit_of(user: Any) -> Any:
    employee = getattr(user, "employee", None)
    return employee.department if employee is not None else None


def primary_contact(customer: Any) -> Any:
    contacts = list(customer.contacts.all())
    for contact in contacts:
        if contact.is_primary:
            return contact
    return contacts[0] if contacts else None


def _company_name() -> str:
    """Optional ``COMPANY_NAME`` setting, put before the mail subject."""
    return getattr(settings, "COMPANY_NAME", "")


def invitation_message(invitation: SurveyInvitation, *, reminder: bool = False) -> tuple[str, str] | None:
    """The mail (subject, body) of a link, in Chinese (the customers' language); None without an address."""
    contact = invitation.contact
    if contact is None or not contact.email:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject_msg = REMINDER_MAIL_SUBJECT if reminder else INVITATION_MAIL_SUBJECT
        company = _company_name()
        subject = f"{company}：{subject_msg}" if company else str(subject_msg)
        body = str(INVITATION_MAIL_BODY) % {
            "name": contact.name,
            "url": answer_url(invitation),
            "expires": timezone.localtime(invitation.expires_at).strftime("%Y-%m-%d %H:%M"),
        }
    return subject, body


def email_invitation(invitation: SurveyInvitation, *, reminder: bool = False) -> bool:
    """Email the link when the contact has an address; True when sent."""
    message = invitation_message(invitation, reminder=reminder)
    if message is None:
        return False
    try:
        send_mail(message[0], message[1], None, [invitation.contact.email if invitation.contact else ""])
    except Exception:  # a mail server outage must not lose the link; it stays visible to the owner
        logger.exception("survey invitation %s: mail failed", invitation.pk)
        return False
    return True


def invitation_make(
    *,
    campaign: SurveyCampaign,
    customer: Any,
    contact: Any,
    owner: Any,
    owner_unit: Any,
    now: dt.datetime | None = None,
    ticket_type: str = "",
    department: Any = None,
    source: Any = None,
    send_email: bool = True,
) -> SurveyInvitation:
    """Create one link for one customer and email it; no permission check (callers check theirs)."""
    now = now or timezone.now()
    invitation = SurveyInvitation(
        campaign=campaign,
        customer=customer,
        contact=contact,
        token=new_token(),
        expires_at=now + dt.timedelta(days=campaign.link_valid_days),
        sent_at=now,
        customer_level=customer.level or "",
        ticket_type=ticket_type or "",
        department=department,
        owner=owner,
        owner_unit=owner_unit,
    )
    if source is not None:
        invitation.source_type = ContentType.objects.get_for_model(source)
        invitation.source_id = source.pk
    invitation.save()
    if send_email:
        transaction.on_commit(lambda: email_invitation(invitation))
    return invitation


def _post_ticket_name(questionnaire: Questionnaire) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # stored: in the company's language, not the resolver's
        return (str(POST_TICKET_CAMPAIGN_NAME) % {"questionnaire": questionnaire.title})[:100]


def _post_ticket_campaign(questionnaire: Questionnaire, ticket: Any) -> SurveyCampaign | None:
    """The standing post-ticket campaign of the questionnaire, created on first use (owned by the manager of the
    assignee's department, else the assignee)."""
    # A closed one (a manager closing a period) is followed by a new standing campaign.
    campaign = (
        SurveyCampaign.objects.filter(questionnaire=questionnaire, kind=SurveyKind.POST_TICKET)
        .exclude(status=SurveyStatus.CLOSED)
        .order_by("id")
        .first()
    )
    if campaign is not None:
        return campaign
    assignee = getattr(ticket, "assignee", None) or getattr(ticket, "created_by", None)
    department = getattr(ticket, "department", None)
    owner = None
    if assignee is not None:
        unit = unit_of(assignee)
        owner = (unit.manager if unit is not None and unit.manager_id else None) or assignee
    if owner is None and department is not None and department.manager_id:
        owner = department.manager
    owner_unit = unit_of(owner) if owner is not None else None
    owner_unit = owner_unit or department
    if owner is None or owner_unit is None:
        return None
    campaign = SurveyCampaign(
        name=_post_ticket_name(questionnaire),
        questionnaire=questionnaire,
        kind=SurveyKind.POST_TICKET,
        status=SurveyStatus.SENT,
        owner=owner,
        owner_unit=owner_unit,
        sent_at=timezone.now(),
    )
    campaign.full_clean()
    campaign.save()
    return campaign


@transaction.atomic
def invitation_after_ticket(*, ticket: Any) -> SurveyInvitation | None:
    """Send the post-ticket survey for a resolved ticket (duck-typed: .customer, .contact, .department,
    .ticket_type, .assignee, .created_by). None when there is no active post-ticket questionnaire, no customer,
    nobody to own the answer, or the ticket already has its link (one per ticket, whatever the reopenings)."""
    customer = getattr(ticket, "customer", None)
    if customer is None or ticket.pk is None:
        return None
    questionnaire = Questionnaire.objects.filter(for_resolved_tickets=True, is_active=True).first()
    if questionnaire is None:
        return None
    source_type = ContentType.objects.get_for_model(ticket)
    if SurveyInvitation.objects.filter(source_type=source_type, source_id=ticket.pk).exists():
        return None
    campaign = _post_ticket_campaign(questionnaire, ticket)
    if campaign is None:
        return None
    # The answer counts for whoever handled the ticket; failing that the customer's service owner or owner.
    owner = (
        getattr(ticket, "assignee", None)
        or customer.service_owner
        or customer.owner
        or getattr(ticket, "created_by", None)
        or campaign.owner
    )
    owner_unit = unit_of(owner) or getattr(ticket, "department", None) or campaign.owner_unit
    contact = getattr(ticket, "contact", None) or primary_contact(customer)
    return invitation_make(
        campaign=campaign,
        customer=customer,
        contact=contact,
        owner=owner,
        owner_unit=owner_unit,
        ticket_type=getattr(ticket, "ticket_type", "") or "",
        department=getattr(ticket, "department", None),
        source=ticket,
    )


def invitations_remind(now: dt.datetime | None = None) -> int:
    """Remind non-responders (unanswered, unexpired, sent at least ``remind_after_days`` ago — or that long after the
    last reminder — at most twice); email where possible and tell each owner once per run who has not answered.
    Returns the number of invitations reminded."""
    now = now or timezone.now()
    candidates = (
        SurveyInvitation.objects.filter(
            answered_at__isnull=True,
            expires_at__gt=now,
            sent_at__isnull=False,
            reminders_sent__lt=MAX_REMINDERS,
            campaign__remind_after_days__gt=0,
        )
        .exclude(campaign__status=SurveyStatus.CLOSED)
        .select_related("campaign", "contact", "customer", "owner")
    )
    by_owner: dict[Any, list[SurveyInvitation]] = defaultdict(list)
    count = 0
    for invitation in candidates:
        wait = dt.timedelta(days=invitation.campaign.remind_after_days)
        last = invitation.reminded_at or invitation.sent_at
        if last is None or last > now - wait:
            continue
        with transaction.atomic():
            locked = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.answered_at is not None or locked.reminders_sent >= MAX_REMINDERS:
                continue
            SurveyInvitation.objects.filter(pk=invitation.pk).update(
                reminders_sent=locked.reminders_sent + 1, reminded_at=now, updated_at=now
            )
        email_invitation(invitation, reminder=True)
        by_owner[invitation.owner].append(invitation)
        count += 1
    for owner, invitations in by_owner.items():
        with translation.override(settings.LANGUAGE_CODE):
            title = str(REMINDER_NOTIFY_TITLE) % {"count": len(invitations)}
            lines = [f"{inv.customer} · {inv.campaign}" for inv in invitations[:50]]
        url = reverse("surveys:invitation_list") + "?state=waiting"
        notify(recipients=[owner], title=title, body="\n".join(lines), url=url)
    return count
