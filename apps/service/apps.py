from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "apps.service"
    label = "service"
    verbose_name = _("Customer service")

    def ready(self) -> None:
        from apps.service.hooks import feedback, impact, policy, relationship, surveys, tickets

        tickets.register()
        feedback.register()
        relationship.register()
        surveys.register()

        impact.register()  # the policy's impact page

        policy.register()  # the figures a policy review considers
