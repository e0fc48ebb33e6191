"""Periodic jobs of the policy; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from apps.policy import services


@shared_task(name="policy.supersede_due_versions")
def supersede_due_versions() -> tuple[int, int]:
    """At the start of each day (Asia/Shanghai): put in force the versions published for today and mark
    superseded those they replace; idempotent."""
    return services.policy_versions_take_effect()


# Acknowledgement, interpretation, review


@shared_task(name="policy.request_acknowledgements")
def request_acknowledgements() -> int:
    """Just after a version takes effect (daily, after midnight): ask every active employee to confirm it."""
    return services.policy_acknowledgements_request()


@shared_task(name="policy.remind_acknowledgements")
def remind_acknowledgements() -> int:
    """Daily: remind the unconfirmed every few days until the deadline."""
    return services.policy_acknowledgements_remind_due()


@shared_task(name="policy.remind_reviews")
def remind_reviews() -> int:
    """Daily: remind the leadership group of a review due soon or overdue (once a day)."""
    return services.policy_reviews_remind_due()
