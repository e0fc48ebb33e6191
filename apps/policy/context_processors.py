"""The read-acknowledgement banner (art. 14): until an employee confirms the version in force, every page says so."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.policy.selectors import acknowledgement_pending


def acknowledgement(request: HttpRequest) -> dict[str, Any]:
    """The version in force the user has not confirmed yet (one query), for ``policy/_ack_banner.html``."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"policy_ack_pending": None}
    return {"policy_ack_pending": acknowledgement_pending(user)}
