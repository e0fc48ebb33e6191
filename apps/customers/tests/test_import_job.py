"""Large imports run as a background job with progress (issue 10, "run large imports as a job with progress"): the
page hands a big file to a worker and shows its progress and outcome to the person who started it — to nobody else —
and the job imports through the same service, with the same rights, exactly once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from apps.core import jobs
from apps.core.models import Job
from apps.customers.models import Customer
from apps.customers.services import io as import_service
from apps.customers.tests.test_import import _file, _rows
from apps.customers.views import io as import_views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def small_sync_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_views, "SYNC_IMPORT_ROWS", 3)  # a "large" file of 5 rows keeps the test quick


def _upload(count: int, skip: int = 0) -> io.BytesIO:
    upload = _file(_rows(skip + count)[skip:])
    upload.name = "customers.xlsx"
    return upload


def test_a_large_file_becomes_a_job_whose_page_shows_the_outcome(
    personas: dict, small_sync_limit: None, django_capture_on_commit_callbacks: Any
) -> None:
    bob = personas["lead_bob"]
    client = bob.client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:customer_import"), {"file": _upload(5), "owner_choice": "me"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == Job.Status.DONE and job.created_by == bob.user and job.payload in (b"", memoryview(b""))
    assert Customer.objects.filter(owner=bob.user, name__startswith="导入测试").count() == 5
    page = client.get(response["Location"])
    assert page.status_code == 200
    job.refresh_from_db()
    assert job.result["created"] == 5 and job.result["failed"] == 0
    assert escape(job.result["summary"]) in page.content.decode()
    # htmx posts are sent on by a header, not a 302 the swap would follow
    with django_capture_on_commit_callbacks(execute=True):
        htmx = client.post(
            reverse("customers:customer_import"),
            {"file": _upload(4, skip=5), "owner_choice": "me"},
            HTTP_HX_REQUEST="true",
        )
    assert htmx.headers["HX-Redirect"].startswith("/jobs/")


def test_a_small_file_is_still_imported_at_once(personas: dict, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = (
            personas["lead_bob"]
            .client()
            .post(reverse("customers:customer_import"), {"file": _upload(3), "owner_choice": "me"})
        )
    assert response.status_code == 200 and not Job.objects.exists() and Customer.objects.count() == 3


def test_only_the_starter_sees_a_job(
    personas: dict, small_sync_limit: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        personas["lead_bob"].client().post(
            reverse("customers:customer_import"), {"file": _upload(5), "owner_choice": "me"}
        )
    url = reverse("core:job_detail", args=[Job.objects.get().pk])
    assert personas["rep_alice"].client().get(url).status_code == 404
    assert personas["admin"].client().get(url).status_code == 404


def test_the_job_reports_progress_as_it_goes(personas: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(import_service, "REPORT_EVERY", 2)
    job = Job.objects.create(
        kind=import_service.IMPORT_JOB,
        title="t",
        created_by=personas["lead_bob"].user,
        params={"owner": None, "skip_failed": False},
        payload=_file(_rows(5)).getvalue(),
    )
    calls: list[tuple[int, int]] = []
    outcome = import_service.run_import_job(job, lambda done, total: calls.append((done, total)))
    assert calls == [(0, 5), (2, 5), (4, 5)]
    assert outcome["created"] == 5 and Customer.objects.filter(owner=None).count() == 5  # into the public pool


def test_starting_a_job_needs_the_import_rights(personas: dict) -> None:
    with pytest.raises(PermissionDenied):
        import_service.customer_import_start(actor=personas["rep_alice"].user, data=b"", owner=None)
    assert not Job.objects.exists()


def test_a_job_delivered_twice_runs_once_and_a_failure_is_shown(personas: dict) -> None:
    bob = personas["lead_bob"].user
    job = Job.objects.create(
        kind=import_service.IMPORT_JOB,
        title="t",
        created_by=bob,
        params={"owner": bob.pk, "skip_failed": False},
        payload=_file(_rows(2)).getvalue(),
    )
    assert jobs.run_job(job.pk) == "done"
    assert jobs.run_job(job.pk) == "skipped"
    assert Customer.objects.count() == 2
    broken = Job.objects.create(
        kind=import_service.IMPORT_JOB,
        title="t",
        created_by=bob,
        params={"owner": 999999, "skip_failed": False},
        payload=b"",
    )
    assert jobs.run_job(broken.pk) == "failed"
    broken.refresh_from_db()
    assert broken.status == Job.Status.FAILED and broken.error
    page = personas["lead_bob"].client().get(reverse("core:job_detail", args=[broken.pk]))
    assert 'data-testid="job-error"' in page.content.decode()
