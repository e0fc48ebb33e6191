"""Ticket resources, assembled into /api/v1/ by ``config/api.py``."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from apps.service.api import tickets as views

router = SimpleRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")

urlpatterns = [*router.urls]
