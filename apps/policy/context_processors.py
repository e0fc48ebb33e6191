"""The read-acknowledgement banner (art. 14): until an employee confirms the version in force, every page says so.

What the banner shows is worked out once a day per session (at sign-in, on the first page of a new day, and whenever
the user opens the confirmation page or confirms) and kept in the session, so an ordinary page costs no query for it
(a page on a new day with the same answer costs one query and no session write until the session is next saved).
A version that takes effect at the start of a day is seen on that day's first page; one confirmed elsewhere (the API)
clears the banner once the user opens the confirmation page, or the next day.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from apps.policy.selectors import PendingAcknowledgement, acknowledgement_pending, policy_today

SESSION_KEY = "policy_ack"


def remember(request: HttpRequest, user: Any = None, *, quietly: bool = False) -> PendingAcknowledgement | None:
    """Work out (one query) and keep in the session the version the user still has to confirm, or None.

    ``quietly`` (a new day, the same answer) updates the session without marking it changed, so the page does not
    pay for saving it; the answer is then worked out again on each page until the session is next saved."""
    user = user or request.user
    pending = acknowledgement_pending(user)
    session = getattr(request, "session", None)
    if session is not None:
        kept = session.get(SESSION_KEY) or {}
        value = {
            "day": policy_today().isoformat(),
            "user": user.pk,
            "pending": [pending.version_id, pending.label] if pending else None,
        }
        same = kept.get("user") == value["user"] and kept.get("pending") == value["pending"]
        if quietly and same and hasattr(session, "_session"):
            session._session[SESSION_KEY] = value  # read back on this request; saved with the next change
        else:
            session[SESSION_KEY] = value
    return pending


def remember_on_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """``user_logged_in`` receiver: the first page after signing in needs no query for the banner."""
    if request is not None and getattr(request, "session", None) is not None:
        remember(request, user)


def acknowledgement(request: HttpRequest) -> dict[str, Any]:
    """The version in force the user has not confirmed yet, for ``policy/_ack_banner.html``."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return {"policy_ack_pending": None}
    kept = getattr(request, "session", {}).get(SESSION_KEY)
    if kept and kept.get("day") == policy_today().isoformat() and kept.get("user") == user.pk:
        pending = kept.get("pending")
        return {"policy_ack_pending": PendingAcknowledgement(*pending) if pending else None}
    return {"policy_ack_pending": remember(request, quietly=True)}
