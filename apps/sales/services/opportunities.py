"""Writes to opportunities (商机): create (from a customer in scope or from a converted lead, with attribution),
edit with product lines, move through the stages with a history of time spent, follow a transferred customer,
and the win probability per stage (赢单率) set by the sales manager."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can, user_scope
from apps.core.services import model_update
from apps.org.models import User
from apps.sales.choices import CLOSED_STAGES, OPEN_STAGES, OpportunityStage
from apps.sales.models import Opportunity, OpportunityLine, OpportunityStageChange, StageSetting
from apps.sales.models.pipeline import STAGE_BITS, STAGE_MOVES, STAGE_NEEDS_REASON

OPPORTUNITY_FIELDS = [
    "name",
    "customer",
    "contact",
    "amount",
    "expected_close_date",
    "next_action",
    "next_action_on",
    "description",
    "campaign",
    "source_lead",
]
CUSTOMER_NOT_IN_SCOPE = gettext_lazy("You may only create opportunities for customers you can see.")
CONTACT_NOT_OF_CUSTOMER = gettext_lazy("The contact must belong to the opportunity's customer.")
REASON_REQUIRED = gettext_lazy("Give the reason why the opportunity is lost or invalid.")
ALREADY_CLOSED = gettext_lazy("This opportunity is closed (%(stage)s); it cannot move any more.")
SAME_STAGE = gettext_lazy("The opportunity is already in this stage.")
UNKNOWN_STAGE = gettext_lazy("Unknown stage.")
CLOSED_NOT_EDITABLE = gettext_lazy("A closed opportunity cannot be edited.")
NEGATIVE_AMOUNT = gettext_lazy("The amount cannot be negative.")


def _require(actor: User, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def opportunity_stages_reached_sync(*, opportunity_ids: Iterable[int] | None = None) -> int:
    """Recompute ``Opportunity.stages_reached`` from the stage history (the sum of the distinct bits of the stages
    moved to), in one UPDATE: for the given opportunities, or all. For bulk loads, which write stage changes
    without their ``save``. Returns how many opportunities were updated."""
    bit = Case(
        *(When(to_stage=stage, then=Value(value)) for stage, value in STAGE_BITS.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    reached = (
        OpportunityStageChange.objects.filter(opportunity=OuterRef("pk"))
        .order_by()
        .values("opportunity")
        .annotate(bits=Sum(bit, distinct=True))
        .values("bits")
    )
    opportunities = Opportunity.objects.all()
    if opportunity_ids is not None:
        opportunities = opportunities.filter(pk__in=list(opportunity_ids))
    return opportunities.update(stages_reached=Coalesce(Subquery(reached[:1]), Value(0)))


def _save(opp: Opportunity, actor: User, reason: str = "", fields: list[str] | None = None) -> None:
    record_actor(opp, actor, reason)
    opp.full_clean()
    opp.save(update_fields=[*fields, "updated_at"] if fields else None)


def _check_customer(actor: User, data: dict[str, Any]) -> None:
    customer = data.get("customer")
    if customer is not None and not can(actor, "view", customer):
        raise ValidationError({"customer": CUSTOMER_NOT_IN_SCOPE}, code="customer_scope")
    contact = data.get("contact")
    if contact is not None and customer is not None and contact.customer_id != customer.pk:
        raise ValidationError({"contact": CONTACT_NOT_OF_CUSTOMER}, code="contact")


def _set_lines(opp: Opportunity, lines: list[dict[str, Any]] | None) -> None:
    """Replace the product lines; the unit price defaults to the list price; the amount becomes their sum (a typed
    amount stays when there are no lines)."""
    if lines is None:
        return
    opp.lines.all().delete()
    rows = []
    for line in lines:
        product = line["product"]
        price = line.get("unit_price")
        row = OpportunityLine(
            opportunity=opp,
            product=product,
            quantity=line.get("quantity") or Decimal(1),
            unit_price=product.list_price if price in (None, "") else price,
            discount_pct=line.get("discount_pct") or Decimal(0),
        )
        row.full_clean(exclude=["opportunity"])
        rows.append(row)
    OpportunityLine.objects.bulk_create(rows)
    if rows:
        opp.amount = sum((r.amount for r in rows), Decimal(0))
        opp.save(update_fields=["amount", "updated_at"])


def _create(actor: User, data: dict[str, Any], lines: list[dict[str, Any]] | None, owner: Any) -> Opportunity:
    clean = {k: v for k, v in data.items() if k in OPPORTUNITY_FIELDS}
    if clean.get("amount") is not None and clean["amount"] < 0:
        raise ValidationError({"amount": NEGATIVE_AMOUNT})
    opp = Opportunity(
        **clean, owner=owner, created_by=actor, stage=OpportunityStage.INITIAL, stage_changed_at=timezone.now()
    )
    opp.owner_unit_id = cast(int, user_scope(owner).unit_id or getattr(clean.get("customer"), "owner_unit_id", None))
    _save(opp, actor, _("Created"))
    _set_lines(opp, lines)
    OpportunityStageChange.objects.create(opportunity=opp, from_stage="", to_stage=opp.stage, changed_by=actor)
    return opp


@transaction.atomic
def opportunity_create(
    *, actor: User, data: dict[str, Any], lines: list[dict[str, Any]] | None = None, owner: Any = None
) -> Opportunity:
    """Create an opportunity owned by the actor (or ``owner``) for a customer in the actor's scope; it starts in
    初步接洽 and its first stage change is recorded."""
    _require(actor, "sales.add_opportunity")
    _check_customer(actor, data)
    return _create(actor, data, lines, owner or actor)


@transaction.atomic
def opportunity_update(
    *, actor: User, opportunity: Opportunity, data: dict[str, Any], lines: list[dict[str, Any]] | None = None
) -> Opportunity:
    """Edit an open opportunity (owner or a manager in scope); the stage moves only through
    ``opportunity_move_stage``."""
    if not can(actor, "change", opportunity):
        raise PermissionDenied
    if not STAGE_MOVES[opportunity.stage]:  # the stage rules: a closed opportunity is not edited
        raise ValidationError(CLOSED_NOT_EDITABLE, code="closed")
    clean = {k: v for k, v in data.items() if k in OPPORTUNITY_FIELDS}
    if "customer" in clean and clean["customer"] != opportunity.customer:
        _check_customer(actor, clean)
    elif clean.get("contact") is not None:
        _check_customer(actor, {"customer": opportunity.customer, "contact": clean["contact"]})
    model_update(instance=opportunity, fields=OPPORTUNITY_FIELDS, data=clean, actor=actor)
    _set_lines(opportunity, lines)
    return opportunity


def _check_move(opportunity: Opportunity, stage: str, reason: str) -> None:
    if stage not in OpportunityStage.values:
        raise ValidationError({"stage": UNKNOWN_STAGE}, code="unknown_stage")
    moves = STAGE_MOVES[opportunity.stage]  # the stage rules' table
    if not moves:
        raise ValidationError(ALREADY_CLOSED % {"stage": opportunity.get_stage_display()}, code="closed")
    if stage not in moves:
        raise ValidationError({"stage": SAME_STAGE}, code="same_stage")
    if stage in STAGE_NEEDS_REASON and not reason.strip():
        raise ValidationError({"reason": REASON_REQUIRED}, code="reason_required")


@transaction.atomic
def opportunity_move_stage(*, actor: User, opportunity: Opportunity, stage: str, reason: str = "") -> Opportunity:
    """Move an open opportunity forward or back among the open stages, or close it as won, lost (reason
    required) or invalid (reason required). Each move records the time spent in the previous stage; winning
    sets the close date (contracts are then made from the won opportunity)."""
    if not can(actor, "change", opportunity):
        raise PermissionDenied
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    _check_move(opportunity, stage, reason)
    now = timezone.now()
    since = opportunity.stage_changed_at or opportunity.created_at or now
    seconds = max(0, int((now - since).total_seconds()))
    previous = opportunity.stage
    opportunity.stage, opportunity.stage_changed_at = stage, now
    fields = ["stage", "stage_changed_at"]
    if stage in CLOSED_STAGES:
        opportunity.closed_on, opportunity.close_reason = timezone.localdate(), reason.strip()[:200]
        fields += ["closed_on", "close_reason"]
    label = OpportunityStage(stage).label
    _save(opportunity, actor, _("Stage changed to %(stage)s") % {"stage": label}, fields)
    OpportunityStageChange.objects.create(
        opportunity=opportunity, from_stage=previous, to_stage=stage, changed_by=actor, seconds_in_previous=seconds
    )
    return opportunity


@transaction.atomic
def opportunity_create_from_lead(*, actor: User, lead: Any, customer: Any) -> Opportunity:
    """The opportunity of a converted lead: 初步接洽, owned by the converter (or the merged customer's owner),
    attributed to the lead and its campaign (policy art. 8: market development is measured by what its leads bring)."""
    name = _("%(customer)s — from lead %(lead)s") % {"customer": customer, "lead": lead.contact_name}
    contact = customer.contacts.order_by("-is_primary", "pk").first()
    data = {
        "name": name[:200],
        "customer": customer,
        "contact": contact,
        "source_lead": lead,
        "campaign": lead.campaign,
        "description": getattr(lead, "notes", "") or "",
    }
    # The conversion service has checked the converter's right; a lead merged into a customer the converter
    # cannot see gives the opportunity to that customer's owner.
    owner = actor if can(actor, "view", customer) else (customer.owner or actor)
    return _create(actor, data, None, owner)


def opportunities_follow_customer(*, actor: User, customers: list[Any], to_owner: Any) -> int:
    """Open opportunities follow their customer to the new owner (stage unchanged, CONVENTIONS-CN §1 row 31);
    closed ones stay with whoever closed them."""
    unit_id = user_scope(to_owner).unit_id
    moved = 0
    qs = Opportunity.objects.filter(customer__in=customers, stage__in=OPEN_STAGES).exclude(owner=to_owner)
    for opp in qs:
        opp.owner = to_owner
        if unit_id:
            opp.owner_unit_id = unit_id
        record_actor(opp, actor, _("Followed the customer to its new owner"))
        opp.save(update_fields=["owner", "owner_unit", "updated_at"])
        moved += 1
    return moved


@transaction.atomic
def stage_settings_update(*, actor: User, probabilities: dict[str, int]) -> None:
    """Set the win probability (%) of each stage (the sales manager's settings page)."""
    _require(actor, "sales.change_stagesetting")
    for stage, probability in probabilities.items():
        setting = StageSetting(stage=stage, probability=probability)
        setting.full_clean(validate_unique=False)
        StageSetting.objects.update_or_create(stage=stage, defaults={"probability": probability})
