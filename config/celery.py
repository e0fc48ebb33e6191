"""The Celery app and the beat schedule: the one place periodic jobs are listed."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later issues add their periodic jobs here (public-pool recycling, service deadlines, survey dispatch…);
# `manage.py run_due_jobs` runs the same list once in the embedded default.
app.conf.beat_schedule = {
    # Art. 15: a new policy version takes effect on its date; the old one is then marked superseded.
    "policy-supersede-due": {"task": "policy.supersede_due_versions", "schedule": crontab(hour=0, minute=5)},
    # Art. 6, public pool: recycle neglected customers at night, warn their owners in the morning.
    "customers-recycle-pool": {"task": "customers.recycle_pool", "schedule": crontab(hour=1, minute=0)},
    "customers-warn-pool-recycle": {"task": "customers.warn_pool_recycle", "schedule": crontab(hour=8, minute=0)},
}
