from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "apps.customers"
    label = "customers"
    verbose_name = _("Customer archive")

    def ready(self) -> None:
        from apps.customers.hooks import archive, io, pool

        archive.register()
        pool.register()
        io.register()
