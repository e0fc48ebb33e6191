"""The page of a background job (后台任务): its progress while it runs (polled with htmx), then its outcome."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from apps.core.jobs import job_percent, job_progress, render_job_text
from apps.core.models import Job


# A function view: a job is its starter's own (selected by ``created_by``, like notifications); Job has no data scope.
@login_required
def job_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_object_or_404(Job.objects.defer("payload"), pk=pk, created_by=request.user)
    done, total = job_progress(job)
    result = job.result if isinstance(job.result, dict) else {}
    link = result.get("link") or None
    context = {
        "job": job,
        # Read in the viewer's language whatever the language of the person or worker that ran it.
        "title": render_job_text(job.title),
        "summary": render_job_text(result.get("summary")),
        "link": {"url": link["url"], "label": render_job_text(link.get("label"))} if link else None,
        "done": done,
        "total": total,
        "percent": job_percent(job),
        "running": job.status in (Job.Status.QUEUED, Job.Status.RUNNING),
    }
    template = "core/job_detail.html"
    return render(request, f"{template}#status" if getattr(request, "htmx", None) else template, context)
