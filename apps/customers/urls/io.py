"""Excel import and export of customers."""

from django.urls import path

from apps.customers.views import io

urlpatterns = [
    path("import/", io.customer_import_view, name="customer_import"),
    path("import/template/", io.customer_import_template_view, name="customer_import_template"),
    path("import/<str:token>/failed/", io.customer_import_failed_view, name="customer_import_failed"),
    path("export/", io.customer_export_view, name="customer_export"),
]
