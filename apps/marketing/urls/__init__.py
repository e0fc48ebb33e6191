"""Market development pages: research, plans, evaluations and the dashboard; campaigns, leads, visits, intelligence."""

from apps.marketing.urls.leads import urlpatterns as leads
from apps.marketing.urls.plans import urlpatterns as plans

app_name = "marketing"

urlpatterns = plans + leads
