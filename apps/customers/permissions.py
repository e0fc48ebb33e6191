"""What each built-in role may do in the customer archive (scopes: the role defaults — own, department tree, all)."""

from enum import StrEnum

from apps.org.choices import BuiltinRole
from apps.org.choices import DepartmentKind as K


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
    SET_SERVICE_OWNER = "customers.set_service_owner"


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

# Every employee sees within their scope. Sales keeps the archive and the public pool (claims, assignment,
# transfer, import); market development brings new customers in (a converted lead); customer service keeps the
# archive's contacts, needs and follow-ups up to date (art. 6) but claims and creates no customer.
_ARCHIVE = [f"customers.{a}_{m}" for m in ("contact", "customerneed", "followup") for a in ("add", "change")]
_ARCHIVE += ["customers.change_customer", "customers.add_tag"]
_NEW = [*_VIEW, *_ARCHIVE, "customers.add_customer"]
BUILTIN_ROLE_PERMISSIONS = {
    BuiltinRole.STAFF: _VIEW,
    BuiltinRole.DEPARTMENT_MANAGER: _VIEW,
    BuiltinRole.SENIOR_MANAGEMENT: _VIEW + ["customers.export_customer"],
    BuiltinRole.LEADERSHIP_GROUP: _VIEW,
    BuiltinRole.SYSTEM_ADMIN: _MANAGE
    + ["customers.set_service_owner", "customers.delete_customer", "customers.change_tag", "customers.delete_tag"],
}

BUILTIN_ROLE_KIND_PERMISSIONS = {
    BuiltinRole.STAFF: {K.SALES: _WORK, K.MARKET_DEVELOPMENT: _NEW, K.CUSTOMER_SERVICE: [*_VIEW, *_ARCHIVE]},
    BuiltinRole.DEPARTMENT_MANAGER: {
        K.SALES: _MANAGE,
        K.MARKET_DEVELOPMENT: [*_NEW, "customers.import_customer", "customers.export_customer"],
        K.CUSTOMER_SERVICE: [*_VIEW, *_ARCHIVE, "customers.export_customer", "customers.set_service_owner"],
    },
}
