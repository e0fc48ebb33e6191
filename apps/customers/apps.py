from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self) -> None:
        from apps.customers.hooks import archive as hooks_archive
        from apps.customers.hooks import io as hooks_io
        from apps.customers.hooks import pool as hooks_pool

        hooks_archive.register()
        hooks_pool.register()
        hooks_io.register()
