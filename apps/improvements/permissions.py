"""Improvement actions: everyone works on their own; managers raise and verify them for their departments."""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class ImprovementPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW = "improvements.view_improvementaction"
    ADD = "improvements.add_improvementaction"
    CHANGE = "improvements.change_improvementaction"
    VERIFY = "improvements.verify_improvementaction"
    DELETE = "improvements.delete_improvementaction"


_VIEW = [ImprovementPerm.VIEW]
_WORK = [*_VIEW, ImprovementPerm.ADD, ImprovementPerm.CHANGE]
_VERIFY = [*_WORK, ImprovementPerm.VERIFY]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _WORK,
    BuiltinRole.DEPARTMENT_MANAGER: _VERIFY,
    BuiltinRole.SENIOR_MANAGEMENT: _VERIFY,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: [*_VERIFY, ImprovementPerm.DELETE],
}
