"""Satisfaction surveys (policy arts. 10, 12): questionnaires, campaigns to customers, one-time links, answers.

A survey invitation is one customer's unguessable one-time link; its answer is a ``SurveyResponse`` bound one-to-one
to the invitation, so a double submission can never store two answers (the database refuses the second).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import OwnedModel, TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.policy.choices import CustomerLevel, TicketType
from apps.surveys.choices import QuestionKind, SurveyKind, SurveyStatus

User = settings.AUTH_USER_MODEL


class Questionnaire(TimeStampedModel):
    """A questionnaire (问卷), company-wide; the questions carry Chinese and English text."""

    title = models.CharField(_("title"), max_length=100)
    title_en = models.CharField(_("title (English)"), max_length=100, blank=True)
    intro = models.TextField(_("introduction"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    is_active = models.BooleanField(_("in use"), default=True)
    # The questionnaire sent automatically when a ticket is resolved (at most one).
    for_resolved_tickets = models.BooleanField(_("sent after resolved tickets"), default=False)
    created_by = optional_fk(User, _("created by"), on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["-is_active", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["for_resolved_tickets"],
                condition=models.Q(for_resolved_tickets=True),
                name="surveys_one_post_ticket_questionnaire",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.CASCADE, related_name="questions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("question type"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("question"), max_length=300)
    text_en = models.CharField(_("question (English)"), max_length=300, blank=True)
    # Choice questions: [{"zh": "…", "en": "…"}, …]; the answer stores the option's index.
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "order", "id"]

    def __str__(self) -> str:
        return self.text


#
# The survey campaign workflow as one table (like ``PLAN_WORKFLOW`` in sales and marketing, ``TICKET_WORKFLOW`` in
# service): per status, the steps with the status each leads to, who may take it and for which kinds of survey. The
# services allow exactly these steps, the campaign page shows exactly these buttons and the API returns them as
# ``allowed_actions`` (``selectors.campaigns.campaign_allowed``).
#


class CampaignRole:
    """Who a user is for one survey campaign (``selectors.campaigns.campaign_roles``); a user may be both."""

    CHANGER = "changer"  # ``surveys.change_surveycampaign`` and the campaign in the user's change scope
    SENDER = "sender"  # ``surveys.send_surveycampaign`` and the campaign in the user's view scope


@dataclass(frozen=True)
class CampaignStep:
    target: str | None  # the status after the step; None: the status does not change
    who: frozenset[str]  # any one of these roles may take it
    kinds: frozenset[str] = frozenset(SurveyKind.values)  # the kinds of survey it applies to


_SS = SurveyStatus
_CHANGER, _SENDER = frozenset({CampaignRole.CHANGER}), frozenset({CampaignRole.SENDER})
_SEGMENT_ONLY = frozenset({SurveyKind.CAMPAIGN})  # the standing post-ticket survey is sent by resolved tickets
_NOT_SENT_YET = {
    "edit": CampaignStep(None, _CHANGER, _SEGMENT_ONLY),
    "send": CampaignStep(_SS.SENT, _SENDER, _SEGMENT_ONLY),
    "schedule": CampaignStep(_SS.SCHEDULED, _SENDER, _SEGMENT_ONLY),  # from scheduled: a new time
    "close": CampaignStep(_SS.CLOSED, _CHANGER),
    "analysis": CampaignStep(None, _CHANGER),
}
SURVEY_CAMPAIGN_WORKFLOW: dict[str, dict[str, CampaignStep]] = {
    _SS.DRAFT: dict(_NOT_SENT_YET),
    _SS.SCHEDULED: dict(_NOT_SENT_YET),
    _SS.SENT: {"close": CampaignStep(_SS.CLOSED, _CHANGER), "analysis": CampaignStep(None, _CHANGER)},
    _SS.CLOSED: {"analysis": CampaignStep(None, _CHANGER)},
}
# Every step of the table, in the order the page shows them.
CAMPAIGN_ACTIONS = ("edit", "send", "schedule", "close", "analysis")


def campaign_step_roles(action: str) -> frozenset[str]:
    """Who may take ``action`` in the statuses where the table has it."""
    return frozenset().union(*(steps[action].who for steps in SURVEY_CAMPAIGN_WORKFLOW.values() if action in steps))


def campaign_step(campaign: SurveyCampaign, action: str) -> CampaignStep | None:
    """The step ``action`` of the table for the campaign's status and kind, or None when it has none."""
    step = SURVEY_CAMPAIGN_WORKFLOW.get(campaign.status, {}).get(action)
    return step if step is not None and campaign.kind in step.kinds else None


class SurveyCampaign(OwnedModel):
    """One sending of a questionnaire: to a customer segment, or the standing post-ticket survey."""

    name = models.CharField(_("survey name"), max_length=100)
    questionnaire = models.ForeignKey(
        Questionnaire, verbose_name=_("questionnaire"), on_delete=models.PROTECT, related_name="campaigns"
    )
    kind = models.CharField(_("survey kind"), max_length=20, choices=SurveyKind.choices, default=SurveyKind.CAMPAIGN)
    status = models.CharField(_("status"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT)
    # The segment (客户分群): {"levels": ["A"], "tags": [ids], "province": "", "tickets_closed_from": "2026-01-01",
    # "tickets_closed_to": "2026-03-31"}; empty keys do not filter.
    segment = models.JSONField(_("customer segment"), default=dict, blank=True)
    link_valid_days = models.PositiveSmallIntegerField(
        _("link valid for (days)"), default=14, validators=[MinValueValidator(1), MaxValueValidator(180)]
    )
    remind_after_days = models.PositiveSmallIntegerField(
        _("remind non-responders after (days)"), default=3, validators=[MaxValueValidator(90)]
    )
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)  # status scheduled: dispatch_due sends
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period to"), null=True, blank=True)
    analysis = models.TextField(_("analysis"), blank=True)  # 分析结论 (art. 10: analyse the results)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey campaign")
        verbose_name_plural = _("survey campaigns")
        ordering = ["-created_at", "-id"]
        permissions = [("send_surveycampaign", _("Can send survey campaigns"))]

    def __str__(self) -> str:
        return self.name


class SurveyInvitation(TimeStampedModel):
    """One recipient's one-time link (问卷链接). ``owner`` is the service person it is counted for."""

    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    contact = optional_fk("customers.Contact", _("contact"), on_delete=models.SET_NULL, related_name="+")
    token = models.CharField(max_length=64, unique=True, editable=False)  # secrets.token_urlsafe(32)
    expires_at = models.DateTimeField(_("link expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # What the answer is analysed by (snapshots taken when the link is made).
    customer_level = models.CharField(_("customer level"), max_length=1, choices=CustomerLevel.choices, blank=True)
    ticket_type = models.CharField(_("ticket type"), max_length=20, choices=TicketType.choices, blank=True)
    department = optional_fk("org.Department", _("responsible department"), on_delete=models.SET_NULL, related_name="+")
    source_type = optional_fk(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")  # the resolved ticket, for post-ticket surveys
    owner = models.ForeignKey(User, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    owner_unit = models.ForeignKey(
        "org.Department", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+"
    )

    # The customer's service owner and whoever runs the campaign see the link and its answer whatever their scope.
    scope_fields = ScopeFields(
        owner="owner", unit="owner_unit", shared_with=("customer__service_owner", "campaign__owner")
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["campaign", "answered_at"]), models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.customer}"


class SurveyResponse(TimeStampedModel):
    """The answer to one invitation; one-to-one, so a link is answered at most once."""

    invitation = models.OneToOneField(
        SurveyInvitation, verbose_name=_("survey invitation"), on_delete=models.CASCADE, related_name="response"
    )
    campaign = models.ForeignKey(
        SurveyCampaign, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="responses"
    )
    submitted_at = models.DateTimeField(_("answered at"))
    # CSAT: the mean of the rating questions (1–5); NPS: the 0–10 answer. Null when the questionnaire has none.
    csat = models.DecimalField(_("CSAT"), max_digits=3, decimal_places=2, null=True, blank=True)
    nps_score = models.PositiveSmallIntegerField(_("likelihood to recommend"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    scope_fields = ScopeFields(
        owner="invitation__owner",
        unit="invitation__owner_unit",
        shared_with=("invitation__customer__service_owner", "campaign__owner"),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.invitation}"


class Answer(models.Model):
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    number = models.SmallIntegerField(null=True, blank=True)  # rating 1–5, NPS 0–10, single choice index
    choices = models.JSONField(default=list, blank=True)  # multiple choice indexes
    text = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="surveys_one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.response} · {self.question}"
