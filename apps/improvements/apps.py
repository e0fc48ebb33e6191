from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImprovementsConfig(AppConfig):
    name = "apps.improvements"
    label = "improvements"
    verbose_name = _("Improvement actions")

    def ready(self) -> None:
        from apps.core.workbench import register_workbench_provider
        from apps.improvements.workbench import my_improvement_items

        register_workbench_provider(my_improvement_items)
