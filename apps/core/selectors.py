"""Domain-free reads: the notification centre and the workbench registry."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.core.models import Notification


def notification_list(*, user: Any, unread_only: bool = False) -> QuerySet[Notification]:
    """Return the user's own notifications, newest first."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs


def notification_unread_count(*, user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_get(*, user: Any, pk: int) -> Notification:
    """Return one of the user's notifications; another user's answers 404 like a missing one."""
    return get_object_or_404(Notification, recipient=user, pk=pk)
