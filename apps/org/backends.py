"""Permissions come from the roles of the user's employee record (and superuser status): what the role gives
everyone, plus what it gives in the kind of department the employee works in (``RoleKindGrant``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q, Subquery

from apps.org.scope import user_access


class RoleBackend(ModelBackend):
    """Django's model backend, with permissions granted through ``Employee.roles`` of active employees."""

    def _get_group_permissions(self, user_obj: Any) -> Any:
        from apps.org.models import Employee, RoleKindGrant

        # One query: the roles' own permissions, and the kind grants of the kind of the employee's department.
        kind = Employee.objects.filter(user=user_obj, is_active=True).values("department__kind")[:1]
        by_kind = RoleKindGrant.permissions.through.objects.filter(
            rolekindgrant__role__employees__user=user_obj,
            rolekindgrant__role__employees__is_active=True,
            rolekindgrant__department_kind=Subquery(kind),
        ).values("permission_id")
        return Permission.objects.filter(
            Q(role__employees__user=user_obj, role__employees__is_active=True) | Q(pk__in=by_kind)
        )

    def get_group_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        return self._get_permissions(user_obj, obj, "group")

    def _get_permissions(self, user_obj: Any, obj: Any, from_name: str) -> set[str]:
        """ModelBackend's, read from the user's cached access (``org.scope.user_access``: one cache hit per request
        instead of two queries, and moved by every change of a role, grant or department)."""
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if user_obj.is_superuser:
            return super()._get_permissions(user_obj, obj, from_name)  # type: ignore[misc]  # not in django-stubs
        perm_cache_name = f"_{from_name}_perm_cache"
        if not hasattr(user_obj, perm_cache_name):
            access = user_access(user_obj)
            setattr(user_obj, perm_cache_name, set(access.user_perms if from_name == "user" else access.group_perms))
        return getattr(user_obj, perm_cache_name)  # type: ignore[no-any-return]
