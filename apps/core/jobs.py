"""Background jobs (后台任务): long work — a large import — runs in a Celery worker while the page shows its progress.

An app registers a handler for a kind at start-up (``register_job_handler("customers.import", fn)``) and starts a
job through its own service (``job_start``), which checks the actor's rights first. ``fn(job, report)`` does the
work through the app's services, calls ``report(done, total)`` as it goes and returns the outcome as a dict
(``summary``: one sentence; optional ``link`` {url, label} and ``problems`` [{row, column, message}]). The sentence,
the link's label and the job's title are kept as their source text and parameters (``job_text``) and read in the
language of whoever opens the page (``render_job_text``), not of the worker that ran it.
Progress lives in the shared cache (the work runs in one transaction, so a row written mid-way would not be seen),
the outcome on the ``Job`` row. A job is claimed with a conditional update, so a task delivered twice runs once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from apps.core.models import Job

logger = logging.getLogger(__name__)

Report = Callable[[int, int], None]
JobHandler = Callable[[Job, Report], dict[str, Any]]
_handlers: dict[str, JobHandler] = {}
PROGRESS_TTL = 24 * 3600


def register_job_handler(kind: str, handler: JobHandler) -> None:
    _handlers[kind] = handler


def job_text(message: str, **params: Any) -> dict[str, Any]:
    """A sentence for a job's page kept as its untranslated source (mark it with ``gettext_noop``) and parameters."""
    return {"text": str(message), "params": params}


def render_job_text(value: Any) -> str:
    """A ``job_text`` in the active language; a plain string (a title, an older job's sentence) through the catalogue,
    which leaves text it does not know as it was stored."""
    if isinstance(value, dict) and "text" in value:
        params = value.get("params") or {}
        text = gettext(str(value["text"]))
        return text % params if params else text
    return "" if value is None else gettext(str(value))


def _progress_key(job_id: int) -> str:
    return f"job-progress:{job_id}"


def job_start(*, actor: Any, kind: str, title: str, params: dict[str, Any] | None = None, payload: bytes = b"") -> Job:
    """Record the job and hand it to a worker once the caller's transaction commits (the caller checks rights)."""
    if kind not in _handlers:
        raise LookupError(f"no job handler for {kind!r}")
    job = Job.objects.create(kind=kind, title=title, created_by=actor, params=params or {}, payload=payload)
    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def job_progress(job: Job) -> tuple[int, int]:
    """(done, total) as last reported; a finished job is complete."""
    if job.status == Job.Status.DONE:
        total = int(job.result.get("total", 0) or 0)
        return total, total
    done, total = cache.get(_progress_key(job.pk), (0, 0))
    return int(done), int(total)


def job_percent(job: Job) -> int:
    if job.status == Job.Status.DONE:
        return 100
    done, total = job_progress(job)
    return min(99, done * 100 // total) if total else 0


@shared_task(name="core.run_job")
def run_job(job_id: int) -> str:
    """Run one job by its kind's handler; a job already claimed (a duplicate delivery) is left alone."""
    now = timezone.now()
    if not Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(status=Job.Status.RUNNING, started_at=now):
        return "skipped"
    job = Job.objects.get(pk=job_id)

    def report(done: int, total: int) -> None:
        cache.set(_progress_key(job_id), (done, total), PROGRESS_TTL)

    try:
        result = _handlers[job.kind](job, report)
    except Exception as error:  # the job fails, visibly; the worker goes on
        logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            status=Job.Status.FAILED,
            finished_at=timezone.now(),
            payload=b"",
            error=_("The job stopped with an error: %(error)s") % {"error": error},
        )
        return "failed"
    Job.objects.filter(pk=job_id).update(status=Job.Status.DONE, result=result, finished_at=timezone.now(), payload=b"")
    cache.delete(_progress_key(job_id))
    return "done"
