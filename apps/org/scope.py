"""How ``core.scoping`` learns a user's department and data scopes (registered in ``OrgConfig.ready``), and how a
page learns them without asking the database each time.

A user's *access* — their permissions (their own and their roles'), their department and per-app data scopes, the
employee record the navbar shows — is read from the database in five queries and kept in the shared cache (Redis in
production) under ``ACCESS_VERSION``, which every write to a user, employee, role, grant, kind grant or department
moves (``core.dataversion.WatchedVersion``: at once inside the writing transaction, for everyone at its commit, and
on every migrate). An ordinary page therefore reads it with one cache hit; a changed role, grant, department or a
deactivation is seen by the very next request. ``ACCESS_CACHE_SECONDS`` (0: off, the default without Redis, where
each process would keep its own copy) bounds how long an entry lives, as a last resort for writes that bypass the
signals.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS

from apps.core.dataversion import WatchedVersion
from apps.core.scoping import UserScope, widest

ACCESS_VERSION = WatchedVersion("org:access-version")
_ACCESS_ATTR = "_salesops_access"
logger = logging.getLogger(__name__)


@dataclass
class Access:
    """What the pages need to know about a user's rights, read once and cached (see the module's docstring)."""

    stamp: tuple[Any, ...]  # who it was read for: a restored database reusing ids never gets another's rights
    user_perms: frozenset[str]
    group_perms: frozenset[str]
    scope: UserScope
    employee: Any  # the active employee record with its department, or None


def _stamp(user: Any) -> tuple[Any, ...]:
    return (user.pk, user.username, user.date_joined, user.is_active, user.is_superuser)


def _permission_names(queryset: Any) -> frozenset[str]:
    rows = queryset.using(DEFAULT_DB_ALIAS).values_list("content_type__app_label", "codename").order_by()
    return frozenset(f"{app_label}.{codename}" for app_label, codename in rows)


def _read_scope(user: Any) -> tuple[UserScope, Any]:
    """The user's unit and, per app, the widest data scope across their roles (two queries)."""
    from apps.org.models import Employee, Role

    employee = (
        Employee.objects.using(DEFAULT_DB_ALIAS).select_related("department").filter(user=user, is_active=True).first()
    )
    if employee is None:
        return UserScope(), None
    roles = list(Role.objects.using(DEFAULT_DB_ALIAS).filter(employees=employee).prefetch_related("grants"))
    granted = {r.pk: {g.app_label: g.data_scope for g in r.grants.all()} for r in roles}
    app_labels = {label for grants in granted.values() for label in grants}
    # Per app: a role's grant replaces that role's default there; across roles the widest wins (OR).
    app_scopes = {label: widest([granted[r.pk].get(label, r.data_scope) for r in roles]) for label in app_labels}
    scope = UserScope(
        unit_id=employee.department_id,
        unit_path=employee.department.path,
        app_scopes={label: scope for label, scope in app_scopes.items() if scope is not None},
        default_scope=widest([r.data_scope for r in roles]),
    )
    return scope, employee


def _read_access(user: Any) -> Access:
    from apps.org.backends import RoleBackend

    backend = RoleBackend()
    scope, employee = _read_scope(user)
    if employee is not None:
        employee._state.fields_cache = {"department": employee.department}  # nothing else travels in the cache
    return Access(
        stamp=_stamp(user),
        user_perms=_permission_names(backend._get_user_permissions(user)),  # type: ignore[attr-defined]
        group_perms=_permission_names(backend._get_group_permissions(user)),
        scope=scope,
        employee=employee,
    )


def _cache_seconds() -> int:
    return int(getattr(settings, "ACCESS_CACHE_SECONDS", 0))


def user_access(user: Any) -> Access:
    """The user's access for this request: kept on the user object, else from the cache, else read and cached."""
    access: Access | None = getattr(user, _ACCESS_ATTR, None)
    if access is not None:
        return access
    seconds = _cache_seconds()
    key = f"org:access:{ACCESS_VERSION.current()}:{user.pk}" if seconds else ""
    if key:
        try:
            access = cache.get(key)
        except Exception:  # the cache is down: read from the database
            logger.warning("access not read from the cache", exc_info=True)
    if access is None or access.stamp != _stamp(user):
        access = _read_access(user)
        if key:
            try:
                cache.set(key, access, seconds)
            except Exception:
                logger.warning("access not cached", exc_info=True)
    if access.employee is not None:
        # The page's shell shows ``user.employee.department`` (the navbar): no query for it.
        from apps.org.models import Employee

        Employee._meta.get_field("user").remote_field.set_cached_value(user, access.employee)
        Employee._meta.get_field("user").set_cached_value(access.employee, user)
    setattr(user, _ACCESS_ATTR, access)
    return access


def forget_access(user: Any) -> None:
    """Forget the access kept on this user object (``core.scoping.clear_scope_cache``)."""
    if hasattr(user, _ACCESS_ATTR):
        delattr(user, _ACCESS_ATTR)


def resolve_user_scope(user: Any) -> UserScope:
    """Return the user's unit and, per app, the widest data scope across their roles."""
    return user_access(user).scope


def watch_access() -> None:
    """Move ``ACCESS_VERSION`` on every write that can change someone's access (``OrgConfig.ready``)."""
    from apps.org.models import Department, Employee, Role, RoleGrant, RoleKindGrant, User

    ACCESS_VERSION.watch(User, ignore_fields=frozenset({"last_login"}))
    ACCESS_VERSION.watch(Employee, Role, RoleGrant, RoleKindGrant, Department)


def access_changed(**kwargs: Any) -> None:
    """A write the signals do not see (a bulk update; every migrate, which may have changed the permissions)."""
    ACCESS_VERSION.written(kwargs.get("using"))


def assignable_people() -> Any:
    """Who can be given work: active users with an active employee record (``core.scoping.users_assignable``)."""
    from apps.org.models import User

    return User.objects.filter(is_active=True, employee__is_active=True)
