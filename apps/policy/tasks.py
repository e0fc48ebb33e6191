"""Periodic jobs of the policy; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from apps.policy import services


@shared_task(name="policy.supersede_due_versions")
def supersede_due_versions() -> int:
    """Daily: mark superseded the versions a later version has replaced by today."""
    return services.policy_version_supersede_due()
