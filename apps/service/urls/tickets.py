"""Ticket pages (工单): list, create, detail, edit, actions, export."""

from django.urls import path

from apps.service.views import tickets as views

urlpatterns = [
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", views.TicketCreateView.as_view(), name="ticket_create"),
    path("tickets/export/", views.ticket_export, name="ticket_export"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="ticket_detail"),
    path("tickets/<int:pk>/edit/", views.TicketUpdateView.as_view(), name="ticket_update"),
    path("tickets/<int:pk>/start/", views.TicketStartView.as_view(), name="ticket_start"),
    path("tickets/<int:pk>/assign/", views.TicketAssignView.as_view(), name="ticket_assign"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="ticket_reply"),
    path("tickets/<int:pk>/comment/", views.TicketCommentView.as_view(), name="ticket_comment"),
    path("tickets/<int:pk>/await/", views.TicketAwaitView.as_view(), name="ticket_await"),
    path("tickets/<int:pk>/resume/", views.TicketResumeView.as_view(), name="ticket_resume"),
    path("tickets/<int:pk>/resolve/", views.TicketResolveView.as_view(), name="ticket_resolve"),
    path("tickets/<int:pk>/reopen/", views.TicketReopenView.as_view(), name="ticket_reopen"),
    path("tickets/<int:pk>/close/", views.TicketCloseView.as_view(), name="ticket_close"),
]
