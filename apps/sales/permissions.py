"""What each built-in role may do in sales. Targets are set by senior management and decomposed by managers;
contracts above the thresholds of the rules in force are approved by managers; everyone sees within their scope."""

from enum import StrEnum

from apps.org.choices import BuiltinRole
from apps.org.choices import DepartmentKind as K


class SalesPerm(StrEnum):
    """The sales permissions the pages declare (``app.codename``)."""

    VIEW_SALESPLAN = "sales.view_salesplan"
    ADD_SALESPLAN = "sales.add_salesplan"
    CHANGE_SALESPLAN = "sales.change_salesplan"
    VIEW_SALESPLANACTION = "sales.view_salesplanaction"
    VIEW_CONTRACT = "sales.view_contract"
    ADD_CONTRACT = "sales.add_contract"
    CHANGE_CONTRACT = "sales.change_contract"
    APPROVE_CONTRACT = "sales.approve_contract"
    ADD_PAYMENT = "sales.add_payment"
    ADD_PAYMENTPLAN = "sales.add_paymentplan"
    VIEW_PRODUCT = "sales.view_product"
    ADD_PRODUCT = "sales.add_product"
    CHANGE_PRODUCT = "sales.change_product"
    DELETE_PRODUCT = "sales.delete_product"
    VIEW_OPPORTUNITY = "sales.view_opportunity"
    ADD_OPPORTUNITY = "sales.add_opportunity"
    CHANGE_OPPORTUNITY = "sales.change_opportunity"
    VIEW_SALESEVALUATION = "sales.view_salesevaluation"
    ADD_SALESEVALUATION = "sales.add_salesevaluation"
    VIEW_TARGETSET = "sales.view_targetset"
    VIEW_TARGETNODE = "sales.view_targetnode"
    ADD_TARGETSET = "sales.add_targetset"


_OWNED = ["salesplan", "opportunity", "contract"]
_VIEW = [
    f"sales.view_{m}"
    for m in _OWNED
    + [
        "targetset",
        "targetnode",
        "product",
        "paymentplan",
        "payment",
        "salesplanaction",
        "opportunitystagechange",
        "salesevaluation",
        "refundrequest",
        "contractadjustment",
    ]
]
_WORK = (
    _VIEW
    + [f"sales.{a}_{m}" for m in _OWNED for a in ("add", "change")]
    + [
        "sales.add_payment",
        "sales.add_paymentplan",
        "sales.change_paymentplan",
        "sales.change_salesplanaction",
        "sales.add_salesplanaction",
        "sales.change_targetnode",  # staff propose their own targets (bottom-up)
    ]
)
_MANAGE = _WORK + [
    "sales.approve_contract",
    "sales.void_contract",
    "sales.approve_salesplan",
    "sales.add_targetnode",
    "sales.add_salesevaluation",
    "sales.change_salesevaluation",
    "sales.add_product",
    "sales.change_product",
    "sales.change_stagesetting",
    "sales.view_stagesetting",
]
_SENIOR = _VIEW + [
    "sales.add_targetset",
    "sales.change_targetset",
    "sales.approve_targetset",
    "sales.add_targetnode",
    "sales.change_targetnode",
    "sales.approve_contract",
    "sales.view_stagesetting",
    "sales.add_salesevaluation",
    "sales.change_salesevaluation",
]

# Every employee sees within their scope; selling (contracts, opportunities, plans, payments) is the sales
# department's work, its staff and its managers (art. 5, 7).
BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _VIEW,
    BuiltinRole.SENIOR_MANAGEMENT: _SENIOR,
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + _SENIOR + ["sales.delete_product"],
}

BUILTIN_ROLE_KIND_PERMISSIONS = {
    BuiltinRole.STAFF: {K.SALES: _WORK},
    BuiltinRole.DEPARTMENT_MANAGER: {K.SALES: _MANAGE},
}
