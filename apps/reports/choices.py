from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly report")
    QUARTERLY = "quarterly", _("Quarterly report")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting review")
    RETURNED = "returned", _("Returned for rework")
    REVIEWED = "reviewed", _("Reviewed")


class ReportAction(models.TextChoices):
    SUBMIT = "submit", _("Submit")
    REVIEW = "review", _("Mark reviewed")
    RETURN = "return", _("Return")


class SubscriptionTarget(models.TextChoices):
    COCKPIT = "cockpit", _("Executive cockpit")
    PACK = "pack", _("Department reports pack")


class Frequency(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
