"""What each built-in role may do with the policy (see ``apps/org/permissions.py`` for the format).

Everyone may read the policy in force; only the leadership group (art. 14) and the system administrator may
draft versions, change their rules and put them in force.
"""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class PolicyPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_VERSION = "policy.view_policyversion"
    ADD_VERSION = "policy.add_policyversion"
    CHANGE_VERSION = "policy.change_policyversion"
    PUBLISH_VERSION = "policy.publish_policyversion"
    CHANGE_ARTICLE = "policy.change_article"
    VIEW_DECISION = "policy.view_policydecision"


_VIEW = ["policy.view_policy", "policy.view_policyversion", "policy.view_article"]
# The leadership group's decisions are read by those who take part in amending (the votes are theirs).
_DECIDE = ["policy.view_policydecision", "policy.view_policyvote", "policy.add_policydecision", "policy.add_policyvote"]
_MANAGE = [
    "policy.add_policyversion",
    "policy.change_policyversion",
    "policy.publish_policyversion",
    "policy.add_article",
    "policy.change_article",
    "policy.delete_article",
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _VIEW,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW + _MANAGE + _DECIDE,
    BuiltinRole.SYSTEM_ADMIN: _VIEW + _MANAGE + _DECIDE,
}


# Acknowledgement, interpretation, review


class AckPerm(StrEnum):
    """Read acknowledgements, interpretations and reviews of the policy (arts. 14, 15)."""

    VIEW_ACKNOWLEDGEMENT = "policy.view_policyacknowledgement"
    REMIND_ACKNOWLEDGEMENT = "policy.remind_policyacknowledgement"
    VIEW_INTERPRETATION = "policy.view_interpretation"
    ASK_INTERPRETATION = "policy.add_interpretation"
    ANSWER_INTERPRETATION = "policy.answer_interpretation"
    VIEW_REVIEW = "policy.view_policyreview"
    ADD_REVIEW = "policy.add_policyreview"


# Everyone confirms and sees their own confirmation (the data scope widens it: managers their tree, senior
# management and the leadership group all) and may ask a question; managers upward remind; the leadership group
# answers and reviews (art. 14).
_ACK_EVERYONE = [AckPerm.VIEW_ACKNOWLEDGEMENT, AckPerm.VIEW_INTERPRETATION, AckPerm.ASK_INTERPRETATION]
_ACK_EXTRA = {
    BuiltinRole.STAFF: _ACK_EVERYONE,
    BuiltinRole.DEPARTMENT_MANAGER: [*_ACK_EVERYONE, AckPerm.REMIND_ACKNOWLEDGEMENT],
    BuiltinRole.SENIOR_MANAGEMENT: [*_ACK_EVERYONE, AckPerm.REMIND_ACKNOWLEDGEMENT, AckPerm.VIEW_REVIEW],
    BuiltinRole.LEADERSHIP_GROUP: [
        *_ACK_EVERYONE,
        AckPerm.REMIND_ACKNOWLEDGEMENT,
        AckPerm.ANSWER_INTERPRETATION,
        AckPerm.VIEW_REVIEW,
        AckPerm.ADD_REVIEW,
    ],
    BuiltinRole.SYSTEM_ADMIN: [*_ACK_EVERYONE, AckPerm.VIEW_REVIEW],
}
for _role, _perms in _ACK_EXTRA.items():
    BUILTIN_ROLE_PERMISSIONS[_role] = [*BUILTIN_ROLE_PERMISSIONS[_role], *(str(p) for p in _perms)]
