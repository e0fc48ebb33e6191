"""Domain-free reads: the notification centre, the workbench registry and the working-day calendar's entries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from apps.core.models import Notification, WorkdayOverride, WorkdayYear
from apps.core.notifications.kinds import notification_kind


def notification_list(*, user: Any, unread_only: bool = False, kind: str = "") -> QuerySet[Notification]:
    """Return the user's own notifications, newest first (of one ``kind`` if given)."""
    qs = Notification.objects.filter(recipient=user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def notification_kind_counts(*, user: Any) -> dict[str, tuple[int, int]]:
    """The user's notifications per kind: (all, unread), one query. A message of an unknown kind counts as general."""
    counts: dict[str, tuple[int, int]] = {}
    rows = (
        Notification.objects.filter(recipient=user)
        .values_list("kind")
        .annotate(total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        .values_list("kind", "total", "unread")
    )
    for kind, total, unread in rows:
        code = notification_kind(kind).code
        before = counts.get(code, (0, 0))
        counts[code] = (before[0] + total, before[1] + unread)
    return counts


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
