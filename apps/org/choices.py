from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    COMPANY = "company", _("Company")
    MANAGEMENT = "management", _("Management")
    MARKET_DEVELOPMENT = "market_development", _("Market development")
    SALES = "sales", _("Sales")
    CUSTOMER_SERVICE = "customer_service", _("Customer service")
    OTHER = "other", _("Other")


class BuiltinRole(models.TextChoices):
    STAFF = "staff", _("Staff")
    DEPARTMENT_MANAGER = "department_manager", _("Department manager")
    SENIOR_MANAGEMENT = "senior_management", _("Senior management")
    LEADERSHIP_GROUP = "leadership_group", _("Leadership group member")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


class UserLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
