from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.core.selectors import notification_unread_count


def shell(request: HttpRequest) -> dict[str, Any]:
    """What the page shell needs on every page: the unread notification count (one query)."""
    return {"unread_notifications": notification_unread_count(user=request.user)}
