from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "apps.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self) -> None:
        from apps.sales import hooks_attainment, hooks_contracts, hooks_pipeline, hooks_targets

        hooks_targets.register()
        hooks_pipeline.register()
        hooks_contracts.register()
        hooks_attainment.register()
        from apps.sales import hooks

        hooks.register()  # the policy's impact page
