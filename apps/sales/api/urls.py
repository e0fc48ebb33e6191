from apps.sales.api.urls_attainment import urlpatterns as attainment
from apps.sales.api.urls_contracts import urlpatterns as contracts
from apps.sales.api.urls_pipeline import urlpatterns as pipeline
from apps.sales.api.urls_targets import urlpatterns as targets

urlpatterns = targets + pipeline + contracts + attainment
