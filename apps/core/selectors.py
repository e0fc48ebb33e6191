"""Domain-free reads: the notification centre, the workbench registry and the working-day calendar's entries."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from apps.core.models import Notification, WorkdayOverride, WorkdayYear


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


def calendar_entries(*, year: int) -> QuerySet[Any]:
    """The administrators' entries of ``year``'s working-day calendar, with who entered them, by date."""
    return WorkdayOverride.objects.filter(date__year=year).select_related("entered_by").order_by("date")


def calendar_year_record(*, year: int) -> Any:
    """The record of ``year``'s official schedule entered in full (who, when, the notice), or None."""
    return WorkdayYear.objects.filter(year=year).select_related("entered_by").first()
