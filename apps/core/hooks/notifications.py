"""Start-up registration of the notification service: the workbench item "outside notifications failed" for those
who watch the deliveries, and the signals that keep the cached unread counts exact (called from CoreConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import UNREAD_VERSION, Notification, NotificationDelivery
from apps.core.permissions import CorePerm
from apps.core.workbench import WorkbenchItem, register_workbench_provider

RECENT = dt.timedelta(days=7)


def failed_delivery_items(user: Any) -> list[WorkbenchItem]:
    """For administrators: the outside messages that failed after their retries in the last week (one query)."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm(CorePerm.VIEW_NOTIFICATION_DELIVERY):
        return []
    since = timezone.now() - RECENT
    failed = NotificationDelivery.objects.filter(status=NotificationDelivery.Status.FAILED, updated_at__gte=since)
    count = failed.count()
    if not count:
        return []
    url = reverse("core:notification_deliveries") + "?status=failed"
    return [WorkbenchItem(_("System"), _("Notifications that could not be sent"), url, count=count)]


def unread_changed(sender: Any, instance: Notification, using: str | None = None, **kwargs: Any) -> None:
    """A notification saved (marked read, edited) or deleted: its recipient's unread count is read again."""
    UNREAD_VERSION.written([instance.recipient_id], using=using)


def register() -> None:
    register_workbench_provider(failed_delivery_items)
    post_save.connect(unread_changed, sender=Notification, dispatch_uid="core-unread-save")
    post_delete.connect(unread_changed, sender=Notification, dispatch_uid="core-unread-delete")
