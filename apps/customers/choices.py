from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CustomerKind(models.TextChoices):
    COMPANY = "company", _("Company")
    INDIVIDUAL = "individual", _("Individual")


class CustomerLevel(models.TextChoices):
    A = "A", _("A (key customer)")
    B = "B", _("B (regular customer)")
    C = "C", _("C (non-priority customer)")


class CustomerSource(models.TextChoices):
    PROMOTION = "promotion", _("Promotion campaign")
    SEARCH = "search", _("Search engine")
    ADVERTISING = "advertising", _("Advertising")
    REFERRAL = "referral", _("Referral")
    ONLINE_SIGNUP = "online_signup", _("Online sign-up")
    ONLINE_ENQUIRY = "online_enquiry", _("Online enquiry")
    COLD_VISIT = "cold_visit", _("Cold visit")
    PHONE_ENQUIRY = "phone_enquiry", _("Phone enquiry")
    EMAIL_ENQUIRY = "email_enquiry", _("Email enquiry")
    LEAD_CONVERSION = "lead_conversion", _("Converted lead")
    IMPORT = "import", _("Import")
    OTHER = "other", _("Other")


class Industry(models.TextChoices):
    IT = "it", _("IT")
    FINANCE = "finance", _("Finance")
    REAL_ESTATE = "real_estate", _("Real estate")
    BUSINESS_SERVICES = "business_services", _("Business services")
    LOGISTICS = "logistics", _("Transport and logistics")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    GOVERNMENT = "government", _("Government")
    MEDIA = "media", _("Culture and media")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    RETAIL = "retail", _("Retail")
    ENERGY = "energy", _("Energy")
    OTHER = "other", _("Other")


class Lifecycle(models.TextChoices):
    POTENTIAL = "potential", pgettext_lazy("customer lifecycle", "Potential")
    ACTIVE = "active", pgettext_lazy("customer lifecycle", "Active")
    DORMANT = "dormant", pgettext_lazy("customer lifecycle", "Dormant")
    LOST = "lost", pgettext_lazy("customer lifecycle", "Lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("No deal yet")
    WON = "won", _("Deal closed")


class FollowUpChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    VISIT = "visit", _("Visit")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    DROPPED = "dropped", _("Dropped")


class OwnershipAction(models.TextChoices):
    CREATE = "create", _("Created")
    CLAIM = "claim", _("Claimed from the public pool")
    ASSIGN = "assign", _("Assigned from the public pool")
    RETURN = "return", _("Returned to the public pool")
    RECYCLE = "recycle", _("Recycled to the public pool")
    TRANSFER = "transfer", _("Transferred")
    CONVERT = "convert", _("Converted from a lead")
