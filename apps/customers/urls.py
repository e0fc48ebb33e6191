"""The customer archive's pages: the archive itself, the public pool, and Excel import/export."""

from apps.customers.urls_archive import urlpatterns as archive
from apps.customers.urls_dedupe import urlpatterns as dedupe
from apps.customers.urls_io import urlpatterns as io
from apps.customers.urls_pool import urlpatterns as pool

app_name = "customers"

urlpatterns = archive + pool + io + dedupe
