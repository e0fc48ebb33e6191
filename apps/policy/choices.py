"""Choices of the policy and of its tunable rules.

The rule keys (ticket types, priorities, customer levels, KPI items, grades, frequencies) are defined here,
in the lowest app that needs them, so that the apps to the right (customers, service, performance) use the
same values the rules are keyed by.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")


class KpiItem(models.TextChoices):
    """The assessment indicators of art. 11."""

    MARKET_DEVELOPMENT = "market_development", _("Market development target completion")
    SALES_TARGET = "sales_target", _("Sales target completion")
    CUSTOMER_SATISFACTION = "customer_satisfaction", _("Customer satisfaction")


class Grade(models.TextChoices):
    """Assessment grades, best first (art. 13 rewards the best and penalises the worst)."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


class TicketType(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    REPAIR = "repair", _("Repair request")
    COMPLAINT = "complaint", _("Complaint")
    SUGGESTION = "suggestion", _("Suggestion")


class TicketPriority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class CustomerLevel(models.TextChoices):
    A = "A", _("A (key customer)")
    B = "B", _("B (regular customer)")
    C = "C", _("C (non-priority customer)")


class EvaluationKind(models.TextChoices):
    """The periodic evaluations the policy asks for (arts. 8, 9, 10, 12)."""

    MARKET_DEVELOPMENT = "market_development_evaluation", _("Market development evaluation")
    SALES_TARGET = "sales_target_evaluation", _("Sales target evaluation")
    SATISFACTION_SURVEY = "satisfaction_survey", _("Customer satisfaction survey")
    PERFORMANCE_ASSESSMENT = "performance_assessment", _("Performance assessment")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    HALF_YEARLY = "half_yearly", _("Half-yearly")
    YEARLY = "yearly", _("Yearly")
