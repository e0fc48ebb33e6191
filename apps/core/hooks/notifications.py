"""Start-up registration of the notification service: the workbench item "outside notifications failed" for those
who watch the deliveries (called from CoreConfig.ready)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.core.models import NotificationDelivery
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


def register() -> None:
    register_workbench_provider(failed_delivery_items)
