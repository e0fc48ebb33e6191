"""Choices of performance assessment (policy arts. 11–13)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPUTING = "computing", _("Computing")
    COMPUTED = "computed", _("Computed, under review")
    FINALISED = "finalised", _("Finalised")
    PUBLISHED = "published", _("Published")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    DEPARTMENT = "department", _("Department")


class AssessmentStatus(models.TextChoices):
    COMPUTED = "computed", _("Awaiting the manager's review")
    REVIEWED = "reviewed", _("Reviewed, awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    APPEALED = "appealed", _("Appealed")
    FINAL = "final", _("Final")


class KpiMethod(models.TextChoices):
    COMPUTED = "computed", _("Computed from the records")
    MANUAL = "manual", _("Scored by the manager")


class KpiUnit(models.TextChoices):
    PERCENT = "percent", "%"
    COUNT = "count", _("count")
    SCORE = "score", _("points")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class AppealStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting a decision")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ViolationStatus(models.TextChoices):
    REPORTED = "reported", _("Reported")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")
    APPEALED = "appealed", _("Appealed")
    UPHELD_ON_APPEAL = "upheld_on_appeal", _("Confirmed on appeal")
    OVERTURNED = "overturned", _("Overturned on appeal")
