"""Delivery of notifications outside the app: one ``NotificationDelivery`` row per message and outside channel,
sent by the Celery task ``core.deliver_notification`` after the causing transaction commits.

- Never blocks or fails the action: ``notify`` only writes rows; the send happens after commit in a worker, and a
  broker that is down leaves the row pending for the sweep. In the embedded default (no Redis, jobs run in-process)
  nothing is sent inside the request at all: the sweep ``core.send_due_notifications`` (beat / ``run_due_jobs``)
  sends what is due.
- Retried with exponential back-off (``NOTIFY_RETRY_BACKOFF`` seconds × 2^(attempt-1), ``NOTIFY_MAX_ATTEMPTS``
  attempts), then ``failed`` with the last error, listed for the administrator.
- Idempotent: an attempt first claims the row with a conditional UPDATE (pending and due → sending); a second
  task racing it (a Celery retry and the sweep, a redelivered message) finds nothing to claim and sends nothing.
- Rate-limited per channel (``notify_channels.rate_limit_take``): over the limit the row goes back to pending until
  the next minute, without counting an attempt.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.models import NotificationDelivery, NotificationPreference
from apps.core.notifications import channels as notify_channels
from apps.core.notifications.kinds import notification_kind

log = logging.getLogger(__name__)
Status = NotificationDelivery.Status
STALE_CLAIM = dt.timedelta(minutes=10)  # a "sending" row older than this was lost with its worker: claim it again
MAX_BACKOFF_SECONDS = 3600


class Outcome(StrEnum):
    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    LIMITED = "limited"
    SKIPPED = "skipped"  # nothing to claim: sent, failed, not due, or another worker has it


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", 5))


def backoff_seconds(attempts: int) -> float:
    """The wait after the ``attempts``-th failed attempt: base × 2^(attempts-1), at most an hour."""
    base = float(getattr(settings, "NOTIFY_RETRY_BACKOFF", 30))
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def wanted_channels(*, users: Iterable[Any], kind: str, channels: Iterable[str]) -> dict[str, list[Any]]:
    """For each outside channel, the users who get messages of ``kind`` by it (their choice, else the kind's
    default). One query."""
    users = list(users)
    channels = list(channels)
    if not users or not channels:
        return {}
    chosen = {
        (user_id, channel): enabled
        for user_id, channel, enabled in NotificationPreference.objects.filter(
            user__in=[u.pk for u in users], kind=notification_kind(kind).code, channel__in=channels
        ).values_list("user_id", "channel", "enabled")
    }
    defaults = notification_kind(kind).default_channels
    return {channel: [u for u in users if chosen.get((u.pk, channel), channel in defaults)] for channel in channels}


def deliveries_create(
    *, recipients: Iterable[Any], kind: str, topic: str, title: str, body: str, url: str
) -> list[NotificationDelivery]:
    """Write the outside deliveries of one message (pending) and send them after the transaction commits.

    One query when no outside channel is on; otherwise the users' choices, then the rows in a savepoint (a failure
    there must not break the caller's transaction)."""
    ready = [c for c, config in notify_channels.channel_configs().items() if config.ready]
    if not ready:
        return []
    wanted = {c: users for c, users in wanted_channels(users=recipients, kind=kind, channels=ready).items() if users}
    if not wanted:
        return []
    created = []
    with transaction.atomic():
        for channel, users in wanted.items():
            delivery = NotificationDelivery.objects.create(
                channel=channel, kind=kind, topic=topic[:100], title=title[:200], body=body, url=url[:500]
            )
            delivery.recipients.set(users)
            created.append(delivery)
    if created:
        ids = [d.pk for d in created]
        transaction.on_commit(lambda: dispatch(ids))
    return created


def _eager() -> bool:
    return bool(deliver_notification.app.conf.task_always_eager)


def dispatch(ids: Iterable[int], *, inline_when_eager: bool = False) -> None:
    """Queue one task per delivery. Never raises: a broker that is down leaves the rows for the sweep. In the
    embedded default (tasks run in-process) the sweep sends them, not the user's request — unless the request asked
    for exactly that (an administrator's test message or "send again": one attempt, the outcome shown at once)."""
    if _eager():
        if inline_when_eager:
            for pk in ids:
                delivery_attempt(pk)
        return
    for pk in ids:
        try:
            deliver_notification.delay(pk)
        except Exception:  # noqa: BLE001 - the broker is down: the sweep sends it later
            log.warning("could not queue notification delivery %s; the sweep will send it", pk, exc_info=True)


def _claim(pk: int, now: dt.datetime) -> bool:
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    lost = Q(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return bool(
        NotificationDelivery.objects.filter(due | lost, pk=pk).update(
            status=Status.SENDING, claimed_at=now, updated_at=now
        )
    )


def _send(config: notify_channels.ChannelConfig, delivery: NotificationDelivery) -> None:
    users = list(delivery.recipients.select_related("employee"))
    text = notify_channels.text_of(delivery.title, delivery.body, delivery.url)
    if delivery.channel == notify_channels.EMAIL:
        addresses = sorted({a for a in (notify_channels.user_email(u) for u in users) if a})
        notify_channels.send_email(config, subject=delivery.title, text=text, addresses=addresses)
        return
    mobiles = sorted({m for m in (notify_channels.user_mobile(u) for u in users) if m})
    sender = notify_channels.send_wecom if delivery.channel == notify_channels.WECOM else notify_channels.send_dingtalk
    sender(config, text=text, mobiles=mobiles)


def delivery_attempt(pk: int) -> tuple[Outcome, float]:
    """One attempt at sending delivery ``pk``; return the outcome and, to try again, the seconds to wait."""
    now = timezone.now()
    if not _claim(pk, now):
        return Outcome.SKIPPED, 0.0
    delivery = NotificationDelivery.objects.get(pk=pk)
    rows = NotificationDelivery.objects.filter(pk=pk)
    config = notify_channels.channel_config(delivery.channel)
    if not config.ready:
        rows.update(status=Status.FAILED, last_error="channel disabled or not configured", updated_at=now)
        return Outcome.FAILED, 0.0
    wait = notify_channels.rate_limit_take(delivery.channel, config.rate_per_minute)
    if wait:
        rows.update(status=Status.PENDING, next_attempt_at=now + dt.timedelta(seconds=wait), updated_at=now)
        return Outcome.LIMITED, wait
    attempts = delivery.attempts + 1
    try:
        _send(config, delivery)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried, never left "sending"
        error = str(exc)[:1000] if isinstance(exc, notify_channels.DeliveryError) else f"{type(exc).__name__}: {exc}"
        error = error[:1000]
        if attempts >= max_attempts():
            rows.update(status=Status.FAILED, attempts=attempts, last_error=error, updated_at=timezone.now())
            log.warning("notification delivery %s failed after %s attempts: %s", pk, attempts, error)
            return Outcome.FAILED, 0.0
        wait = backoff_seconds(attempts)
        rows.update(
            status=Status.PENDING,
            attempts=attempts,
            last_error=error,
            updated_at=timezone.now(),
            next_attempt_at=timezone.now() + dt.timedelta(seconds=wait),
        )
        return Outcome.RETRY, wait
    rows.update(status=Status.SENT, attempts=attempts, sent_at=timezone.now(), updated_at=timezone.now())
    return Outcome.SENT, 0.0


@shared_task(bind=True, name="core.deliver_notification", max_retries=None, acks_late=True)
def deliver_notification(self: Any, delivery_id: int) -> str:
    """Send one delivery; on failure retry by Celery after the back-off (in-process runs leave it to the sweep)."""
    outcome, wait = delivery_attempt(delivery_id)
    if outcome in (Outcome.RETRY, Outcome.LIMITED) and not self.request.is_eager:
        raise self.retry(countdown=wait + 1)
    return str(outcome)


def deliveries_due(now: dt.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    due = Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    lost = Q(status=Status.SENDING, claimed_at__lt=now - STALE_CLAIM)
    return list(NotificationDelivery.objects.filter(due | lost).order_by("id").values_list("pk", flat=True)[:500])


@shared_task(name="core.send_due_notifications")
def send_due_notifications() -> int:
    """Every minute: send the deliveries that are due (first sends in the embedded default, retries whose task was
    lost, a broker that was down); return how many were sent."""
    sent = 0
    for pk in deliveries_due():
        if deliver_notification.app.conf.task_always_eager:
            sent += delivery_attempt(pk)[0] == Outcome.SENT
        else:
            deliver_notification.delay(pk)
    return sent
