"""The customer archive's pages: the archive itself, the public pool, and Excel import/export."""

from apps.customers.urls.archive import urlpatterns as archive
from apps.customers.urls.dedupe import urlpatterns as dedupe
from apps.customers.urls.io import urlpatterns as io
from apps.customers.urls.pool import urlpatterns as pool

app_name = "customers"

urlpatterns = archive + pool + io + dedupe
