"""Reads of the notification service: a user's channel choices per kind, the channels' configuration and the
outside deliveries, for the preference page and the administrator's pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from apps.core.models import NotificationChannel, NotificationChannelName, NotificationDelivery, NotificationPreference
from apps.core.notifications.channels import ChannelConfig, channel_configs
from apps.core.notifications.kinds import NotificationKind, notification_kinds


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    label: str
    ready: bool  # configured and enabled by the administrator
    chosen: bool  # the user's choice, else the kind's default


@dataclass(frozen=True)
class KindChoices:
    kind: NotificationKind
    channels: list[ChannelChoice]


def outside_channels() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in NotificationChannelName.choices]


def notification_choices(*, user: Any) -> list[KindChoices]:
    """For each kind of message, whether the user gets it by each outside channel (two queries)."""
    chosen = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    configs = channel_configs()
    return [
        KindChoices(
            kind,
            [
                ChannelChoice(
                    channel,
                    label,
                    configs[channel].ready,
                    chosen.get((kind.code, channel), channel in kind.default_channels),
                )
                for channel, label in outside_channels()
            ],
        )
        for kind in notification_kinds()
    ]


@dataclass(frozen=True)
class ChannelState:
    config: ChannelConfig
    row: NotificationChannel | None
    label: str
    failed_recently: int


def channel_states(*, since_days: int = 7) -> list[ChannelState]:
    """Each outside channel: the configuration in force, where it comes from, and its recent failures."""
    rows = {r.channel: r for r in NotificationChannel.objects.select_related("updated_by")}
    since = timezone.now() - dt.timedelta(days=since_days)
    failed = dict(
        NotificationDelivery.objects.filter(status=NotificationDelivery.Status.FAILED, updated_at__gte=since)
        .values_list("channel")
        .annotate(n=Count("id"))
        .values_list("channel", "n")
    )
    configs = channel_configs()
    return [
        ChannelState(configs[channel], rows.get(channel), label, failed.get(channel, 0))
        for channel, label in outside_channels()
    ]


def deliveries(*, status: str = "", channel: str = "") -> QuerySet[NotificationDelivery]:
    """The outside deliveries, newest first, with their recipients."""
    qs = NotificationDelivery.objects.prefetch_related("recipients")
    if status:
        qs = qs.filter(status=status)
    if channel:
        qs = qs.filter(channel=channel)
    return qs


def delivery_counts() -> dict[str, int]:
    return dict(NotificationDelivery.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
