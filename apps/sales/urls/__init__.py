"""Sales pages: targets and their decomposition; plans, products and the pipeline; contracts and payments;
attainment, evaluations and the dashboards."""

from apps.sales.urls.attainment import urlpatterns as attainment
from apps.sales.urls.contracts import urlpatterns as contracts
from apps.sales.urls.pipeline import urlpatterns as pipeline
from apps.sales.urls.targets import urlpatterns as targets

app_name = "sales"

urlpatterns = attainment + targets + pipeline + contracts
