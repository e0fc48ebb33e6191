"""Start-up registrations of the Excel import: large imports run as a background job (CustomersConfig.ready)."""

from __future__ import annotations

from apps.core.jobs import register_job_handler
from apps.customers.services.io import IMPORT_JOB, run_import_job


def register() -> None:
    register_job_handler(IMPORT_JOB, run_import_job)
