"""Improvement actions: everyone works on their own; managers raise and verify them for their departments."""

from apps.org.choices import BuiltinRole

_VIEW = ["improvements.view_improvementaction"]
_WORK = _VIEW + ["improvements.add_improvementaction", "improvements.change_improvementaction"]
_VERIFY = _WORK + ["improvements.verify_improvementaction"]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _WORK,
    BuiltinRole.DEPARTMENT_MANAGER: _VERIFY,
    BuiltinRole.SENIOR_MANAGEMENT: _VERIFY,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _VERIFY + ["improvements.delete_improvementaction"],
}
