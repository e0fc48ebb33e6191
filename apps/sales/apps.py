from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from apps.sales.hooks import attainment, contracts, impact, pipeline, targets

        targets.register()
        pipeline.register()
        contracts.register()
        attainment.register()

        impact.register()  # the policy's impact page
