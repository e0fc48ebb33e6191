from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PerformanceConfig(AppConfig):
    name = "apps.performance"
    label = "performance"
    verbose_name = _("Performance assessment")

    def ready(self) -> None:
        from apps.core.workbench import register_workbench_provider
        from apps.performance.workbench import assessment_items

        register_workbench_provider(assessment_items)
        from apps.performance.hooks import impact, policy

        impact.register()  # the policy's impact page
        policy.register()  # the figures a policy review considers
