"""Periodic jobs of the policy; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from apps.policy import services


@shared_task(name="policy.supersede_due_versions")
def supersede_due_versions() -> tuple[int, int]:
    """At the start of each day (Asia/Shanghai): put in force the versions published for today and mark
    superseded those they replace; idempotent."""
    return services.policy_versions_take_effect()
