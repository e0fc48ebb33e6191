"""The kernel's own permissions (the working-day calendar's are granted in ``org.permissions``).

Role codes are plain strings here: core sits left of org and does not import its ``BuiltinRole``.
"""

from enum import StrEnum


class CorePerm(StrEnum):
    MANAGE_NOTIFICATION_CHANNELS = "core.manage_notification_channels"
    VIEW_NOTIFICATION_DELIVERY = "core.view_notificationdelivery"


# The system administrator configures the outside channels and watches their deliveries (superusers may anyway).
BUILTIN_ROLE_PERMISSIONS = {
    "system_admin": [CorePerm.MANAGE_NOTIFICATION_CHANNELS.value, CorePerm.VIEW_NOTIFICATION_DELIVERY.value],
}
