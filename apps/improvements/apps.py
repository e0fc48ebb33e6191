from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "apps.improvements"
    label = "improvements"
    verbose_name = _("Improvement actions")
