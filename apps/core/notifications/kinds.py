"""The kinds of message (事件类型) users choose their channels for, and each kind's default channels.

A message's kind is what ``core.services.notify`` is given (``kind=``), else the first part of its topic
(``notification_topic("approval", obj)`` → ``approval``), else ``general``. The in-app centre always gets every
message; the kinds below say which outside channels a user gets when they have not chosen (the preference page,
``core:notification_preferences``). An app with a kind of its own registers it with ``register_notification_kind``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

GENERAL = "general"


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: str | Promise
    default_channels: tuple[str, ...] = ()


_KINDS: dict[str, NotificationKind] = {}


def register_notification_kind(code: str, label: str | Promise, default_channels: tuple[str, ...] = ()) -> None:
    _KINDS[code] = NotificationKind(code, label, tuple(default_channels))


def notification_kinds() -> list[NotificationKind]:
    """Every kind, in the order registered (general last)."""
    return sorted(_KINDS.values(), key=lambda k: k.code == GENERAL)


def notification_kind(code: str) -> NotificationKind:
    """The kind of ``code``; an unknown code counts as a general message."""
    return _KINDS.get(code) or _KINDS[GENERAL]


def kind_of(*, kind: str = "", topic: str = "") -> str:
    """The kind of a message given its explicit kind or its topic."""
    code = kind or (topic.split(":", 1)[0] if topic else "")
    return code if code in _KINDS else GENERAL


# The events of the policy that reach people outside the app by default (arts. 6, 10): escalations are urgent and go
# to the group robots and e-mail; approval requests and routed feedback by e-mail; the rest stay in the app.
register_notification_kind("approval", _("Approval requests"), ("email",))
register_notification_kind(
    "escalation", _("Escalations and deadline warnings (tickets, feedback)"), ("email", "wecom", "dingtalk")
)
register_notification_kind("feedback", _("Feedback routed to my department"), ("email",))
register_notification_kind("due_contact", _("Customer contacts due"))
register_notification_kind(GENERAL, _("Other messages"))
