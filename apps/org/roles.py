"""Built-in roles (staff, department manager, senior management, leadership group, system administrator).

Their default data scopes are fixed here; the permissions and per-app scopes come from each app's
``permissions.py`` so that a new app extends the roles without touching ``org``. A role's permissions are those
every holder has (``BUILTIN_ROLE_PERMISSIONS``, mostly seeing within the scope) plus those of the kind of department
the holder works in (``BUILTIN_ROLE_KIND_PERMISSIONS``: role → department kind → permissions — a sales clerk works
contracts, a service clerk tickets), kept as ``RoleKindGrant`` rows.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.models import Permission

from apps.core.scoping import DataScope
from apps.org.choices import BuiltinRole

DEFAULT_SCOPES = {
    BuiltinRole.STAFF: DataScope.OWN,
    BuiltinRole.DEPARTMENT_MANAGER: DataScope.UNIT_TREE,
    BuiltinRole.SENIOR_MANAGEMENT: DataScope.ALL,
    BuiltinRole.LEADERSHIP_GROUP: DataScope.ALL,
    BuiltinRole.SYSTEM_ADMIN: DataScope.ALL,
}


Declarations = tuple[dict[str, set[str]], dict[str, dict[str, str]], dict[str, dict[str, set[str]]]]


def _declarations() -> Declarations:
    perms: dict[str, set[str]] = {code: set() for code in BuiltinRole.values}
    scopes: dict[str, dict[str, str]] = {code: {} for code in BuiltinRole.values}
    by_kind: dict[str, dict[str, set[str]]] = {code: {} for code in BuiltinRole.values}
    for config in django_apps.get_app_configs():
        if not config.name.startswith("apps."):
            continue
        try:
            module: Any = import_module(f"{config.name}.permissions")
        except ModuleNotFoundError:
            continue
        for code, names in getattr(module, "BUILTIN_ROLE_PERMISSIONS", {}).items():
            perms[str(code)].update(names)
        for code, scope in getattr(module, "BUILTIN_ROLE_SCOPES", {}).items():
            scopes[str(code)][config.label] = str(scope)
        for code, kinds in getattr(module, "BUILTIN_ROLE_KIND_PERMISSIONS", {}).items():
            for kind, names in kinds.items():
                by_kind[str(code)].setdefault(str(kind), set()).update(names)
    return perms, scopes, by_kind


def _permissions(names: set[str]) -> list[Permission]:
    found = []
    for name in sorted(names):
        app_label, codename = name.split(".", 1)
        perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
        if perm is None:
            raise LookupError(f"Unknown permission {name!r} in a permissions.py declaration")
        found.append(perm)
    return found


def sync_builtin_roles(**kwargs: Any) -> None:
    """Create or update the built-in roles from the declarations (run after every migrate; idempotent)."""
    from django.contrib.auth.management import create_permissions

    from apps.org.models import Role, RoleGrant, RoleKindGrant

    # post_migrate reaches org before the apps after it, so make sure every app's permissions exist first.
    for config in django_apps.get_app_configs():
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))
    perms, scopes, by_kind = _declarations()
    for code in BuiltinRole:
        role, _ = Role.objects.get_or_create(
            code=code.value,
            defaults={"name": str(code.label), "data_scope": DEFAULT_SCOPES[code], "is_builtin": True},
        )
        role.permissions.set(_permissions(perms[code.value]))
        for app_label, scope in scopes[code.value].items():
            RoleGrant.objects.update_or_create(role=role, app_label=app_label, defaults={"data_scope": scope})
        # The work of a department goes with its kind: an install migrated before this existed loses the sales
        # writes its service clerks held through the one generic role, here, on its next migrate.
        for kind, names in by_kind[code.value].items():
            grant, _ = RoleKindGrant.objects.get_or_create(role=role, department_kind=kind)
            grant.permissions.set(_permissions(names))
        RoleKindGrant.objects.filter(role=role).exclude(department_kind__in=list(by_kind[code.value])).delete()
