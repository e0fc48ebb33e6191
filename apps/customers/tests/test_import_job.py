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
    # bob reads Chinese (his language), whatever language the job ran in
    assert escape("共 5 行，已导入 5 行，失败 0 行。") in page.content.decode()
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


def test_the_outcome_reads_in_the_language_of_whoever_opens_the_page(
    personas: dict, small_sync_limit: None, django_capture_on_commit_callbacks: Any
) -> None:
    """The job ran while its starter read English; opened in Chinese, its title, summary and link read in Chinese
    (they were stored in the runner's language before), and back in English for an English reader."""
    bob = personas["lead_bob"]
    client = bob.client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:customer_import"), {"file": _upload(5), "owner_choice": "me"})
    job = Job.objects.get()
    assert job.status == Job.Status.DONE
    created = Customer.objects.filter(owner=bob.user, name__startswith="导入测试").count()
    bob.user.language = "zh-hans"
    bob.user.save(update_fields=["language"])
    chinese = client.get(response["Location"]).content.decode()
    assert f"共 5 行，已导入 {created} 行，失败 0 行。" in chinese
    assert "客户导入" in chinese and "打开客户档案" in chinese
    assert "rows imported" not in chinese and "Customer import" not in chinese
    bob.user.language = "en"
    bob.user.save(update_fields=["language"])
    english = client.get(response["Location"]).content.decode()
    assert f"{created} of 5 rows imported; 0 failed." in english and "Open the customer archive" in english
    assert "客户导入" not in english


def test_an_older_job_stored_as_plain_text_still_shows() -> None:
    assert jobs.render_job_text("共 5 行，已导入 5 行，失败 0 行。") == "共 5 行，已导入 5 行，失败 0 行。"
    assert jobs.render_job_text(None) == ""
    with translation.override("zh-hans"):
        assert (
            jobs.render_job_text(
                jobs.job_text(
                    "%(created)s of %(total)s rows imported; %(failed)s failed.", created=1, total=2, failed=1
                )
            )
            == "共 2 行，已导入 1 行，失败 1 行。"
        )
