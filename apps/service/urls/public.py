"""Pages for customers without an account: open a ticket, follow it by its private link."""

from django.urls import path

from apps.service.views import public

app_name = "support"

urlpatterns = [
    path("", public.ticket_new_view, name="ticket_new"),
    path("t/<str:token>/", public.ticket_status_view, name="ticket_status"),
    path("t/<str:token>/submitted/", public.ticket_submitted_view, name="ticket_submitted"),
    path("t/<str:token>/message/", public.ticket_message_view, name="ticket_message"),
    path("t/<str:token>/confirm/", public.ticket_confirm_view, name="ticket_confirm"),
    path("t/<str:token>/reopen/", public.ticket_reopen_view, name="ticket_reopen"),
]
