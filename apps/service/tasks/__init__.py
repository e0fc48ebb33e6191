"""Periodic jobs of customer service, one module per area; each body is one service call.
The schedule is ``config/celery.py``."""

from apps.service.tasks import feedback, relationship, tickets  # noqa: F401
