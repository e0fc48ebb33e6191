"""Periodic jobs: tickets. ``service.check_ticket_deadlines`` runs every 5 minutes (``config/celery.py``)."""

from __future__ import annotations

from celery import shared_task

from apps.service.services.tickets import ticket_check_deadlines


@shared_task(name="service.check_ticket_deadlines")
def check_ticket_deadlines() -> dict[str, int]:
    """Warn before a ticket deadline and escalate breached ones (department manager, then senior management)."""
    return ticket_check_deadlines()
