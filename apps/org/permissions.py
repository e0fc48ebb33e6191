"""What each built-in role may do in ``org`` and with what data scope.

Every app has a ``permissions.py`` with ``BUILTIN_ROLE_PERMISSIONS`` (role code → permission codenames) and,
where it differs from the role's default scope, ``BUILTIN_ROLE_SCOPES`` (role code → data scope for this app).
``org.roles.sync_builtin_roles`` gathers them all after every migrate.
"""

from enum import StrEnum

from apps.core.scoping import DataScope
from apps.org.choices import BuiltinRole


class OrgPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_DEPARTMENT = "org.view_department"
    ADD_DEPARTMENT = "org.add_department"
    CHANGE_DEPARTMENT = "org.change_department"
    DELETE_DEPARTMENT = "org.delete_department"
    VIEW_EMPLOYEE = "org.view_employee"
    ADD_EMPLOYEE = "org.add_employee"
    CHANGE_EMPLOYEE = "org.change_employee"
    HANDOVER_EMPLOYEE = "org.handover_employee"
    VIEW_ROLE = "org.view_role"


_VIEW = ["org.view_department", "org.view_employee"]
_MANAGE = [
    "org.add_department",
    "org.change_department",
    "org.delete_department",
    "org.add_employee",
    "org.change_employee",
    "org.handover_employee",
    "org.view_role",
    "org.add_role",
    "org.change_role",
    "org.delete_role",
]

# The working-day calendar (core): senior management and administrators see and enter days; administrators keep it
# (reminded to enter next year's schedule).
_CALENDAR = ["core.view_workdayoverride", "core.add_workdayoverride", "core.change_workdayoverride"]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _VIEW,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW + _CALENDAR,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _VIEW + _MANAGE + _CALENDAR + ["core.keep_calendar"],
}

# Staff see their own records elsewhere, but the colleagues of their own department here.
BUILTIN_ROLE_SCOPES = {
    BuiltinRole.STAFF: DataScope.UNIT,
}
