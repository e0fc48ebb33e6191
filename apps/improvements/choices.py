from django.db import models
from django.utils.translation import gettext_lazy as _


class ImprovementSource(models.TextChoices):
    MARKET_EVALUATION = "market_evaluation", _("Market development evaluation")
    SALES_EVALUATION = "sales_evaluation", _("Sales target evaluation")
    SURVEY = "survey", _("Satisfaction survey analysis")
    COMPLAINT = "complaint", _("Complaint")
    OTHER = "other", _("Other")


class ImprovementStatus(models.TextChoices):
    # PDCA: planned (Plan) → in progress (Do) → done, awaiting the check (Check) → verified effective or not (Act).
    OPEN = "open", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done, awaiting verification")
    VERIFIED = "verified", _("Verified effective")
    INEFFECTIVE = "ineffective", _("Verified ineffective")
    CANCELLED = "cancelled", _("Cancelled")


class EffectDirection(models.TextChoices):
    """Which way the figure an action is meant to move should go."""

    UP = "up", _("Should rise")
    DOWN = "down", _("Should fall")
