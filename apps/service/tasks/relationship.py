"""Periodic jobs: relationship maintenance (daily 07:00: due contacts, birthdays, contract anniversaries)."""

from __future__ import annotations

from celery import shared_task

from apps.service.services.relationship import due_contacts_generate


@shared_task(name="service.generate_due_contacts")
def generate_due_contacts() -> dict[str, int]:
    return due_contacts_generate()
