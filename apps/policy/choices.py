"""Choices of the policy and of its tunable rules.

The rule keys (ticket types, priorities, customer levels, KPI items, grades, frequencies) are defined here,
in the lowest app that needs them, so that the apps to the right (customers, service, performance) use the
same values the rules are keyed by.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PolicyVersionStatus(models.TextChoices):
    """draft → submitted → approved → published → in force → superseded (the flow: ``models.VERSION_FLOW``)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the leadership group")
    APPROVED = "approved", _("Approved by the leadership group")
    PUBLISHED = "published", _("Published, not yet in force")
    IN_FORCE = "in_force", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DecisionOutcome(models.TextChoices):
    PENDING = "pending", _("Voting")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    NO_QUORUM = "no_quorum", _("No quorum")


class VoteChoice(models.TextChoices):
    IN_FAVOUR = "for", _("In favour")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


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
    NEEDS_IMPROVEMENT = "needs_improvement", _("Needs improvement")
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


class KpiCode(models.TextChoices):
    """The assessment indicators (考核指标) the system can measure or a manager scores (arts. 11, 12).

    Their definitions (unit, direction, scoring) are the KPI library of ``performance``; the keys live here so
    that the rules of a policy version can name them.
    """

    CONTRACT_AMOUNT_COMPLETION = "contract_amount_completion", _("Sales target completion (contract amount)")
    PAYMENT_COMPLETION = "payment_completion", _("Sales target completion (payments)")
    NEW_CUSTOMERS = "new_customers", _("New customers won")
    LEADS_HANDED_OVER = "leads_handed_over", _("Qualified leads handed over to sales")
    VISITS_DONE = "visits_done", _("Customer visits made")
    FIRST_RESPONSE_ON_TIME = "first_response_on_time", _("Tickets first answered on time")
    RESOLUTION_ON_TIME = "resolution_on_time", _("Tickets resolved on time")
    COMPLAINT_RESOLUTION = "complaint_resolution", _("Complaints resolved")
    CSAT = "csat", _("Customer satisfaction (CSAT)")
    IMPROVEMENTS_ON_TIME = "improvements_on_time", _("Improvement actions completed on time")
    MANAGER_RATING = "manager_rating", _("Manager's rating")
    DEPARTMENT_SCORE = "department_score", _("Score of the department led")
    VIOLATIONS = "violations", _("Policy violations confirmed")
    CONTACTS_ON_TIME = "contacts_on_time", _("Relationship contacts made on time")
    FEEDBACK_ACKNOWLEDGED_ON_TIME = "feedback_acknowledged_on_time", _("Feedback acknowledged on time")
    NPS = "nps", _("Net promoter score (NPS)")
    CAMPAIGN_CONVERSION = "campaign_conversion", _("Campaign lead conversion")
    PLAN_GOAL_COMPLETION = "plan_goal_completion", _("Market plan goal completion")
    SALES_PLAN_ACTIONS_ON_TIME = "sales_plan_actions_on_time", _("Sales plan actions done on time")


class AssessedKind(models.TextChoices):
    """The departments chapter 4 assesses (the values are those of ``org.DepartmentKind``)."""

    MARKET_DEVELOPMENT = "market_development", _("Market development")
    SALES = "sales", _("Sales")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")


class ScoringMethod(models.TextChoices):
    """How a KPI line turns its completion into a score (the scheme line of the rules says which)."""

    LINEAR = "linear", _("Linear to target, capped")
    BANDS = "bands", _("Score bands")
    THRESHOLD = "threshold", _("Threshold, then linear")
    DEDUCTION = "deduction", _("Deduction per occurrence")


class AssessmentLevel(models.TextChoices):
    STAFF = "staff", _("Staff")
    MANAGER = "manager", _("Department manager")
    DEPARTMENT = "department", _("Department")


class RewardPenaltyAction(models.TextChoices):
    """What art. 13 lets the company do: reward (嘉奖, 晋升机会) or penalise (惩罚措施)."""

    COMMENDATION = "commendation", _("Public commendation")
    BONUS = "bonus", _("Bonus")
    PROMOTION = "promotion", _("Promotion recommendation")
    WARNING = "warning", _("Warning")
    CRITICISM = "criticism", _("Public criticism")
    DEDUCTION = "deduction", _("Performance pay deduction")
    IMPROVEMENT_PLAN = "improvement_plan", _("Performance improvement plan")


REWARD_ACTIONS = (RewardPenaltyAction.COMMENDATION, RewardPenaltyAction.BONUS, RewardPenaltyAction.PROMOTION)


# Acknowledgement, interpretation, review


class InterpretationStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")
    DECLINED = "declined", _("Declined")


class ReviewOutcome(models.TextChoices):
    KEEP = "keep", _("Keep as it is")
    AMEND = "amend", _("Amend")
