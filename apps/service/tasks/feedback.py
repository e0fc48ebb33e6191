"""Periodic jobs: feedback (hourly: acknowledgements overdue escalate once)."""

from __future__ import annotations

from celery import shared_task

from apps.service.services.feedback import feedback_escalate_overdue


@shared_task(name="service.escalate_feedback_acknowledgements")
def escalate_feedback_acknowledgements() -> int:
    return feedback_escalate_overdue()
