"""What each built-in role may do in customer service. Staff work their own tickets and contacts and record
feedback; managers assign, close and acknowledge feedback routed to their department; senior management sees all."""

from enum import StrEnum

from apps.org.choices import BuiltinRole
from apps.org.choices import DepartmentKind as K


class ServicePerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_TICKET = "service.view_ticket"
    ADD_TICKET = "service.add_ticket"
    CHANGE_TICKET = "service.change_ticket"
    ASSIGN_TICKET = "service.assign_ticket"
    CLOSE_TICKET = "service.close_ticket"
    VIEW_FEEDBACK = "service.view_feedback"
    ADD_FEEDBACK = "service.add_feedback"
    VIEW_ROUTING = "service.view_feedbackrouting"
    ACKNOWLEDGE_ROUTING = "service.acknowledge_feedbackrouting"
    VIEW_CONTACT = "service.view_relationshipcontact"
    ADD_CONTACT = "service.add_relationshipcontact"
    VIEW_DUE_CONTACT = "service.view_duecontact"
    CHANGE_DUE_CONTACT = "service.change_duecontact"


_VIEW = [f"service.view_{m}" for m in ("ticket", "feedback", "feedbackrouting", "relationshipcontact", "duecontact")]
_WORK = _VIEW + [
    "service.add_ticket",
    "service.change_ticket",
    "service.add_feedback",
    "service.change_feedback",
    "service.add_relationshipcontact",
    "service.change_relationshipcontact",
    "service.change_duecontact",
]
_MANAGE = _WORK + [
    "service.assign_ticket",
    "service.close_ticket",
    "service.acknowledge_feedbackrouting",
    "service.add_duecontact",
]
_SENIOR = _VIEW + ["service.acknowledge_feedbackrouting", "service.close_ticket"]

# Every employee sees within their scope and records what a customer tells them (feedback), and every manager
# acknowledges the feedback routed to their department; tickets, relationship contacts and their assignment are the
# customer service department's work (art. 6, 10).
BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: [*_VIEW, "service.add_feedback"],
    BuiltinRole.DEPARTMENT_MANAGER: [*_VIEW, "service.add_feedback", "service.acknowledge_feedbackrouting"],
    BuiltinRole.SENIOR_MANAGEMENT: _SENIOR,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + ["service.delete_ticket"],
}

# A salesperson opens a ticket for their own customer and works the ones assigned to them (the object rule of the
# ticket flow decides which: its assignee, the service department and managers).
_SALES = ["service.add_ticket", "service.change_ticket"]
BUILTIN_ROLE_KIND_PERMISSIONS = {
    BuiltinRole.STAFF: {K.CUSTOMER_SERVICE: _WORK, K.SALES: _SALES},
    BuiltinRole.DEPARTMENT_MANAGER: {K.CUSTOMER_SERVICE: _MANAGE, K.SALES: _SALES},
}
