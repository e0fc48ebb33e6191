"""The page of a background job (后台任务): its progress while it runs (polled with htmx), then its outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.core.jobs import job_percent, job_progress
from apps.core.models import Job


# A function view: a job is its starter's own (selected by ``created_by``, like notifications); Job has no data scope.
@login_required
def job_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.defer("payload"), pk=pk, created_by=request.user)
    done, total = job_progress(job)
    context = {
        "job": job,
        "done": done,
        "total": total,
        "percent": job_percent(job),
        "running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
    }
    template = "core/job_detail.html"
    return render(request, f"{template}#status" if getattr(request, "htmx", None) else template, context)
