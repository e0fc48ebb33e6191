from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    RATING = "rating", _("Rating 1–5")
    NPS = "nps", _("Likelihood to recommend 0–10 (NPS)")
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TEXT = "text", _("Text")


class SurveyKind(models.TextChoices):
    CAMPAIGN = "campaign", _("Survey campaign")
    POST_TICKET = "post_ticket", _("After a resolved ticket")


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    SENT = "sent", _("Sent")
    CLOSED = "closed", _("Closed")


class NpsGroup(models.TextChoices):
    """NPS: 9–10 promoters, 7–8 passives, 0–6 detractors."""

    PROMOTER = "promoter", _("Promoter")
    PASSIVE = "passive", _("Passive")
    DETRACTOR = "detractor", _("Detractor")


def nps_group(score: int) -> str:
    if score >= 9:
        return NpsGroup.PROMOTER
    if score >= 7:
        return NpsGroup.PASSIVE
    return NpsGroup.DETRACTOR
