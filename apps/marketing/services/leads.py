"""Writes to leads (线索): create and edit, the status pipeline, the lead pool (claim), handover to a named sales
person and the one-time conversion into a customer (policy arts. 5, 8: market development hands leads to sales,
who converts them; the attribution to campaign and plan stays on the lead)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_update, notify
from apps.core.validators import normalize_mobile
from apps.customers.choices import CustomerSource, Industry, OwnershipAction
from apps.customers.models import Customer
from apps.customers.selectors.dedupe import DuplicateHit, find_duplicates, normalize_uscc
from apps.customers.services.archive import check_duplicates, contact_create, customer_create
from apps.marketing.choices import LeadSource, LeadStatus
from apps.marketing.models import Lead
from apps.marketing.models.leads import LEAD_STATUS_MOVES, LEAD_WORKFLOW, LeadRole
from apps.marketing.selectors.leads import has_wide_scope, lead_roles, sales_people
from apps.org.models import User

S = LeadStatus
# Read from the one table ``LEAD_WORKFLOW``: which status may follow which through ``lead_set_status`` (handed_over
# is reached only by ``lead_handover`` and converted only by ``lead_convert``), and where those two may start.
LEAD_TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: tuple(steps[move].target for move in LEAD_STATUS_MOVES if move in steps)  # type: ignore[misc]
    for status, steps in LEAD_WORKFLOW.items()
}
HANDOVER_FROM = tuple(status for status, steps in LEAD_WORKFLOW.items() if "handover" in steps)
CONVERT_FROM = tuple(status for status, steps in LEAD_WORKFLOW.items() if "convert" in steps)

LEAD_FIELDS = [
    "source",
    "campaign",
    "research",
    "plan",
    "company_name",
    "uscc",
    "contact_name",
    "mobile",
    "phone",
    "email",
    "contact_title",
    "industry",
    "region",
    "notes",
]
# Where a duplicate hit of the customer archive shows on the lead form.
_HIT_FIELDS = {"uscc": "uscc", "mobile": "mobile", "name": "company_name"}

STATUS_NOT_ALLOWED = gettext_lazy("A lead cannot go from “%(old)s” to “%(new)s”.")
INVALID_NEEDS_REASON = gettext_lazy("Give the reason why the lead is invalid.")
LEAD_NOT_IN_POOL = gettext_lazy("This lead is not in the lead pool any more.")
HANDOVER_NOT_QUALIFIED = gettext_lazy("Only a qualified lead can be handed over to sales; qualify it first.")
HANDOVER_NOT_SALES = gettext_lazy("Leads can only be handed over to an active employee of a sales department.")
HANDOVER_NOTHING = gettext_lazy("Choose at least one lead to hand over.")
LEAD_ALREADY_CONVERTED = gettext_lazy("This lead has already been converted; a lead converts only once.")
CONVERT_NOT_QUALIFIED = gettext_lazy("Only a qualified or handed-over lead can be converted.")
CONVERT_DUPLICATE = gettext_lazy(
    "The customer “%(name)s” (%(owner)s) already has this mobile number: merge the lead into it instead."
)
MERGE_NOT_A_DUPLICATE = gettext_lazy("Merge only into one of the customers the duplicate check found.")
MERGE_NOT_PERMITTED = gettext_lazy(
    "You may not add contacts to “%(name)s”; ask its owner or your manager to merge the lead."
)
DUPLICATE_LEAD = gettext_lazy("An open lead with this mobile number already exists (%(owner)s).")
OWNER_LABEL = gettext_lazy("owner: %(owner)s")
IN_POOL_LABEL = gettext_lazy("in the lead pool")

# Hooks run after a conversion, in its transaction: ``fn(actor=, lead=, customer=, options=)``. The sales app
# registers one that creates the opportunity (商机) when ``options`` asks for it.
ConversionHook = Callable[..., None]
_conversion_hooks: list[ConversionHook] = []


def register_conversion_hook(fn: ConversionHook) -> None:
    if fn not in _conversion_hooks:
        _conversion_hooks.append(fn)


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _require_change(actor: User, lead: Lead) -> None:
    if not can(actor, "change", lead):
        raise PermissionDenied


def may_convert(user: Any, lead: Lead) -> bool:
    """Converting is for the owner or a manager in scope, and for the sales person the lead was handed to (the
    one thing sharing gives beyond seeing it: the handed-over lead is theirs to turn into a customer)."""
    return LeadRole.CONVERTER in lead_roles(user, lead)


def _save(lead: Lead, actor: User, fields: list[str], reason: str = "") -> None:
    record_actor(lead, actor, reason)
    lead.full_clean()
    lead.save(update_fields=[*fields, "updated_at"])


def _lead_url(lead: Lead) -> str:
    return reverse("marketing:lead_detail", args=[lead.pk])


#
# Create and edit
#


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    clean = {k: v for k, v in data.items() if k in LEAD_FIELDS}
    if "mobile" in clean:
        clean["mobile"] = normalize_mobile(clean["mobile"] or "")
    if "uscc" in clean:
        clean["uscc"] = normalize_uscc(clean["uscc"])
    for key in ("company_name", "contact_name"):
        if key in clean:
            clean[key] = (clean[key] or "").strip()
    for key in LEAD_FIELDS:
        if key in clean and clean[key] is None and key not in ("campaign", "research", "plan"):
            clean[key] = ""
    return clean


def _check_duplicate_lead(mobile: str, exclude_pk: int | None = None) -> None:
    """Another open lead with the same mobile blocks (its owner is named, nothing else)."""
    if not mobile:
        return
    open_leads = Lead.objects.filter(mobile=mobile).exclude(status__in=[S.INVALID, S.CONVERTED])
    if exclude_pk:
        open_leads = open_leads.exclude(pk=exclude_pk)
    other = open_leads.select_related("owner").first()
    if other is not None:
        label = OWNER_LABEL % {"owner": other.owner} if other.owner else IN_POOL_LABEL
        raise ValidationError({"mobile": DUPLICATE_LEAD % {"owner": label}}, code="duplicate")


def _check_customers(lead: Lead, allow_similar_name: bool) -> list[DuplicateHit]:
    """The customer archive's duplicate check (查重) on the lead: a customer with the same USCC or a contact with
    the same mobile blocks, a customer with a similar name blocks unless ``allow_similar_name`` (the user has
    confirmed). The error names the customer and its owner only, on the field that matched, and carries all the
    hits (``error.duplicates``) for the form to list. Return the hits that only warned."""
    try:
        return check_duplicates(
            name=lead.company_name,
            uscc=lead.uscc or None,
            mobiles=[lead.mobile] if lead.mobile else [],
            allow_similar_name=allow_similar_name,
        )
    except ValidationError as error:
        hits = getattr(error, "duplicates", [])  # exact hits first: the one the message names
        field = _HIT_FIELDS.get(hits[0].matched_on, "company_name") if hits else "company_name"
        on_field = ValidationError({field: error.error_list})
        on_field.duplicates = hits  # type: ignore[attr-defined]
        raise on_field from error


@transaction.atomic
def lead_create(*, actor: User, data: dict[str, Any], to_pool: bool = False, allow_similar_name: bool = False) -> Lead:
    """Create a lead owned by the actor (or, with ``to_pool``, in the lead pool of the actor's department).

    The mobile is normalised and validated; an open lead with the same mobile is refused, and so is a lead the
    customer archive already holds (same USCC or mobile; a similar name unless ``allow_similar_name``). A lead
    from a campaign inherits the campaign's plan unless one is given."""
    _require(actor, "marketing.add_lead")
    clean = _normalise(data)
    lead = Lead(**clean)
    if lead.campaign is not None and not lead.plan_id:
        lead.plan_id = lead.campaign.plan_id
    if lead.research_id and not lead.source:
        lead.source = LeadSource.RESEARCH
    lead.owner = None if to_pool else actor
    lead.owner_unit_id = user_scope(actor).unit_id  # type: ignore[assignment]
    lead.created_by = actor
    lead.full_clean()
    _check_duplicate_lead(lead.mobile)
    _check_customers(lead, allow_similar_name)
    record_actor(lead, actor)
    lead.save()
    return lead


@transaction.atomic
def lead_update(*, actor: User, lead: Lead, data: dict[str, Any], allow_similar_name: bool = False) -> Lead:
    """Change a lead's details (not its status); a converted lead is closed to edits of its attribution. When the
    company, USCC or mobile of an open lead changes, the customer archive's duplicate check runs again."""
    _require_change(actor, lead)
    clean = _normalise(data)
    if lead.status == S.CONVERTED:
        for key in ("campaign", "plan", "research", "source"):
            clean.pop(key, None)
    if clean.get("mobile") and clean["mobile"] != lead.mobile:
        _check_duplicate_lead(clean["mobile"], exclude_pk=lead.pk)
    identity = ("company_name", "uscc", "mobile")
    changed = any(key in clean and clean[key] != getattr(lead, key) for key in identity)
    if changed and lead.status != S.CONVERTED and lead.customer_id is None:
        _check_customers(Lead(**{key: clean.get(key, getattr(lead, key)) for key in identity}), allow_similar_name)
    model_update(instance=lead, fields=LEAD_FIELDS, data=clean, actor=actor)
    return lead


#
# Status, pool
#


@transaction.atomic
def lead_set_status(*, actor: User, lead: Lead, status: str, reason: str = "") -> Lead:
    """Move a lead along ``LEAD_TRANSITIONS``; "invalid" needs a reason. Qualifying stamps ``qualified_at``."""
    _require_change(actor, lead)
    if status not in LEAD_TRANSITIONS.get(lead.status, ()):
        raise ValidationError(
            {
                "status": STATUS_NOT_ALLOWED
                % {"old": lead.get_status_display(), "new": dict(S.choices).get(status, status)}
            },
            code="transition",
        )
    reason = (reason or "").strip()
    if status == S.INVALID and not reason:
        raise ValidationError({"reason": INVALID_NEEDS_REASON}, code="reason_required")
    fields = ["status"]
    lead.status = status
    if status == S.QUALIFIED and lead.qualified_at is None:
        lead.qualified_at = timezone.now()
        fields.append("qualified_at")
    if status == S.INVALID:
        lead.invalid_reason = reason[:200]
        fields.append("invalid_reason")
    _save(lead, actor, fields, reason)
    return lead


@transaction.atomic
def lead_mark_invalid(*, actor: User, lead: Lead, reason: str) -> Lead:
    return lead_set_status(actor=actor, lead=lead, status=S.INVALID, reason=reason)


@transaction.atomic
def lead_claim(*, actor: User, lead: Lead) -> Lead:
    """Take a lead from the lead pool: the actor becomes its owner (their department its department)."""
    _require(actor, "marketing.claim_lead")
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.owner_id is not None:
        raise ValidationError(LEAD_NOT_IN_POOL, code="not_in_pool")
    if LeadRole.CLAIMER not in lead_roles(actor, locked):  # a pool the actor does not see
        raise PermissionDenied
    lead.owner = actor
    lead.owner_unit_id = user_scope(actor).unit_id  # type: ignore[assignment]
    _save(lead, actor, ["owner", "owner_unit"], _("Claimed from the lead pool"))
    return lead


#
# Handover to sales
#


def _check_sales_person(to_user: Any) -> None:
    if to_user is None or not sales_people().filter(pk=to_user.pk).exists():
        raise ValidationError({"to_user": HANDOVER_NOT_SALES}, code="not_sales")


def _hand_over(actor: User, lead: Lead, to_user: Any, note: str) -> None:
    lead.status = S.HANDED_OVER
    lead.handed_to = to_user
    lead.handed_at = timezone.now()
    lead.handover_note = (note or "").strip()
    _save(
        lead,
        actor,
        ["status", "handed_to", "handed_at", "handover_note"],
        _("Handed over to %(name)s") % {"name": to_user},
    )


@transaction.atomic
def lead_handover(*, actor: User, lead: Lead, to_user: Any, note: str = "") -> Lead:
    """Hand a qualified lead to a named sales person (an active employee of a sales department) with a note, and
    notify them. The owner keeps seeing the lead; the sales person sees it from now on (``shared_with``)."""
    _require(actor, "marketing.handover_lead")
    _require_change(actor, lead)
    if lead.status not in HANDOVER_FROM:
        raise ValidationError(HANDOVER_NOT_QUALIFIED, code="not_qualified")
    _check_sales_person(to_user)
    _hand_over(actor, lead, to_user, note)
    notify(
        recipients=[to_user],
        title=_("Lead handed over to you: %(lead)s") % {"lead": lead},
        body=lead.handover_note or _("From %(name)s") % {"name": actor},
        url=_lead_url(lead),
    )
    return lead


@transaction.atomic
def lead_bulk_handover(*, actor: User, leads: list[Lead], to_user: Any, note: str = "") -> tuple[int, int]:
    """A manager hands several leads to one sales person at once (one notification); leads that are not
    qualified are skipped. Return (handed over, skipped)."""
    _require(actor, "marketing.handover_lead")
    if not has_wide_scope(actor):
        raise PermissionDenied
    if not leads:
        raise ValidationError(HANDOVER_NOTHING)
    _check_sales_person(to_user)
    handed = 0
    for lead in leads:
        if lead.status in HANDOVER_FROM and can(actor, "change", lead):
            _hand_over(actor, lead, to_user, note)
            handed += 1
    if handed:
        notify(
            recipients=[to_user],
            title=_("%(count)d leads handed over to you") % {"count": handed},
            body=note or _("From %(name)s") % {"name": actor},
            url=reverse("marketing:lead_list") + "?scene=handed_to_me",
        )
    return handed, len(leads) - handed


#
# Conversion
#


def _customer_data(lead: Lead) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = [p for p in (lead.region or "").replace("/", " ").split() if p]
    data = {
        "name": lead.company_name,
        "source": CustomerSource.LEAD_CONVERSION,
        "industry": lead.industry if lead.industry in Industry.values else "",
        "province": parts[0] if parts else "",
        "city": parts[1] if len(parts) > 1 else "",
        "phone": lead.phone,
        "remarks": lead.notes,
        "uscc": lead.uscc or None,
    }
    contact = {
        "name": lead.contact_name,
        "mobile": lead.mobile or None,
        "phone": lead.phone,
        "email": lead.email,
        "title": lead.contact_title,
        "is_primary": True,
    }
    return data, contact


def _merge(actor: User, lead: Lead, merge_into: Customer, hits: list[Any]) -> Customer:
    """Merge the lead into an existing customer found by the duplicate check; add the contact unless the
    customer already has its mobile."""
    if merge_into.pk not in {h.customer_id for h in hits}:
        raise ValidationError(MERGE_NOT_A_DUPLICATE, code="not_a_duplicate")
    if lead.mobile and merge_into.contacts.filter(mobile=lead.mobile).exists():
        return merge_into
    _, contact = _customer_data(lead)
    contact["is_primary"] = False
    try:
        contact_create(actor=actor, customer=merge_into, data=contact)
    except PermissionDenied as exc:
        raise ValidationError(MERGE_NOT_PERMITTED % {"name": merge_into.name}, code="merge_not_permitted") from exc
    return merge_into


def _create_customer(actor: User, lead: Lead, hits: list[Any], allow_similar_name: bool) -> Customer:
    exact = [h for h in hits if h.exact]
    if exact:
        hit = exact[0]
        owner = str(IN_POOL_LABEL) if hit.in_pool else str(OWNER_LABEL) % {"owner": hit.owner_name}
        error = ValidationError(CONVERT_DUPLICATE % {"name": hit.customer_name, "owner": owner}, code="duplicate")
        error.duplicates = hits  # type: ignore[attr-defined]
        raise error
    data, contact = _customer_data(lead)
    return customer_create(
        actor=actor,
        data=data,
        contacts=[contact],
        owner=actor,
        allow_similar_name=allow_similar_name,
        log_action=OwnershipAction.CONVERT,
    )


@transaction.atomic
def lead_convert(
    *,
    actor: User,
    lead: Lead,
    merge_into: Customer | None = None,
    allow_similar_name: bool = False,
    options: dict[str, Any] | None = None,
) -> Customer:
    """Convert a lead, once only, into a customer and contact owned by the actor — or, when the duplicate check
    finds the customer already, merge it into that customer (the user's choice). Only the owner, the sales
    person it was handed to or a manager in scope may. Campaign and plan stay on the lead (attribution)."""
    _require(actor, "marketing.convert_lead")
    locked = Lead.objects.select_for_update().get(pk=lead.pk)
    if locked.customer_id or locked.status == S.CONVERTED:
        raise ValidationError(LEAD_ALREADY_CONVERTED, code="already_converted")
    if not may_convert(actor, locked):
        raise PermissionDenied
    if lead.status not in CONVERT_FROM:
        raise ValidationError(CONVERT_NOT_QUALIFIED, code="not_qualified")
    hits = find_duplicates(name=lead.company_name, uscc=lead.uscc or None, mobiles=[lead.mobile] if lead.mobile else [])
    if merge_into is not None:
        customer = _merge(actor, lead, merge_into, hits)
    else:
        customer = _create_customer(actor, lead, hits, allow_similar_name)
    now = timezone.now()
    lead.customer, lead.converted_at, lead.converted_by, lead.status = customer, now, actor, S.CONVERTED
    fields = ["customer", "converted_at", "converted_by", "status"]
    if lead.qualified_at is None:
        lead.qualified_at = now
        fields.append("qualified_at")
    _save(lead, actor, fields, _("Converted into customer %(name)s") % {"name": customer})
    for hook in list(_conversion_hooks):
        hook(actor=actor, lead=lead, customer=customer, options=options or {})
    return customer
