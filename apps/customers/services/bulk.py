"""The archive's bulk path (the import of many rows, issue 14): the same customers, contacts, ownership log and
history rows ``archive.customer_create`` writes, checked up front by the model fields and written a chunk at a time
through ``core.bulk`` (a few INSERTs per chunk)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from apps.core import bulk
from apps.customers.choices import OwnershipAction
from apps.customers.models import Contact, Customer, OwnershipLog
from apps.customers.selectors.dedupe import name_key
from apps.customers.selectors.search import pinyin_initials
from apps.customers.services.archive import (
    DUPLICATE_CONSTRAINT,
    _contacts_given,
    _normalise_contact,
    _normalise_customer,
    _require,
    _unit_of,
)


def customer_field_problems(data: dict[str, Any], contacts: list[dict[str, Any]] | None = None) -> dict[str, list[str]]:
    """What ``customer_create`` 's ``full_clean`` would refuse in these values, by field (a contact's fields as
    ``contact_<field>``), checked by the model fields themselves (length, choices, validators) and without a query:
    the import runs it on every row up front, so that its bulk path writes only rows the per-row path accepts."""
    problems: dict[str, list[str]] = {}
    for prefix, model, values in (
        ("", Customer, _normalise_customer(data)),
        *(("contact_", Contact, _normalise_contact(c)) for c in _contacts_given(contacts)),
    ):
        for key, value in values.items():
            model_field = model._meta.get_field(key)
            if not isinstance(model_field, models.Field) or model_field.is_relation:
                continue  # related fields (service owner, tags) are checked where they are set
            try:
                model_field.clean(value, None)  # plain fields need no instance (3 s less per 100,000 rows)
            except ValidationError as error:
                problems.setdefault(f"{prefix}{key}", []).extend(error.messages)
    return problems


def customer_bulk_create(
    *,
    actor: Any,
    items: list[tuple[dict[str, Any], list[dict[str, Any]]]],
    owner: Any,
    log_action: str = OwnershipAction.CREATE,
) -> list[Customer]:
    """``customer_create`` for many customers at once (the import): each (data, contacts) becomes the same customer,
    contacts, ownership log and history rows, in a few INSERTs through ``core.bulk``.

    The caller holds ``CREATE_LOCK``, has validated every item (``customer_field_problems``) and run the duplicate
    check for the whole batch against the archive and within it (as ``customer_create(duplicates_checked=True)``);
    the database's unique keys still guard USCC and mobile: a collision refuses the batch with the duplicate
    message. Service owners and tags are not set here (the import has neither column)."""
    _require(actor, "customers.add_customer")
    now, unit = timezone.now(), _unit_of(owner)
    customers: list[Customer] = []
    contact_sets: list[list[Contact]] = []
    for data, contacts in items:
        clean = _normalise_customer(data)
        if clean.get("service_owner") is not None or clean.get("tags"):
            raise ValueError("customer_bulk_create sets neither service owners nor tags")
        clean.pop("service_owner", None)
        clean.pop("tags", None)
        customer = Customer(**clean)
        customer.name_key = name_key(customer.name)
        customer.name_initials = pinyin_initials(customer.name)
        customer.owner, customer.owner_unit, customer.created_by = owner, unit, actor
        customer.owner_since = now if owner is not None else None
        customer.pooled_at = now if owner is None else None
        given = _contacts_given(contacts)
        built = [Contact(**_normalise_contact(c)) for c in given]
        if built and not any(c.get("is_primary") for c in given):
            built[0].is_primary = True
        customers.append(customer)
        contact_sets.append(built)
    try:
        with transaction.atomic():
            bulk.create_with_history(Customer, customers, actor=actor)
            for customer, built in zip(customers, contact_sets, strict=True):
                for contact in built:
                    contact.customer = customer
            bulk.create_with_history(Contact, [c for built in contact_sets for c in built], actor=actor)
            bulk.create(
                OwnershipLog,
                [OwnershipLog(customer=c, action=log_action, to_owner=owner, actor=actor) for c in customers],
            )
    except IntegrityError as exc:
        raise ValidationError(DUPLICATE_CONSTRAINT, code="duplicate") from exc
    return customers


def customer_service_owners_fill(staff: list[Any]) -> list[int]:
    """Give every owned customer without a service owner one of ``staff``, stable by the customer's id (the demo
    company's customer service team, its past assignment: no history row); return the customers' ids. The tickets'
    sharing keys follow through the owner-change hooks' bulk counterpart, which the caller runs."""
    if not staff:
        return []
    missing = list(Customer.objects.filter(owner__isnull=False, service_owner__isnull=True).order_by("pk"))
    for customer in missing:
        customer.service_owner = staff[customer.pk % len(staff)]
    bulk.update(Customer, missing, ["service_owner"])
    return [c.pk for c in missing]
