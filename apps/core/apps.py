from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from apps.core import checks, dataversion  # noqa: F401  (checks registers the system checks)
        from apps.core.hooks import notifications as notify_hooks

        notify_hooks.register()
        dataversion.register()
