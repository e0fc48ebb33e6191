"""What each built-in role may do in customer service. Staff work their own tickets and contacts and record
feedback; managers assign, close and acknowledge feedback routed to their department; senior management sees all."""

from apps.org.choices import BuiltinRole

_VIEW = [f"service.view_{m}" for m in ("ticket", "feedback", "feedbackrouting", "relationshipcontact", "duecontact")]
_WORK = _VIEW + [
    "service.add_ticket", "service.change_ticket", "service.add_feedback", "service.change_feedback",
    "service.add_relationshipcontact", "service.change_relationshipcontact", "service.change_duecontact",
]
_MANAGE = _WORK + [
    "service.assign_ticket", "service.close_ticket", "service.acknowledge_feedbackrouting",
    "service.add_duecontact",
]
_SENIOR = _VIEW + ["service.acknowledge_feedbackrouting", "service.close_ticket"]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _WORK,
    BuiltinRole.DEPARTMENT_MANAGER: _MANAGE,
    BuiltinRole.SENIOR_MANAGEMENT: _SENIOR,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + ["service.delete_ticket"],
}
