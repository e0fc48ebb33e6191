from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "apps.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from apps.service import hooks_feedback, hooks_relationship, hooks_surveys, hooks_tickets

        hooks_tickets.register()
        hooks_feedback.register()
        hooks_relationship.register()
        hooks_surveys.register()
        from apps.service import hooks

        hooks.register()  # the policy's impact page
        from apps.service import hooks_policy

        hooks_policy.register()  # the figures a policy review considers
