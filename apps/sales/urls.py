"""Sales pages: targets and their decomposition; plans, products and the pipeline; contracts and payments;
attainment, evaluations and the dashboards."""

from apps.sales.urls_attainment import urlpatterns as attainment
from apps.sales.urls_contracts import urlpatterns as contracts
from apps.sales.urls_pipeline import urlpatterns as pipeline
from apps.sales.urls_targets import urlpatterns as targets

app_name = "sales"

urlpatterns = attainment + targets + pipeline + contracts
