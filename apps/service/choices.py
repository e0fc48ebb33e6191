from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.policy.choices import TicketPriority, TicketType  # noqa: F401  (the rules are keyed by these)


class TicketStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_CUSTOMER = "waiting_customer", _("Awaiting customer confirmation")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (TicketStatus.NEW, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.WAITING_CUSTOMER)


class ComplaintCategory(models.TextChoices):
    PRODUCT_QUALITY = "product_quality", _("Product quality")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    DELIVERY = "delivery", _("Delivery")
    PRICE = "price", _("Price")
    OTHER = "other", _("Other")


class TicketChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit")
    WEB = "web", _("Web form")


class TicketOrigin(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PUBLIC_FORM = "public_form", _("Public form")
    SURVEY = "survey", _("Survey detractor")


class TicketEventKind(models.TextChoices):
    CREATED = "created", _("Created")
    ASSIGNED = "assigned", _("Assigned")
    STATUS = "status", _("Status changed")
    COMMENT = "comment", _("Internal note")
    REPLY = "reply", _("Reply to the customer")
    CUSTOMER = "customer", _("Customer message")
    WARNED = "warned", _("Deadline warning")
    ESCALATED = "escalated", _("Escalated")
    REOPENED = "reopened", _("Reopened")


class EscalationLevel(models.IntegerChoices):
    NONE = 0, _("Not escalated")
    DEPARTMENT_MANAGER = 1, _("Escalated to the department manager")
    SENIOR_MANAGEMENT = 2, _("Escalated to senior management")


class FeedbackSource(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    VISIT = "visit", _("Customer visit")
    FOLLOW_UP = "follow_up", _("Follow-up")
    SURVEY = "survey", _("Satisfaction survey")
    RELATIONSHIP = "relationship", _("Relationship contact")
    MANUAL = "manual", _("Entered by hand")


class FeedbackCategory(models.TextChoices):
    PRODUCT = "product", _("Product")
    PRICE = "price", _("Price")
    DELIVERY = "delivery", _("Delivery")
    SERVICE = "service", _("Service")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    OTHER = "other", _("Other")


class RoutingStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    REPLIED = "replied", _("Replied")


class DueContactReason(models.TextChoices):
    CADENCE = "cadence", _("Regular contact")
    BIRTHDAY = "birthday", _("Birthday")
    CONTRACT_ANNIVERSARY = "contract_anniversary", _("Contract anniversary")


class DueContactStatus(models.TextChoices):
    OPEN = "open", _("Due")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class Satisfaction(models.IntegerChoices):
    """The five-level scale (五级满意度)."""

    VERY_SATISFIED = 5, _("Very satisfied")
    SATISFIED = 4, _("Satisfied")
    NEUTRAL = 3, _("Neutral")
    DISSATISFIED = 2, _("Dissatisfied")
    VERY_DISSATISFIED = 1, _("Very dissatisfied")
