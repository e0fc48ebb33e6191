"""Writes to the customer archive (policy art. 6): customers, contacts, needs, follow-ups, lock and transfer.

Every function checks the actor's permission and scope, normalises and validates its input, runs the duplicate
check (查重) where a customer or a mobile number is written, and does everything in one transaction with history.
The database's unique constraints (USCC, contact mobile) are the last guard; their IntegrityError is answered
with the same message as the check.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core import locks
from apps.core.history import record_actor
from apps.core.scoping import can, users_assignable
from apps.core.services import model_update, notify
from apps.core.validators import normalize_mobile
from apps.customers.choices import DealStatus, Lifecycle, NeedStatus, OwnershipAction
from apps.customers.models import Contact, Customer, CustomerNeed, FollowUp, OwnershipLog, Tag
from apps.customers.selectors.dedupe import DuplicateHit, find_duplicates, name_key, normalize_uscc
from apps.customers.selectors.pool import customer_owners
from apps.customers.selectors.search import pinyin_initials
from apps.customers.timeline import owners_changed, transfer_hooks

# Held by a customer's creation and by an import (core.locks): names have no unique key, so two creations at the same
# moment could both pass the duplicate check.
CREATE_LOCK = "customers:create"
DUPLICATE_USCC = gettext_lazy(
    "Duplicate: this unified social credit code already belongs to customer “%(name)s” (%(owner)s)."
)
DUPLICATE_MOBILE = gettext_lazy(
    "Duplicate: this mobile number is already a contact of customer “%(name)s” (%(owner)s)."
)
SIMILAR_NAME = gettext_lazy(
    "A customer with a similar name exists: “%(name)s” (%(owner)s). Check that it is not the same company, "
    "or confirm that you want to continue."
)
DUPLICATE_CONSTRAINT = gettext_lazy("Duplicate: this customer or mobile number already exists in the archive.")
OWNER_LABEL = gettext_lazy("owner: %(owner)s")
IN_POOL_LABEL = gettext_lazy("in the public pool")
FOLLOW_UP_IN_FUTURE = gettext_lazy("A follow-up cannot be recorded in the future.")
NEXT_CONTACT_BEFORE_FOLLOW_UP = gettext_lazy("The next contact must come after the follow-up.")
TRANSFER_NEEDS_REASON = gettext_lazy("Give a reason for the transfer.")
TRANSFER_TO_INACTIVE = gettext_lazy("Customers can only be transferred to an employee in service.")
TRANSFER_TO_NON_OWNER = gettext_lazy(
    "Customers can only be transferred to someone whose department holds customers (sales or market development)."
)
TRANSFER_OUT_OF_SCOPE = gettext_lazy("Some of the chosen customers are outside your data scope.")
TRANSFER_NOTHING = gettext_lazy("Choose at least one customer to transfer.")
CUSTOMER_IN_POOL = gettext_lazy("This customer lies in the public pool; claim it before working on it.")

# The company's profile, as the archive page, the import and the API show it.
CUSTOMER_PROFILE_FIELDS = [
    "kind",
    "uscc",
    "level",
    "source",
    "industry",
    "province",
    "city",
    "district",
    "address",
    "phone",
    "website",
    "lifecycle",
]
CUSTOMER_FIELDS = [
    "name",
    *CUSTOMER_PROFILE_FIELDS,
    "service_owner",
    "remarks",
    "is_locked",
    "tags",
]
CONTACT_FIELDS = [
    "name",
    "mobile",
    "phone",
    "email",
    "wechat",
    "title",
    "is_decision_maker",
    "is_primary",
    "birthday",
    "remarks",
]
FOLLOW_UP_FIELDS = ["channel", "content", "occurred_at", "next_contact_at", "contact"]
# ``customer_create(owner=...)`` left out: the actor becomes the owner (None means the public pool).
AS_ACTOR: Any = object()
# A follow-up may be stamped a little ahead of the server clock (a phone's clock runs fast).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)


#
# Helpers: permission, normalisation, the duplicate check
#


def _require(actor: Any, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _require_change(actor: Any, customer: Customer) -> None:
    if not can(actor, "change", customer):
        raise PermissionDenied


SERVICE_OWNER_NOT_ASSIGNABLE = gettext_lazy(
    "You may make only people of your own customer-service scope the service owner."
)


def _check_service_owner(actor: Any, clean: dict[str, Any], current_id: int | None = None) -> None:
    """A new service owner must be someone the actor may assign in the service app (``users_assignable``): the
    service owner sees the customer, so naming one must not share it outside the actor's reach."""
    person = clean.get("service_owner")
    if person is None or person.pk == current_id:
        return
    if not users_assignable(actor, "service").filter(pk=person.pk).exists():
        raise ValidationError({"service_owner": SERVICE_OWNER_NOT_ASSIGNABLE})


@transaction.atomic
def customer_set_service_owner(*, actor: Any, customer: Customer, service_owner: Any, reason: str = "") -> Customer:
    """Name (or change, or clear) the service owner (服务负责人) of a customer: customer service managers, for the
    customers they may reach (``service_owner_settable``), naming only people they may assign in the service app.
    The change is kept in the customer's history with who made it and why."""
    from apps.customers.selectors.archive import service_owner_settable

    if not service_owner_settable(user=actor).filter(pk=customer.pk).exists():
        raise PermissionDenied
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if service_owner is not None and service_owner.pk == locked.service_owner_id:
        return locked
    if service_owner is not None and not users_assignable(actor, "service").filter(pk=service_owner.pk).exists():
        raise ValidationError({"service_owner": SERVICE_OWNER_NOT_ASSIGNABLE})
    model_update(
        instance=locked, fields=["service_owner"], data={"service_owner": service_owner}, actor=actor, reason=reason
    )
    owners_changed([locked.pk])
    return locked


def _owner_label(hit: DuplicateHit) -> str:
    return str(IN_POOL_LABEL) if hit.in_pool else str(OWNER_LABEL) % {"owner": hit.owner_name}


def _duplicate_error(hit: DuplicateHit, hits: list[DuplicateHit]) -> ValidationError:
    """The error for a duplicate hit: names the customer and who owns it, nothing else (CONVENTIONS-CN row 12)."""
    template, code = {
        "uscc": (DUPLICATE_USCC, "duplicate"),
        "mobile": (DUPLICATE_MOBILE, "duplicate"),
    }.get(hit.matched_on, (SIMILAR_NAME, "similar_name"))
    error = ValidationError(str(template) % {"name": hit.customer_name, "owner": _owner_label(hit)}, code=code)
    error.duplicates = hits  # type: ignore[attr-defined]  # all hits, for pages that list them
    return error


def check_duplicates(
    *,
    name: str = "",
    uscc: str | None = None,
    mobiles: list[str] | None = None,
    exclude_pk: int | None = None,
    allow_similar_name: bool = False,
) -> list[DuplicateHit]:
    """Raise ``ValidationError`` (code "duplicate") on an exact hit, or (code "similar_name") on a similar name
    unless ``allow_similar_name``; return the hits that only warn."""
    hits = find_duplicates(name=name, uscc=uscc, mobiles=mobiles, exclude_pk=exclude_pk)
    exact = [h for h in hits if h.exact]
    if exact:
        raise _duplicate_error(exact[0], hits)
    if hits and not allow_similar_name:
        raise _duplicate_error(hits[0], hits)
    return hits


def _normalise_customer(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in CUSTOMER_FIELDS}
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
    if "uscc" in clean:
        clean["uscc"] = normalize_uscc(clean["uscc"]) or None
    for key in ("province", "city", "district", "address", "phone", "website", "remarks"):
        if key in clean and clean[key] is None:
            clean[key] = ""
    return clean


def _normalise_contact(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in CONTACT_FIELDS}
    if "mobile" in clean:
        clean["mobile"] = normalize_mobile(clean["mobile"] or "") or None
    for key in ("phone", "email", "wechat", "title", "remarks"):
        if key in clean and clean[key] is None:
            clean[key] = ""
    if "name" in clean:
        clean["name"] = (clean["name"] or "").strip()
    return clean


def _tags(names: list[Any]) -> list[Tag]:
    """Tags by name (created on first use); Tag objects pass through."""
    tags = []
    for item in names or []:
        if isinstance(item, Tag):
            tags.append(item)
        elif str(item).strip():
            tags.append(Tag.objects.get_or_create(name=str(item).strip()[:30])[0])
    return tags


def _unit_of(user: Any) -> Any:
    employee = getattr(user, "employee", None) if user is not None else None
    return employee.department if employee is not None else None


def _prefixed(error: ValidationError, prefix: str) -> ValidationError:
    """Re-key a contact's field errors as ``contact_<field>`` so a customer form can show them in place."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError({f"{prefix}{field}": errs for field, errs in error.error_dict.items()})


def _save_guarded(obj: Any, **kwargs: Any) -> None:
    """Save inside a savepoint; a unique-constraint race becomes the duplicate message."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationError(DUPLICATE_CONSTRAINT, code="duplicate") from exc


#
# Customers
#


def _build_contacts(contacts: list[dict[str, Any]]) -> list[Contact]:
    built = []
    for index, data in enumerate(contacts):
        contact = Contact(**_normalise_contact(data))
        if index == 0 and not any(c.get("is_primary") for c in contacts):
            contact.is_primary = True
        try:
            contact.full_clean(exclude=["customer"], validate_constraints=False)
        except ValidationError as error:
            raise _prefixed(error, "contact_") from error
        built.append(contact)
    return built


@transaction.atomic
def customer_create(
    *,
    actor: Any,
    data: dict[str, Any],
    contacts: list[dict[str, Any]] | None = None,
    owner: Any = AS_ACTOR,
    allow_similar_name: bool = False,
    log_action: str = OwnershipAction.CREATE,
    duplicates_checked: bool = False,
) -> Customer:
    """Create a customer with its contacts, owned by ``owner`` (the actor unless given; None = public pool).

    Refused with nothing written when a field is invalid, the USCC or a mobile already exists (code
    "duplicate"), or a similar name exists and ``allow_similar_name`` is not set (code "similar_name").
    ``duplicates_checked``: the caller (the import) has already checked a whole batch at once; the database's
    unique keys still guard USCC and mobile.
    """
    _require(actor, "customers.add_customer")
    owner = actor if owner is AS_ACTOR else owner
    clean = _normalise_customer(data)
    _check_service_owner(actor, clean)
    tags = _tags(clean.pop("tags", []))
    customer = Customer(**clean)
    customer.name_key = name_key(customer.name)
    customer.name_initials = pinyin_initials(customer.name)
    customer.full_clean(validate_constraints=False)
    built = _build_contacts(_contacts_given(contacts))
    if not duplicates_checked:
        locks.hold(CREATE_LOCK)  # one creation or import at a time, so two cannot both pass the name check
        check_duplicates(
            name=customer.name,
            uscc=customer.uscc,
            mobiles=[c.mobile for c in built if c.mobile],
            allow_similar_name=allow_similar_name,
        )
    now = timezone.now()
    customer.owner = owner
    customer.owner_unit = _unit_of(owner)
    customer.owner_since = now if owner is not None else None
    customer.pooled_at = now if owner is None else None
    customer.created_by = actor
    record_actor(customer, actor)
    _save_guarded(customer)
    if tags:
        customer.tags.set(tags)
    for contact in built:
        contact.customer = customer
        record_actor(contact, actor)
        _save_guarded(contact)
    OwnershipLog.objects.create(customer=customer, action=log_action, to_owner=owner, actor=actor)
    return customer


def _contacts_given(contacts: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [c for c in contacts or [] if any(v not in (None, "", False) for v in c.values())]


@transaction.atomic
def customer_update(
    *, actor: Any, customer: Customer, data: dict[str, Any], allow_similar_name: bool = False, reason: str = ""
) -> Customer:
    """Change a customer the actor may change; the duplicate check runs again (excluding itself).

    A changed name is checked for similar names too, unless ``allow_similar_name``.
    """
    _require_change(actor, customer)
    clean = _normalise_customer(data)
    _check_service_owner(actor, clean, customer.service_owner_id)
    if "tags" in clean:
        clean["tags"] = _tags(clean["tags"])
    new_name = clean.get("name", customer.name)
    renamed = name_key(new_name) != customer.name_key
    new_uscc = clean.get("uscc", customer.uscc)
    check_duplicates(
        name=new_name if renamed else "",
        uscc=new_uscc if new_uscc != customer.uscc else None,
        exclude_pk=customer.pk,
        allow_similar_name=allow_similar_name,
    )
    service_owner_before = customer.service_owner_id
    record_actor(customer, actor, reason)
    if renamed or pinyin_initials(new_name) != customer.name_initials:
        customer.name_key = name_key(new_name)
        customer.name_initials = pinyin_initials(new_name)
        Customer.objects.filter(pk=customer.pk).update(name_key=customer.name_key, name_initials=customer.name_initials)
    try:
        with transaction.atomic():
            model_update(instance=customer, fields=CUSTOMER_FIELDS, data=clean)
    except IntegrityError as exc:
        raise ValidationError(DUPLICATE_CONSTRAINT, code="duplicate") from exc
    if customer.service_owner_id != service_owner_before:
        owners_changed([customer.pk])
    return customer


@transaction.atomic
def customer_set_lock(*, actor: Any, customer: Customer, locked: bool) -> Customer:
    """Lock (never recycled to the pool) or unlock a customer the actor may change."""
    _require_change(actor, customer)
    model_update(instance=customer, fields=["is_locked"], data={"is_locked": locked}, actor=actor)
    return customer


def _check_transfer(actor: Any, customers: list[Customer], to_owner: Any, reason: str) -> None:
    _require(actor, "customers.transfer_customer")
    if not customers:
        raise ValidationError(TRANSFER_NOTHING)
    if not (reason or "").strip():
        raise ValidationError({"reason": TRANSFER_NEEDS_REASON})
    employee = getattr(to_owner, "employee", None)
    if to_owner is None or not to_owner.is_active or employee is None or not employee.is_active:
        raise ValidationError({"to_owner": TRANSFER_TO_INACTIVE})
    if not customer_owners().filter(pk=to_owner.pk).exists():
        raise ValidationError({"to_owner": TRANSFER_TO_NON_OWNER})
    pks = {c.pk for c in customers}
    allowed = Customer.objects.visible_to(actor, "change").filter(pk__in=pks).count()
    if allowed != len(pks):
        raise PermissionDenied(TRANSFER_OUT_OF_SCOPE)


@transaction.atomic
def customer_transfer(*, actor: Any, customers: list[Customer], to_owner: Any, reason: str) -> int:
    """Give customers to another owner (转移) with a reason; contacts follow the customer, registered hooks move
    what else follows (open opportunities). Needs ``customers.transfer_customer`` and scope on each customer.
    Returns how many changed owner; the new owner is notified."""
    _check_transfer(actor, customers, to_owner, reason)
    now = timezone.now()
    moved, logs, from_owners = [], [], {}
    for customer in Customer.objects.filter(pk__in=[c.pk for c in customers]).select_related("owner"):
        if customer.owner_id == to_owner.pk:
            continue
        from_owners[customer.pk] = customer.owner
        customer.previous_owner = customer.owner
        customer.owner, customer.owner_unit, customer.owner_since = to_owner, _unit_of(to_owner), now
        customer.recycle_warned_at = None
        record_actor(customer, actor, reason)
        customer.save(
            update_fields=["previous_owner", "owner", "owner_unit", "owner_since", "recycle_warned_at", "updated_at"]
        )
        logs.append(
            OwnershipLog(
                customer=customer,
                action=OwnershipAction.TRANSFER,
                from_owner=from_owners[customer.pk],
                to_owner=to_owner,
                reason=reason[:200],
                actor=actor,
            )
        )
        moved.append(customer)
    OwnershipLog.objects.bulk_create(logs)
    owners_changed([c.pk for c in moved])
    for hook in transfer_hooks():
        hook(actor=actor, customers=moved, from_owners=from_owners, to_owner=to_owner, reason=reason)
    if moved:
        _notify_transfer(actor, moved, to_owner, reason)
    return len(moved)


def _notify_transfer(actor: Any, moved: list[Customer], to_owner: Any, reason: str) -> None:
    if len(moved) == 1:
        title = _("Customer “%(name)s” was transferred to you") % {"name": moved[0].name}
        url = f"/customers/{moved[0].pk}/"
    else:
        title = _("%(count)d customers were transferred to you") % {"count": len(moved)}
        url = "/customers/?scene=mine"
    body = _("By %(actor)s. Reason: %(reason)s") % {"actor": actor, "reason": reason}
    notify(recipients=[to_owner], title=title, body=body, url=url)


#
# Contacts
#


def _check_contact_mobile(mobile: str | None, customer: Customer, exclude_pk: int | None = None) -> None:
    """An exact mobile hit anywhere in the archive (another customer's or this one's other contact) blocks."""
    if not mobile:
        return
    others = Contact.objects.filter(mobile=mobile).select_related("customer__owner")
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        owner = other.customer.owner
        hit = DuplicateHit(
            customer_id=other.customer_id,
            customer_name=other.customer.name,
            matched_on="mobile",
            owner_name=str(owner) if owner else "",
            in_pool=owner is None,
            exact=True,
        )
        raise ValidationError({"mobile": _duplicate_error(hit, [hit])})


@transaction.atomic
def contact_create(*, actor: Any, customer: Customer, data: dict[str, Any]) -> Contact:
    """Add a contact to a customer the actor may change; the mobile must be valid and new to the archive."""
    _require(actor, "customers.add_contact")
    _require_change(actor, customer)
    contact = Contact(customer=customer, **_normalise_contact(data))
    contact.full_clean(validate_constraints=False)
    _check_contact_mobile(contact.mobile, customer)
    if contact.is_primary:
        customer.contacts.filter(is_primary=True).update(is_primary=False)
    record_actor(contact, actor)
    _save_guarded(contact)
    return contact


@transaction.atomic
def contact_update(*, actor: Any, contact: Contact, data: dict[str, Any]) -> Contact:
    """Change a contact of a customer the actor may change; the same checks as on create."""
    _require(actor, "customers.change_contact")
    _require_change(actor, contact.customer)
    clean = _normalise_contact(data)
    if "mobile" in clean and clean["mobile"] != contact.mobile:
        _check_contact_mobile(clean["mobile"], contact.customer, exclude_pk=contact.pk)
    if clean.get("is_primary"):
        contact.customer.contacts.exclude(pk=contact.pk).filter(is_primary=True).update(is_primary=False)
    record_actor(contact, actor)
    try:
        with transaction.atomic():
            model_update(instance=contact, fields=CONTACT_FIELDS, data=clean)
    except IntegrityError as exc:
        raise ValidationError(DUPLICATE_CONSTRAINT, code="duplicate") from exc
    return contact


#
# Needs
#


@transaction.atomic
def need_create(*, actor: Any, customer: Customer, content: str) -> CustomerNeed:
    """Record a need the customer stated (客户需求) on a customer the actor may change."""
    _require(actor, "customers.add_customerneed")
    _require_change(actor, customer)
    need = CustomerNeed(customer=customer, content=(content or "").strip(), recorded_by=actor)
    need.full_clean()
    need.save()
    return need


@transaction.atomic
def need_set_status(*, actor: Any, need: CustomerNeed, status: str) -> CustomerNeed:
    """Mark a need met, dropped or open again."""
    _require(actor, "customers.change_customerneed")
    _require_change(actor, need.customer)
    if status not in NeedStatus.values:
        raise ValidationError({"status": _("Choose a valid status.")})
    if need.status != status:
        need.status = status
        need.save(update_fields=["status", "updated_at"])
    return need


#
# Follow-ups
#


def _check_follow_up_times(occurred_at: Any, next_contact_at: Any) -> None:
    if occurred_at and occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"occurred_at": FOLLOW_UP_IN_FUTURE})
    if occurred_at and next_contact_at and next_contact_at <= occurred_at:
        raise ValidationError({"next_contact_at": NEXT_CONTACT_BEFORE_FOLLOW_UP})


@transaction.atomic
def follow_up_create(*, actor: Any, customer: Customer, data: dict[str, Any]) -> FollowUp:
    """Record a follow-up (跟进) on a customer the actor may change and update the customer's last follow-up,
    its summary and next contact (clearing a recycle warning). Refused in the future or with a next contact
    before it. A back-dated follow-up older than the latest one does not move the customer's dates."""
    _require(actor, "customers.add_followup")
    _require_change(actor, customer)
    if customer.owner_id is None:
        raise ValidationError(CUSTOMER_IN_POOL)
    clean = {k: v for k, v in data.items() if k in FOLLOW_UP_FIELDS}
    clean.setdefault("occurred_at", timezone.now())
    _check_follow_up_times(clean["occurred_at"], clean.get("next_contact_at"))
    contact = clean.get("contact")
    if contact is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": _("Choose a contact of this customer.")})
    follow_up = FollowUp(customer=customer, author=actor, **clean)
    follow_up.full_clean()
    follow_up.save()
    latest = customer.last_follow_up_at
    if latest is None or follow_up.occurred_at >= latest:
        values = {
            "last_follow_up_at": follow_up.occurred_at,
            "last_follow_up_summary": follow_up.content[:200],
            "next_contact_at": follow_up.next_contact_at,
            "recycle_warned_at": None,
            "updated_at": timezone.now(),
        }
        # A plain update: the follow-up is the record of this change, the customer's history stays readable.
        Customer.objects.filter(pk=customer.pk).update(**values)
        for key, value in values.items():
            setattr(customer, key, value)
    return follow_up


@transaction.atomic
def customer_mark_won(*, actor: Any, customer: Customer, reason: str = "") -> Customer:
    """成交: the customer has an approved contract; it becomes active and is never recycled to the pool again.

    Called by sales when a contract is approved (the approver may not otherwise change the customer, so no scope
    check here: the contract's approval is the authority)."""
    changes = {"deal_status": DealStatus.WON, "lifecycle": Lifecycle.ACTIVE}
    if all(getattr(customer, field) == value for field, value in changes.items()):
        return customer
    for field, value in changes.items():
        setattr(customer, field, value)
    record_actor(customer, actor, reason)
    customer.save(update_fields=[*changes, "updated_at"])
    return customer
