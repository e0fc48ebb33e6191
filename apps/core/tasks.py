"""Periodic jobs of the kernel: the reminder to enter next year's official holiday schedule."""

from __future__ import annotations

from celery import shared_task

from apps.core.calendar_services import calendar_remind_keepers
from apps.core.jobs import run_job  # noqa: F401  (registers the task)


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
