"""What each built-in role may do in market development. Plans are approved and evaluations made by managers,
within their department tree (the scope); senior management sees everything."""

from enum import StrEnum

from apps.org.choices import BuiltinRole
from apps.org.choices import DepartmentKind as K


class MarketingPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_RESEARCH = "marketing.view_marketresearch"
    ADD_RESEARCH = "marketing.add_marketresearch"
    CHANGE_RESEARCH = "marketing.change_marketresearch"
    VIEW_PLAN = "marketing.view_marketplan"
    ADD_PLAN = "marketing.add_marketplan"
    CHANGE_PLAN = "marketing.change_marketplan"
    APPROVE_PLAN = "marketing.approve_marketplan"
    VIEW_EVALUATION = "marketing.view_marketevaluation"
    ADD_EVALUATION = "marketing.add_marketevaluation"
    CHANGE_EVALUATION = "marketing.change_marketevaluation"
    VIEW_CAMPAIGN = "marketing.view_campaign"
    ADD_CAMPAIGN = "marketing.add_campaign"
    CHANGE_CAMPAIGN = "marketing.change_campaign"
    VIEW_LEAD = "marketing.view_lead"
    ADD_LEAD = "marketing.add_lead"
    CHANGE_LEAD = "marketing.change_lead"
    HANDOVER_LEAD = "marketing.handover_lead"
    CONVERT_LEAD = "marketing.convert_lead"
    CLAIM_LEAD = "marketing.claim_lead"
    VIEW_VISIT = "marketing.view_visit"
    ADD_VISIT = "marketing.add_visit"
    CHANGE_VISIT = "marketing.change_visit"
    VIEW_INTEL = "marketing.view_marketintel"
    ADD_INTEL = "marketing.add_marketintel"
    CHANGE_INTEL = "marketing.change_marketintel"
    PUBLISH_INTEL = "marketing.publish_marketintel"


_M = ["marketresearch", "marketplan", "campaign", "lead", "visit", "marketintel"]
_VIEW = [f"marketing.view_{m}" for m in _M] + ["marketing.view_marketevaluation", "marketing.view_plangoal"]
_WORK = (
    _VIEW
    + [f"marketing.{a}_{m}" for m in _M for a in ("add", "change")]
    + [
        "marketing.handover_lead",
        "marketing.convert_lead",
        "marketing.claim_lead",
    ]
)
_MANAGE = _WORK + [
    "marketing.approve_marketplan",
    "marketing.publish_marketintel",
    "marketing.add_marketevaluation",
    "marketing.change_marketevaluation",
]

# Every employee sees within their scope; market development (research, plans, campaigns, leads, intelligence) is
# its department's work (art. 4, 8); sales turns the leads handed to it into customers and visits customers.
_SALES = ["marketing.convert_lead", "marketing.add_visit", "marketing.change_visit"]
BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _VIEW,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + [f"marketing.delete_{m}" for m in _M],
}

BUILTIN_ROLE_KIND_PERMISSIONS = {
    BuiltinRole.STAFF: {K.MARKET_DEVELOPMENT: _WORK, K.SALES: _SALES},
    BuiltinRole.DEPARTMENT_MANAGER: {K.MARKET_DEVELOPMENT: _MANAGE, K.SALES: _SALES},
}
