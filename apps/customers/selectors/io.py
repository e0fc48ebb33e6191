"""Reads for Excel import and export of customers: the sheet columns, the duplicate keys already in the archive,
and the rows an export may contain (always within ``visible_to``; mobiles masked unless the customer is mine)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from apps.core.excel import DATE, Column
from apps.customers.choices import CustomerLevel, CustomerSource, DealStatus, Industry, Lifecycle
from apps.customers.models import Contact, Customer
from apps.customers.selectors.dedupe import mask_mobile

# The import template, in this order; the reader maps them by header name, so the order is only a suggestion.
IMPORT_COLUMNS = [
    Column("name", _("Customer name"), required=True, width=32),
    Column("uscc", _("Unified social credit code"), width=24),
    Column("level", _("Customer level"), choices=CustomerLevel.choices, width=20),
    Column("source", _("Customer source"), choices=CustomerSource.choices),
    Column("industry", _("Industry"), choices=Industry.choices),
    Column("province", _("Province"), width=12),
    Column("city", _("City"), width=12),
    Column("district", _("District"), width=12),
    Column("address", _("Address"), width=32),
    Column("contact_name", _("Contact"), width=12),
    Column("mobile", _("Mobile"), width=15),
    Column("phone", _("Telephone"), width=15),
    Column("email", _("Email"), width=24),
    Column("title", _("Job title"), width=12),
    Column("remarks", _("Remarks"), width=32),
]
ROW_COLUMN = Column("row", _("Row"), width=8)
REASON_COLUMN = Column("reason", _("Reason"), width=60)

EXPORT_COLUMNS = [
    Column("code", _("Customer number"), width=14),
    Column("name", _("Customer name"), width=32),
    Column("uscc", _("Unified social credit code"), width=24),
    Column("level", _("Customer level"), choices=CustomerLevel.choices, width=20),
    Column("source", _("Customer source"), choices=CustomerSource.choices),
    Column("industry", _("Industry"), choices=Industry.choices),
    Column("lifecycle", _("Lifecycle stage"), choices=Lifecycle.choices),
    Column("deal_status", _("Deal status"), choices=DealStatus.choices),
    Column("province", _("Province"), width=12),
    Column("city", _("City"), width=12),
    Column("district", _("District"), width=12),
    Column("address", _("Address"), width=32),
    Column("phone", _("Telephone"), width=15),
    Column("contact_name", _("Primary contact"), width=12),
    Column("mobile", _("Mobile"), width=15),
    Column("owner", _("Owner"), width=12),
    Column("owner_unit", _("Department"), width=16),
    Column("last_follow_up_at", _("Last follow-up"), kind=DATE, width=14),
    Column("next_contact_at", _("Next contact"), kind=DATE, width=14),
    Column("created_at", _("Created at"), kind=DATE, width=14),
    Column("remarks", _("Remarks"), width=32),
]
# The filters of the archive list an export "of the current filter" understands (archive.customer_list).
CHUNK = 500


@dataclass
class ExistingKeys:
    """What the archive already holds of the keys a file uses, with the customer each belongs to."""

    usccs: dict[str, Customer] = field(default_factory=dict)
    mobiles: dict[str, Customer] = field(default_factory=dict)
    names: dict[str, Customer] = field(default_factory=dict)


def _chunks(values: Iterable[str]) -> Iterator[list[str]]:
    items = sorted(set(values))
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def existing_keys(*, usccs: Iterable[str], mobiles: Iterable[str], name_keys: Iterable[str]) -> ExistingKeys:
    """Load once, in a few queries, which of a file's USCCs, mobiles and name keys the archive already has —
    in or out of the importer's scope and in the pool, as the duplicate check requires."""
    found = ExistingKeys()
    base = Customer.objects.select_related("owner").only(
        "id", "name", "uscc", "name_key", "owner__name", "owner__username"
    )
    for chunk in _chunks(usccs):
        found.usccs.update({str(c.uscc): c for c in base.filter(uscc__in=chunk)})
    for chunk in _chunks(name_keys):
        found.names.update({str(c.name_key): c for c in base.filter(name_key__in=chunk)})
    for chunk in _chunks(mobiles):
        contacts = Contact.objects.filter(mobile__in=chunk).select_related("customer__owner")
        found.mobiles.update({str(c.mobile): c.customer for c in contacts})
    return found


def export_rows(*, user: Any, customers: Iterable[Customer]) -> Iterator[dict[str, Any]]:
    """One dict per customer for the sheet; the primary contact's mobile in full only for its owner (PIPL)."""
    for customer in customers:
        primary = (getattr(customer, "primary_contacts", None) or [None])[0]
        mobile = primary.mobile if primary and primary.mobile else ""
        yield {
            **{
                key: getattr(customer, key)
                for key in (
                    "code",
                    "name",
                    "uscc",
                    "level",
                    "source",
                    "industry",
                    "lifecycle",
                    "deal_status",
                    "province",
                    "city",
                    "district",
                    "address",
                    "phone",
                    "last_follow_up_at",
                    "next_contact_at",
                    "created_at",
                    "remarks",
                )
            },
            "contact_name": primary.name if primary else "",
            "mobile": mobile if customer.owner_id == user.pk else (mask_mobile(mobile) if mobile else ""),
            "owner": str(customer.owner) if customer.owner else "",
            "owner_unit": str(customer.owner_unit) if customer.owner_unit else "",
        }
