"""The Celery app and the beat schedule: the one place periodic jobs are listed."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Later issues add their periodic jobs here (public-pool recycling, service deadlines, survey dispatch…);
# `manage.py run_due_jobs` runs the same list once in the embedded default.
app.conf.beat_schedule = {}
