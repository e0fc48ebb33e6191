"""Writes of the notification service: a user's channel choices, the administrator's channel configuration, a
failed delivery sent again, a test message. (Sending itself is ``core.services.notify`` → ``services.delivery``.)"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from apps.core.models import NotificationChannel, NotificationChannelName, NotificationDelivery, NotificationPreference
from apps.core.notifications.kinds import notification_kinds
from apps.core.permissions import CorePerm
from apps.core.services.delivery import dispatch

Status = NotificationDelivery.Status


def may_manage_channels(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(CorePerm.MANAGE_NOTIFICATION_CHANNELS))


@transaction.atomic
def notification_preferences_set(*, actor: Any, choices: dict[tuple[str, str], bool]) -> int:
    """Save the actor's choice of outside channels per kind of message; a choice equal to the kind's default is
    not stored (a later change of the default reaches it). Return how many choices differ from the defaults."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    kept = 0
    channels = NotificationChannelName.values
    for kind in notification_kinds():
        for channel in channels:
            if (kind.code, channel) not in choices:
                continue
            enabled = bool(choices[(kind.code, channel)])
            if enabled == (channel in kind.default_channels):
                NotificationPreference.objects.filter(user=actor, kind=kind.code, channel=channel).delete()
                continue
            NotificationPreference.objects.update_or_create(
                user=actor, kind=kind.code, channel=channel, defaults={"enabled": enabled}
            )
            kept += 1
    return kept


@transaction.atomic
def notification_channel_save(*, actor: Any, channel: str, data: dict[str, Any]) -> NotificationChannel:
    """Configure one outside channel (administrators). An empty key or secret keeps the stored one;
    ``clear_secret`` removes the secret (DingTalk robots without signing)."""
    if not may_manage_channels(actor):
        raise PermissionDenied
    if channel not in NotificationChannelName.values:
        raise ValidationError(_("Unknown channel."))
    row, _created = NotificationChannel.objects.select_for_update().get_or_create(channel=channel)
    row.enabled = bool(data.get("enabled"))
    row.url = (data.get("url") or "").strip()
    if row.url and not row.url.startswith(("https://", "http://")):
        raise ValidationError({"url": _("Enter the robot's webhook address, starting with https://.")})
    if data.get("key"):
        row.key = data["key"].strip()
    if data.get("clear_secret"):
        row.secret = ""
    elif data.get("secret"):
        row.secret = data["secret"].strip()
    row.rate_per_minute = data.get("rate_per_minute") or row.rate_per_minute
    row.updated_by = actor
    if row.enabled and channel != NotificationChannelName.EMAIL and not row.key:
        raise ValidationError({"key": _("A robot needs its key (WeCom) or access token (DingTalk) to be enabled.")})
    row.full_clean()
    row.save()
    return row


@transaction.atomic
def notification_delivery_retry(*, actor: Any, delivery: NotificationDelivery) -> NotificationDelivery:
    """Send a failed delivery again, from a fresh count of attempts (administrators)."""
    if not may_manage_channels(actor):
        raise PermissionDenied
    changed = NotificationDelivery.objects.filter(pk=delivery.pk, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=None
    )
    if not changed:
        raise ValidationError(_("Only a failed delivery can be sent again."))
    transaction.on_commit(lambda: dispatch([delivery.pk], inline_when_eager=True))
    delivery.refresh_from_db()
    return delivery


@transaction.atomic
def notification_channel_test(*, actor: Any, channel: str) -> NotificationDelivery:
    """Queue a test message to the actor by ``channel`` (administrators), whatever their own choices."""
    if not may_manage_channels(actor):
        raise PermissionDenied
    if channel not in NotificationChannelName.values:
        raise ValidationError(_("Unknown channel."))
    delivery = NotificationDelivery.objects.create(
        channel=channel,
        kind="general",
        title=_("Test message from the sales management system"),
        body=_("Sent by %(name)s from the notification channels page.") % {"name": actor},
    )
    delivery.recipients.set([actor])
    transaction.on_commit(lambda: dispatch([delivery.pk], inline_when_eager=True))
    return delivery
