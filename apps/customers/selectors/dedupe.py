"""查重: the duplicate check used on create, import and lead conversion (CONVENTIONS-CN §1 row 12).

USCC and mobile match exactly after normalisation; names match fuzzily after brackets, spaces, full-width
characters and common company suffixes are normalised. A hit shows only who owns the record (or that it lies
in the public pool); the other fields are masked, since the user may not be allowed to see them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from apps.core.validators import normalize_mobile
from apps.customers.models import Contact, Customer

# Suffixes that do not tell two companies apart ("华信科技有限公司" = "华信科技").
_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "集团",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "ltd.",
    "ltd",
)
_NOISE = re.compile(r"[\s()（）\[\]【】「」<>《》·.,，、\-_/]+")


def name_key(name: str) -> str:
    """Return the comparison key of a customer name: NFKC (full-width → half-width), lower case, no brackets,
    spaces or punctuation, no legal-form suffix."""
    # Noise first, so that a bracketed suffix ("华信科技（有限公司）") is stripped like a plain one.
    key = _NOISE.sub("", unicodedata.normalize("NFKC", name or "").lower())
    stripped = True
    while stripped:  # "…集团有限公司" loses both forms, so it matches "…集团" and "…有限公司"
        stripped = False
        for suffix in _SUFFIXES:
            plain = _NOISE.sub("", suffix)
            if key.endswith(plain) and len(key) > len(plain) + 1:
                key, stripped = key[: -len(plain)], True
                break
    return key


def normalize_uscc(value: str | None) -> str:
    return unicodedata.normalize("NFKC", value or "").strip().upper()


def mask_mobile(mobile: str) -> str:
    """138****8000: personal numbers are masked for anyone but the owner (PIPL)."""
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) == 11 else "****"


@dataclass(frozen=True)
class DuplicateHit:
    customer_id: int
    customer_name: str
    matched_on: str  # "uscc", "mobile" or "name"
    owner_name: str  # "" when the customer lies in the public pool
    in_pool: bool
    exact: bool  # exact hits (USCC, mobile) block; a similar name only warns


def _hit(customer: Customer, matched_on: str) -> DuplicateHit:
    owner = customer.owner
    return DuplicateHit(
        customer_id=customer.pk,
        customer_name=customer.name,
        matched_on=matched_on,
        owner_name=str(owner) if owner else "",
        in_pool=owner is None,
        exact=matched_on != "name",
    )


def find_duplicates(
    *, name: str = "", uscc: str | None = None, mobiles: list[str] | None = None, exclude_pk: int | None = None
) -> list[DuplicateHit]:
    """Return the customers (in or out of the user's scope, and in the pool) that look like the one described."""
    hits: dict[tuple[int, str], DuplicateHit] = {}
    base = Customer.objects.select_related("owner")
    if exclude_pk:
        base = base.exclude(pk=exclude_pk)
    code = normalize_uscc(uscc)
    if code:
        for customer in base.filter(uscc=code)[:5]:
            hits[(customer.pk, "uscc")] = _hit(customer, "uscc")
    numbers = [n for n in (normalize_mobile(m) for m in (mobiles or [])) if n]
    if numbers:
        contacts = Contact.objects.filter(mobile__in=numbers).select_related("customer__owner")
        if exclude_pk:
            contacts = contacts.exclude(customer_id=exclude_pk)
        for contact in contacts[:5]:
            hits[(contact.customer_id, "mobile")] = _hit(contact.customer, "mobile")
    key = name_key(name)
    if len(key) >= 2:
        # Long keys also match as a part ("华信智能" finds "上海华信智能"); short ones only exactly.
        similar = Q(name_key=key) | Q(name_key__contains=key) if len(key) >= 4 else Q(name_key=key)
        for customer in base.filter(similar)[:5]:
            hits.setdefault((customer.pk, "name"), _hit(customer, "name"))
    return sorted(hits.values(), key=lambda h: (not h.exact, h.customer_id))


def duplicate_context(hit: DuplicateHit) -> dict[str, Any]:
    """What a duplicate warning may show: the customer's name, what matched, and who owns it — nothing else."""
    return {"name": hit.customer_name, "matched_on": hit.matched_on, "owner": hit.owner_name, "in_pool": hit.in_pool}
