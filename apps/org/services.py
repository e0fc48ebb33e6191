"""Writes to the organisation. Every function checks the actor, validates, runs in one transaction and keeps history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, clear_scope_cache
from apps.core.services import model_save, model_update
from apps.org.models import Department, Employee, Role, User
from apps.org.scope import access_changed
from apps.org.selectors import owned_models

DEPARTMENT_UNDER_ITSELF = gettext_lazy("A department cannot be moved under itself or one of its own sub-departments.")
DEPARTMENT_HAS_MEMBERS = gettext_lazy("This department still has employees or sub-departments; move them first.")
EMPLOYEE_NEEDS_DEPARTMENT = gettext_lazy("An employee must belong to a department.")
HANDOVER_TO_SELF = gettext_lazy("Hand over to another employee, not to the one who is leaving.")
HANDOVER_TO_INACTIVE = gettext_lazy("The employee who takes over must be in service.")
USERNAME_TAKEN = gettext_lazy("This username is already taken.")

DEPARTMENT_FIELDS = ["name", "code", "kind", "parent", "manager", "order", "is_active"]
EMPLOYEE_FIELDS = ["department", "employee_no", "title", "mobile", "email", "joined_on"]


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _set_paths(department: Department) -> None:
    """Recompute the materialised path of ``department`` and its whole subtree."""
    old_prefix = department.path
    parent_path = department.parent.path if department.parent is not None else "/"
    new_prefix = f"{parent_path}{department.pk}/"
    if old_prefix == new_prefix:
        return
    department.path = new_prefix
    Department.objects.filter(pk=department.pk).update(path=new_prefix)
    if old_prefix:
        for child in Department.objects.filter(path__startswith=old_prefix).exclude(pk=department.pk):
            Department.objects.filter(pk=child.pk).update(path=new_prefix + child.path[len(old_prefix) :])
    access_changed()  # the updates bypass the signals; the paths are part of everyone's cached scope


@transaction.atomic
def department_create(*, actor: Any, **data: Any) -> Department:
    """Create a department under ``parent`` (none for the company root)."""
    _require(actor, "org.add_department")
    department = Department(**{k: v for k, v in data.items() if k in DEPARTMENT_FIELDS})
    department.full_clean(exclude=["path"])
    record_actor(department, actor)
    department.save()
    _set_paths(department)
    return department


@transaction.atomic
def department_update(*, actor: Any, department: Department, data: dict[str, Any], reason: str = "") -> Department:
    """Change a department; moving it under itself or its own subtree is refused and changes nothing."""
    if not can(actor, "change", department):
        raise PermissionDenied
    new_parent = data.get("parent", department.parent)
    if new_parent is not None and (new_parent.pk == department.pk or new_parent.path.startswith(department.path)):
        raise ValidationError({"parent": DEPARTMENT_UNDER_ITSELF})
    model_update(instance=department, fields=DEPARTMENT_FIELDS, data=data, actor=actor, reason=reason)
    _set_paths(department)
    return department


@transaction.atomic
def department_delete(*, actor: Any, department: Department) -> None:
    _require(actor, "org.delete_department")
    if department.children.exists() or department.employees.exists():
        raise ValidationError(DEPARTMENT_HAS_MEMBERS)
    record_actor(department, actor)
    department.delete()


@transaction.atomic
def employee_create(
    *,
    actor: Any,
    username: str,
    name: str,
    password: str | None = None,
    roles: list[Role] | None = None,
    language: str = "zh-hans",
    **data: Any,
) -> Employee:
    """Create a login and its employee record together; the employee must have a department."""
    _require(actor, "org.add_employee")
    if data.get("department") is None:
        raise ValidationError({"department": EMPLOYEE_NEEDS_DEPARTMENT})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": USERNAME_TAKEN})
    user = User(username=username, name=name, email=data.get("email", ""), language=language)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    employee = Employee(user=user, **{k: v for k, v in data.items() if k in EMPLOYEE_FIELDS})
    model_save(employee, actor=actor)
    if roles:
        employee.roles.set(roles)
    return employee


@transaction.atomic
def employee_update(*, actor: Any, employee: Employee, data: dict[str, Any]) -> Employee:
    """Change an employee the actor may change; a department is always required."""
    if not can(actor, "change", employee):
        raise PermissionDenied
    if "department" in data and data["department"] is None:
        raise ValidationError({"department": EMPLOYEE_NEEDS_DEPARTMENT})
    model_update(instance=employee, fields=EMPLOYEE_FIELDS + ["roles"], data=data, actor=actor)
    # The login carries the name and email too; keep them in step with the employee record.
    user_changes = {k: data[k] for k in ("name", "email") if k in data and data[k] != getattr(employee.user, k)}
    if user_changes:
        for key, value in user_changes.items():
            setattr(employee.user, key, value)
        employee.user.save(update_fields=list(user_changes))
    clear_scope_cache(employee.user)
    return employee


def user_set_language(*, actor: Any, language: str) -> None:
    """Remember the interface language the user chose."""
    actor.language = language
    actor.full_clean(exclude=["password"])
    actor.save(update_fields=["language"])


# Hooks run by ``employee_offboard`` after the leaving employee's records moved, in the same transaction:
# ``fn(actor=, user=, successor=)`` (users). Apps to the right keep copies of owners in step (service: the
# customer's owner copied onto its tickets).
HandoverHook = Callable[..., None]
_handover_hooks: list[HandoverHook] = []


def register_handover_hook(fn: HandoverHook) -> None:
    if fn not in _handover_hooks:
        _handover_hooks.append(fn)


@transaction.atomic
def employee_offboard(
    *, actor: Any, employee: Employee, successor: Employee, left_on: dt.date | None = None
) -> dict[str, int]:
    """离职交接: hand everything the leaving employee owns to ``successor`` and mark them out of service.

    All or nothing, in one transaction; each moved record keeps a history row saying why it moved.
    Returns how many records of each kind moved.
    """
    _require(actor, "org.handover_employee")
    if successor.pk == employee.pk:
        raise ValidationError({"successor": HANDOVER_TO_SELF})
    if not successor.is_active:
        raise ValidationError({"successor": HANDOVER_TO_INACTIVE})
    reason = _("Handover: %(old)s left, records go to %(new)s") % {"old": employee, "new": successor}
    moved: dict[str, int] = {}
    for model in owned_models():
        owner_field = model.scope_fields.owner
        rows = list(model._default_manager.filter(**{owner_field: employee.user}))
        for row in rows:
            setattr(row, owner_field, successor.user)
            if model.scope_fields.unit and "__" not in model.scope_fields.unit:
                setattr(row, model.scope_fields.unit, successor.department)
            record_actor(row, actor, reason)
            row.save()
        if rows:
            moved[str(model._meta.verbose_name_plural)] = len(rows)
    for hook in list(_handover_hooks):
        hook(actor=actor, user=employee.user, successor=successor.user)
    for department in Department.objects.filter(manager=employee.user):
        department_update(actor=actor, department=department, data={"manager": successor.user}, reason=reason)
        moved[str(Department._meta.verbose_name_plural)] = moved.get(str(Department._meta.verbose_name_plural), 0) + 1
    employee.is_active = False
    employee.left_on = left_on or dt.date.today()
    record_actor(employee, actor, reason)
    employee.save(update_fields=["is_active", "left_on", "updated_at"])
    User.objects.filter(pk=employee.user_id).update(is_active=False)
    access_changed()
    return moved
