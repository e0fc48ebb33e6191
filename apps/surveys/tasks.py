"""Periodic jobs of satisfaction surveys; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from apps.surveys.services import campaigns, invitations


@shared_task(name="surveys.dispatch_due")
def dispatch_due() -> int:
    """Every 10 minutes: send the scheduled campaigns whose time has come; how many were sent."""
    return campaigns.campaigns_dispatch_due()


@shared_task(name="surveys.remind_non_responders")
def remind_non_responders() -> int:
    """Daily 10:00: remind customers who have not answered (at most twice) and tell their owners; how many."""
    return invitations.invitations_remind()
