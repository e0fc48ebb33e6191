"""What each built-in role may do in the customer archive (scopes: the role defaults — own, department tree, all)."""

from enum import StrEnum

from apps.org.choices import BuiltinRole


class CustomerPerm(StrEnum):
    """The permissions of this app, as views, services and templates name them."""

    VIEW_CUSTOMER = "customers.view_customer"
    ADD_CUSTOMER = "customers.add_customer"
    CHANGE_CUSTOMER = "customers.change_customer"
    CLAIM_CUSTOMER = "customers.claim_customer"
    ASSIGN_CUSTOMER = "customers.assign_customer"
    TRANSFER_CUSTOMER = "customers.transfer_customer"
    IMPORT_CUSTOMER = "customers.import_customer"
    EXPORT_CUSTOMER = "customers.export_customer"
    ADD_CONTACT = "customers.add_contact"
    CHANGE_CONTACT = "customers.change_contact"
    ADD_NEED = "customers.add_customerneed"
    CHANGE_NEED = "customers.change_customerneed"
    ADD_FOLLOWUP = "customers.add_followup"


_M = ["customer", "contact", "customerneed", "followup"]
_VIEW = [f"customers.view_{m}" for m in _M] + ["customers.view_tag"]
_WORK = (
    _VIEW
    + [f"customers.{a}_{m}" for m in _M for a in ("add", "change")]
    + [
        "customers.add_tag",
        "customers.claim_customer",
    ]
)
_MANAGE = _WORK + [
    "customers.assign_customer",
    "customers.transfer_customer",
    "customers.import_customer",
    "customers.export_customer",
    "customers.delete_followup",
    "customers.delete_contact",
]

BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _WORK,
    BuiltinRole.DEPARTMENT_MANAGER: _MANAGE,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW + ["customers.export_customer"],
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE + ["customers.delete_customer", "customers.change_tag", "customers.delete_tag"],
}
