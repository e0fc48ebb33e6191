"""Ticket pages (工单): list, create, detail, edit, actions, export."""

from django.urls import path

from apps.service.views import tickets as views

urlpatterns = [
    path("tickets/", views.TicketListView.as_view(), name="ticket_list"),
    path("tickets/new/", views.ticket_create, name="ticket_create"),
    path("tickets/export/", views.ticket_export, name="ticket_export"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/edit/", views.ticket_update, name="ticket_update"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
]
