"""How ``core.scoping`` learns a user's department and data scopes (registered in ``OrgConfig.ready``)."""

from __future__ import annotations

from typing import Any

from apps.core.scoping import UserScope, widest


def resolve_user_scope(user: Any) -> UserScope:
    """Return the user's unit and, per app, the widest data scope across their roles (two queries)."""
    from apps.org.models import Employee, Role

    employee = Employee.objects.select_related("department").filter(user=user, is_active=True).first()
    if employee is None:
        return UserScope()
    # The page's shell shows ``user.employee.department`` (the navbar): hand it the rows just read instead of two
    # more queries on every page.
    Employee._meta.get_field("user").remote_field.set_cached_value(user, employee)
    roles = list(Role.objects.filter(employees=employee).prefetch_related("grants"))
    granted = {r.pk: {g.app_label: g.data_scope for g in r.grants.all()} for r in roles}
    app_labels = {label for grants in granted.values() for label in grants}
    # Per app: a role's grant replaces that role's default there; across roles the widest wins (OR).
    app_scopes = {label: widest([granted[r.pk].get(label, r.data_scope) for r in roles]) for label in app_labels}
    return UserScope(
        unit_id=employee.department_id,
        unit_path=employee.department.path,
        app_scopes={label: scope for label, scope in app_scopes.items() if scope is not None},
        default_scope=widest([r.data_scope for r in roles]),
    )


def assignable_people() -> Any:
    """Who can be given work: active users with an active employee record (``core.scoping.users_assignable``)."""
    from apps.org.models import User

    return User.objects.filter(is_active=True, employee__is_active=True)
