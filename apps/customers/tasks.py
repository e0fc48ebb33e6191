"""Periodic jobs of the customer archive; each body is one service call."""

from __future__ import annotations

from celery import shared_task

from apps.customers.services import pool


@shared_task(name="customers.recycle_pool")
def recycle_pool() -> int:
    """Daily: return to the public pool the customers the rules in force say are due; how many moved."""
    return pool.pool_recycle_due().count


@shared_task(name="customers.warn_pool_recycle")
def warn_pool_recycle() -> int:
    """Daily: warn owners, once, of the customers that go back to the pool within the warning days."""
    return pool.pool_warn_due()
