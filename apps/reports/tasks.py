"""Jobs of the reports (Celery beat, ``config/celery.py``): overdue department reports are reminded and escalated;
subscriptions are delivered (a PDF per recipient, rendered in the recipient's own scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from apps.reports import exports, services
from apps.reports.choices import Frequency, SubscriptionTarget
from apps.reports.models import ReportSubscription
from apps.reports.selectors.cockpit import sections_for
from apps.reports.selectors.periods import CUSTOM, month_period, resolve_period


@shared_task(name="reports.remind_overdue_reports")
def remind_overdue_reports() -> int:
    return services.reports_remind_overdue()


def _summary(sections: list[Any], unit: str = "yuan") -> str:
    from apps.reports.templatetags.reports_tags import figure_value

    lines = []
    for section in sections:
        shown = ", ".join(f"{f.label} {figure_value(f, unit)}" for f in section.figures[:4])
        lines.append(f"{section.label}: {shown}")
    return "\n".join(lines)


def deliver(subscription: ReportSubscription, now: dt.datetime) -> int:
    """Send one subscription to each of its active recipients. Returns the mails sent."""
    today = timezone.localtime(now).date()
    end_of_last_month = today.replace(day=1) - dt.timedelta(days=1)
    last_month = month_period(end_of_last_month.year, end_of_last_month.month)
    sent = 0
    for person in subscription.recipients.filter(is_active=True):
        language = getattr(person, "language", "") or "zh-hans"
        with override(language):
            if subscription.target == SubscriptionTarget.COCKPIT:
                if not sections_for(person):
                    continue  # the cockpit is not theirs to see: nothing is sent
                period = (
                    last_month
                    if subscription.frequency == Frequency.MONTHLY
                    else resolve_period(CUSTOM, today - dt.timedelta(days=7), today - dt.timedelta(days=1), today)
                )
                pdf, sections = exports.cockpit_pdf(person, period)
                summary, url = _summary(sections), reverse("reports:cockpit")
                filename = f"cockpit_{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
            else:
                key = f"{last_month.start.year}-{last_month.start.month:02d}"
                pdf, reports = exports.pack_pdf(person, key)
                if not reports:
                    continue
                summary = _("%(n)s department reports of %(period)s.") % {"n": len(reports), "period": key}
                url, filename = f"{reverse('reports:report_pack')}?period={key}", f"reports_{key}.pdf"
        sent += services.subscription_send(
            subscription=subscription, person=person, pdf=pdf, filename=filename, summary=summary, url=url
        )
    services.subscription_mark_sent(subscription=subscription, now=now)
    return sent


@shared_task(name="reports.deliver_subscriptions")
def deliver_subscriptions() -> int:
    now = timezone.now()
    sent = 0
    for subscription in ReportSubscription.objects.filter(is_active=True).prefetch_related("recipients"):
        if services.subscription_due(subscription, now):
            sent += deliver(subscription, now)
    return sent
