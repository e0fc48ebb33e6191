from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.core.selectors import notification_unread_count
from apps.core.services.calendar import KEEPER_PERMISSION, calendar_warning_year


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs on every page: the unread notification count (one query) and, for the keepers of
    the working-day calendar from 1 October, next year if it is still provisional (one more query, for them)."""
    user = request.user
    warning = None
    if getattr(user, "is_authenticated", False) and user.has_perm(KEEPER_PERMISSION):
        warning = calendar_warning_year()
    return {"unread_notifications": notification_unread_count(user=user), "calendar_warning_year": warning}
