"""Permissions come from the roles of the user's employee record (and superuser status)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission


class RoleBackend(ModelBackend):
    """Django's model backend, with permissions granted through ``Employee.roles`` of active employees."""

    def _get_group_permissions(self, user_obj: Any) -> Any:
        return Permission.objects.filter(role__employees__user=user_obj, role__employees__is_active=True)

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self._get_permissions(user_obj, obj, "group")  # type: ignore[attr-defined]  # ModelBackend's own helper, missing from django-stubs
