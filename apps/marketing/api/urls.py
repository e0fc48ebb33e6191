from apps.marketing.api.urls_leads import urlpatterns as leads
from apps.marketing.api.urls_plans import urlpatterns as plans

urlpatterns = plans + leads
