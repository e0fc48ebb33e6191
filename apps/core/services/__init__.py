"""Domain-free write helpers: the generic save and update, and notifications."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from apps.core.history import record_actor
from apps.core.models import Notification, OwnedModel
from apps.core.notifications.kinds import kind_of
from apps.core.services.delivery import deliveries_create

logger = logging.getLogger(__name__)

_M = TypeVar("_M", bound=models.Model)
_O = TypeVar("_O", bound=OwnedModel)


def model_save(instance: _M, *, actor: Any, reason: str = "", update_fields: Iterable[str] | None = None) -> _M:
    """Validate ``instance`` (``full_clean``), name ``actor`` (and ``reason``) as the author of the change in its
    history, and save it (only ``update_fields`` when given): the write at the end of a create or a step."""
    instance.full_clean()
    record_actor(instance, actor, reason)
    instance.save(update_fields=update_fields)
    return instance


def owned_create(model: type[_O], *, actor: Any, unit: Any, **fields: Any) -> _O:
    """Create a ``model`` record (an ``OwnedModel``) owned by ``actor`` in ``unit`` (their department) and created by
    them, validated and saved with the actor in its history."""
    return model_save(model(**fields, owner=actor, owner_unit=unit, created_by=actor), actor=actor)


def model_update(
    *, instance: models.Model, fields: list[str], data: dict[str, Any], actor: Any = None, reason: str = ""
) -> tuple[models.Model, bool]:
    """Set ``fields`` from ``data`` (keys absent from ``data`` are left alone), validate, save only what changed.

    Returns the instance and whether anything changed. Many-to-many fields are set after the save. With ``actor``
    the change is recorded in the instance's history as theirs (and ``reason`` as its reason).
    """
    if actor is not None:
        record_actor(instance, actor, reason)
    changed: list[str] = []
    m2m: dict[str, Any] = {}
    m2m_names = {f.name for f in instance._meta.many_to_many}
    for name in fields:
        if name not in data:
            continue
        if name in m2m_names:
            m2m[name] = data[name]
            continue
        if getattr(instance, name) != data[name]:
            setattr(instance, name, data[name])
            changed.append(name)
    if changed:
        instance.full_clean()
        if any(f.name == "updated_at" for f in instance._meta.fields):
            changed.append("updated_at")
        instance.save(update_fields=changed)
    for name, value in m2m.items():
        related = getattr(instance, name)
        before = set(related.values_list("pk", flat=True))
        related.set(value)
        if before != set(related.values_list("pk", flat=True)):
            changed.append(name)
    return instance, bool(changed)


def notify(
    *, recipients: Iterable[Any], title: str, body: str = "", url: str = "", topic: str = "", kind: str = ""
) -> list[Notification]:
    """Put a message into each recipient's notification centre (one row each, one query), and send it by the
    outside channels (e-mail, WeCom, DingTalk) each recipient wants for its kind, after the transaction commits,
    in a Celery task (``core.services.delivery``): a channel that is down never delays or fails the caller.

    ``topic`` names what it is about (``notification_topic``), so that ``notifications_close`` can close it for
    everyone at once; ``kind`` (``core.notifications.kinds``, default: the topic's first part, else ``general``) is what
    the centre groups by and users choose channels for."""
    distinct = list({r.pk: r for r in recipients if r is not None}.values())
    kind = kind_of(kind=kind, topic=topic)
    rows = [
        Notification(recipient=r, title=title[:200], body=body, url=url, topic=topic[:100], kind=kind) for r in distinct
    ]
    created = Notification.objects.bulk_create(rows)
    try:
        deliveries_create(recipients=distinct, kind=kind, topic=topic, title=str(title), body=str(body), url=url)
    except Exception:  # noqa: BLE001 - the outside channels never fail the action that caused the message
        logger.exception("could not queue the outside deliveries of %r", title)
    return created


def notification_topic(kind: str, obj: Any) -> str:
    """The topic of a notification of ``kind`` about ``obj``, e.g. ``approval:sales.contract:12``."""
    return f"{kind}:{obj._meta.label_lower}:{obj.pk}"


def notifications_close(*, topic: str = "", topic_prefix: str = "") -> int:
    """Close (mark read) every unread notification about ``topic`` (or every topic starting with
    ``topic_prefix``) — e.g. an approval request sent to several approvers, once one of them decided or the
    request was withdrawn; return how many were closed. The recipients' unread counts are read again."""
    if not topic and not topic_prefix:
        return 0
    unread = Notification.objects.filter(read_at__isnull=True)
    unread = unread.filter(topic=topic) if topic else unread.filter(topic__startswith=topic_prefix)
    recipients = set(unread.order_by().values_list("recipient_id", flat=True).distinct())
    now = timezone.now()
    return unread.update_for(recipients, read_at=now, updated_at=now)


@transaction.atomic
def notification_mark_read(*, actor: Any, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (someone else's is not theirs to mark)."""
    if notification.recipient_id != actor.pk:
        raise PermissionError("not the recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notification_mark_all_read(*, actor: Any, kind: str = "") -> int:
    """Mark all of the actor's unread notifications read (of one ``kind`` if given); return how many changed."""
    qs = Notification.objects.filter(recipient=actor, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    now = timezone.now()
    return qs.update_for([actor.pk], read_at=now, updated_at=now)
