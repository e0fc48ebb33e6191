from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    name = "apps.marketing"
    label = "marketing"
    verbose_name = _("Market development")

    def ready(self) -> None:
        from apps.marketing.hooks import leads, plans

        plans.register()
        leads.register()
