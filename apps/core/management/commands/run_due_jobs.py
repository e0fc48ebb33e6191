"""Run every periodic job of the beat schedule once, in-process (the embedded default's clock).

Production runs the same schedule with Celery beat and a worker on Redis; a cron line calling this command
(e.g. every 10 minutes) does the same job without them.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from config.celery import app


class Command(BaseCommand):
    help = "Run the periodic jobs of the beat schedule once, in this process."

    def handle(self, *args: Any, **options: Any) -> None:
        app.loader.import_default_modules()  # autodiscovery is lazy; load every app's tasks now
        schedule = app.conf.beat_schedule or {}
        for name, entry in schedule.items():
            task = app.tasks[entry["task"]]
            result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
            self.stdout.write(f"{name}: {result.result!r}")
        self.stdout.write(self.style.SUCCESS(f"{len(schedule)} periodic jobs run."))
