"""The Celery app and the beat schedule: the one place periodic jobs are listed."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

app = Celery("salesops")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# `manage.py run_due_jobs` runs the same list once in the embedded default.
app.conf.beat_schedule = {
    # Deployment: the worker writes the time into the shared cache every minute; /healthz/ reports its age.
    "core-heartbeat": {"task": "core.heartbeat", "schedule": float(os.environ.get("HEARTBEAT_SECONDS") or 60)},
    # Arts. 6, 10: from 1 October, while next year's working-day calendar is provisional, remind its keepers weekly.
    # Notifications outside the app: send what is due (first sends in the embedded default, retries, lost tasks).
    "core-send-due-notifications": {"task": "core.send_due_notifications", "schedule": crontab(minute="*")},
    "core-remind-calendar-keepers": {"task": "core.remind_calendar_keepers", "schedule": crontab(hour=9, minute=30)},
    # Art. 15: a new policy version takes effect on its date; the old one is then marked superseded.
    "policy-supersede-due": {"task": "policy.supersede_due_versions", "schedule": crontab(hour=0, minute=5)},
    # Art. 14: every employee confirms the version in force; the unconfirmed are reminded until the deadline.
    "policy-request-acknowledgements": {
        "task": "policy.request_acknowledgements",
        "schedule": crontab(hour=0, minute=15),
    },
    "policy-remind-acknowledgements": {
        "task": "policy.remind_acknowledgements",
        "schedule": crontab(hour=9, minute=15),
    },
    # Art. 15: the leadership group is reminded of a review due soon (or overdue), once a day.
    "policy-remind-reviews": {"task": "policy.remind_reviews", "schedule": crontab(hour=9, minute=20)},
    # Art. 6, public pool: recycle neglected customers at night, warn their owners in the morning.
    "customers-recycle-pool": {"task": "customers.recycle_pool", "schedule": crontab(hour=1, minute=0)},
    "customers-warn-pool-recycle": {"task": "customers.warn_pool_recycle", "schedule": crontab(hour=8, minute=0)},
    # Arts. 6, 10: warn before a ticket's deadline, escalate on breach (complaints onwards to senior management).
    "service-check-ticket-deadlines": {"task": "service.check_ticket_deadlines", "schedule": crontab(minute="*/5")},
    # Art. 6: departments acknowledge routed feedback in time, or it escalates.
    "service-escalate-feedback": {"task": "service.escalate_feedback_acknowledgements", "schedule": crontab(minute=15)},
    # Art. 10: contacts due by the cadence of the rules in force, birthdays and contract anniversaries.
    "service-generate-due-contacts": {"task": "service.generate_due_contacts", "schedule": crontab(hour=7, minute=0)},
    # Arts. 10, 12: scheduled survey campaigns go out; non-responders are reminded (twice at most).
    "surveys-dispatch-due": {"task": "surveys.dispatch_due", "schedule": crontab(minute="*/10")},
    # Arts. 4–7: department reports past their due date are reminded and escalated to senior management.
    "reports-remind-overdue": {"task": "reports.remind_overdue_reports", "schedule": crontab(hour=9, minute=0)},
    # Report subscriptions: weekly (Mondays) and monthly (the 1st) deliveries, with the PDF, in the morning.
    "reports-deliver-subscriptions": {"task": "reports.deliver_subscriptions", "schedule": crontab(hour=7, minute=30)},
    "surveys-remind-non-responders": {"task": "surveys.remind_non_responders", "schedule": crontab(hour=10, minute=0)},
}
