"""What each built-in role may do in market development. Plans are approved and evaluations made by managers,
within their department tree (the scope); senior management sees everything."""

from apps.org.choices import BuiltinRole

_M = ["marketresearch", "marketplan", "campaign", "lead", "visit", "marketintel"]
_VIEW = [f"marketing.view_{m}" for m in _M] + ["marketing.view_marketevaluation", "marketing.view_plangoal"]
_WORK = _VIEW + [f"marketing.{a}_{m}" for m in _M for a in ("add", "change")] + [
    "marketing.handover_lead", "marketing.convert_lead", "marketing.claim_lead",
]
_MANAGE = _WORK + [
    "marketing.approve_marketplan", "marketing.publish_marketintel",
    "marketing.add_marketevaluation", "marketing.change_marketevaluation",
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _WORK,
    BuiltinRole.DEPARTMENT_MANAGER: _MANAGE,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + [f"marketing.delete_{m}" for m in _M],
}
