"""Ticket pages (工单): list, create, detail, edit, actions, export."""

from django.urls import path

from apps.core.routes import record_routes
from apps.service.views import tickets as views

urlpatterns = [
    *record_routes("tickets/", views, "Ticket", actions="start assign reply comment await resume resolve reopen close"),
    path("tickets/export/", views.ticket_export, name="ticket_export"),
]
