from django.db import models
from django.utils.translation import gettext_lazy as _


class ResearchMethod(models.TextChoices):
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")
    INTERVIEW = "interview", _("Interviews")
    DESK = "desk", _("Desk research")
    FIELD = "field", _("Field observation")
    COMPETITOR = "competitor", _("Competitor analysis")
    EXHIBITION = "exhibition", _("Trade fair")
    OTHER = "other", _("Other")


class ResearchStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    EXECUTING = "executing", _("In execution")
    CLOSED = "closed", _("Closed")


class GoalMetric(models.TextChoices):
    NEW_LEADS = "new_leads", _("New leads")
    QUALIFIED_LEADS = "qualified_leads", _("Qualified leads")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    NEW_CUSTOMER_REVENUE = "new_customer_revenue", _("Revenue from new customers (CNY)")
    CAMPAIGNS_HELD = "campaigns_held", _("Campaigns held")
    VISITS = "visits", _("Customer visits")
    MARKET_SHARE = "market_share", _("Market share estimate (%)")


class CampaignKind(models.TextChoices):
    EXHIBITION = "exhibition", _("Trade fair")
    SEMINAR = "seminar", _("Seminar")
    ONLINE_ADS = "online_ads", _("Online advertising")
    CONTENT = "content", _("Content marketing")
    SOCIAL = "social", _("Social media")
    DIRECT_MAIL = "direct_mail", _("Direct mail")
    TELEMARKETING = "telemarketing", _("Telemarketing")
    OTHER = "other", _("Other")


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    CANCELLED = "cancelled", _("Cancelled")


class LeadSource(models.TextChoices):
    CAMPAIGN = "campaign", _("Campaign")
    RESEARCH = "research", _("Market research")
    VISIT = "visit", _("Visit")
    IMPORT = "import", _("Import")
    MANUAL = "manual", _("Manual entry")


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTING = "contacting", _("Contacting")
    QUALIFIED = "qualified", _("Qualified")
    HANDED_OVER = "handed_over", _("Handed to sales")
    CONVERTED = "converted", _("Converted")
    INVALID = "invalid", _("Invalid")


class IntelCategory(models.TextChoices):
    COMPETITOR = "competitor", _("Competitor")
    PRICE = "price", _("Price")
    DEMAND = "demand", _("Demand")
    CHANNEL = "channel", _("Channel")
    REGULATION = "regulation", _("Regulation")


class Importance(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class IntelStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")
