"""Customer service pages: tickets and complaints, feedback routing, relationship maintenance, the dashboard.
(The public ticket form and status link are ``urls.public``, mounted at /support/.)"""

from apps.service.urls.dashboard import urlpatterns as dashboard
from apps.service.urls.feedback import urlpatterns as feedback
from apps.service.urls.relationship import urlpatterns as relationship
from apps.service.urls.tickets import urlpatterns as tickets

app_name = "service"

urlpatterns = dashboard + tickets + feedback + relationship
