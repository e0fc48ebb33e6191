from apps.service.api.urls_feedback import urlpatterns as feedback
from apps.service.api.urls_relationship import urlpatterns as relationship
from apps.service.api.urls_tickets import urlpatterns as tickets

urlpatterns = tickets + feedback + relationship
