"""Jobs of the kernel: notifications sent outside the app (defined in ``services.delivery``) and the reminder
to enter next year's official holiday schedule."""

from __future__ import annotations

from celery import shared_task

from apps.core.jobs import run_job
from apps.core.services.calendar import calendar_remind_keepers
from apps.core.services.delivery import deliver_notification, send_due_notifications

__all__ = ["deliver_notification", "remind_calendar_keepers", "run_job", "send_due_notifications"]


@shared_task(name="core.remind_calendar_keepers")
def remind_calendar_keepers() -> int:
    """Daily; each keeper of the calendar is told at most once a week (from 1 October while next year is
    provisional)."""
    return calendar_remind_keepers()


@shared_task(name="core.heartbeat")
def heartbeat() -> float:
    """Every minute (beat): the worker writes the time into the shared cache; ``/healthz/`` reports its age, so a
    stopped beat or worker shows on the monitor."""
    from apps.core.health import heartbeat_write

    return heartbeat_write()
