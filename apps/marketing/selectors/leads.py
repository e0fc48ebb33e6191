"""Reads of leads (线索): the scoped list with its scenes (mine, the lead pool, handed to me, my department),
one lead, the sales people a lead may be handed to, and the leads a customer came from."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from apps.core import excel
from apps.core.scoping import DataScope, can, scope_q, user_scope
from apps.marketing.choices import LeadSource, LeadStatus
from apps.marketing.models import Lead, MarketPlan, MarketResearch
from apps.marketing.models.leads import LEAD_ACTIONS, LEAD_WORKFLOW, LeadRole
from apps.org.choices import DepartmentKind
from apps.org.models import User

SCENES = ("all", "mine", "pool", "handed_to_me", "department")
OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTING, LeadStatus.QUALIFIED, LeadStatus.HANDED_OVER)


def has_wide_scope(user: Any) -> bool:
    """Whether the user sees more than their own leads (a manager, senior management): they may act in bulk."""
    if getattr(user, "is_superuser", False):
        return True
    scope = user_scope(user).for_app("marketing")
    return scope is not None and scope != DataScope.OWN


def _pool_q(user: Any) -> Q | None:
    """The lead pool (no owner) is open to everyone who may claim from it, like the customers' public pool."""
    if getattr(user, "is_superuser", False) or user.has_perm("marketing.claim_lead"):
        return Q(owner__isnull=True)
    return None


def lead_visible(*, user: Any, action: str = "view") -> QuerySet[Lead]:
    """Return the leads the user may ``action``: their scope (own, handed to them, department) and, for viewing,
    the lead pool."""
    scoped = Lead.objects.visible_to(user, action)
    if action != "view" or getattr(user, "is_superuser", False) or not user.has_perm("marketing.view_lead"):
        return scoped
    pool = _pool_q(user)
    if pool is None:
        return scoped
    own = scope_q(Lead, user)
    return Lead.objects.filter(pool if own is None else own | pool)


def lead_get(*, user: Any, pk: Any, action: str = "view") -> Lead:
    """One lead the user may ``action`` (404 otherwise, so existence is not revealed)."""
    queryset = lead_visible(user=user, action=action).select_related(
        "campaign", "research", "plan", "owner", "owner_unit", "handed_to", "customer", "converted_by", "created_by"
    )
    try:
        return queryset.get(pk=pk)
    except (Lead.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def apply_scene(qs: QuerySet[Lead], user: Any, scene: str) -> QuerySet[Lead]:
    if scene == "mine":
        return qs.filter(owner=user)
    if scene == "pool":
        return qs.filter(owner__isnull=True)
    if scene == "handed_to_me":
        return qs.filter(handed_to=user)
    if scene == "department":
        unit_id = user_scope(user).unit_id
        return qs.filter(owner_unit_id=unit_id) if unit_id else qs.none()
    return qs.filter(owner__isnull=False)  # "all": everything in scope; the pool is its own scene


def lead_list(
    *,
    user: Any,
    scene: str = "all",
    status: str = "",
    source: str = "",
    campaign: Any = None,
    q: str = "",
) -> QuerySet[Lead]:
    """Return the leads of a scene the user may see, filtered and searched (company, contact, mobile)."""
    qs = apply_scene(lead_visible(user=user), user, scene if scene in SCENES else "all")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if campaign:
        qs = qs.filter(campaign=campaign)
    term = (q or "").strip()
    if term:
        qs = qs.filter(Q(company_name__icontains=term) | Q(contact_name__icontains=term) | Q(mobile__contains=term))
    return qs.select_related("campaign", "owner", "handed_to", "customer")


def lead_sees_personal_data(lead: Lead, user: Any) -> bool:
    """Mobile numbers are shown in full to the lead's owner and the sales person it was handed to (PIPL);
    everyone else sees them masked."""
    return bool(getattr(user, "is_superuser", False) or user.pk in (lead.owner_id, lead.handed_to_id))


def sales_people() -> QuerySet[User]:
    """The users a lead may be handed to: active employees of departments of kind sales."""
    return (
        User.objects.filter(is_active=True, employee__is_active=True, employee__department__kind=DepartmentKind.SALES)
        .select_related("employee__department")
        .order_by("employee__department__path", "name")
    )


def leads_of_customer(*, customer: Any) -> QuerySet[Lead]:
    """The leads converted into ``customer`` (the customer's page is already scoped)."""
    return Lead.objects.filter(customer=customer).select_related("campaign", "converted_by", "owner")


def leads_awaiting_conversion(*, user: Any) -> QuerySet[Lead]:
    """Leads handed to the user that are not converted yet (the sales person's to-do)."""
    return Lead.objects.filter(handed_to=user, status=LeadStatus.HANDED_OVER)


def _own_or_department(model: Any, user: Any) -> QuerySet:
    """Records the user sees plus those of their own department: what a lead or campaign may be attributed to
    (a colleague's plan or research yields leads for the whole department)."""
    visible = model.objects.visible_to(user)
    unit_id = user_scope(user).unit_id
    if (
        getattr(user, "is_superuser", False)
        or unit_id is None
        or not user.has_perm(f"marketing.view_{model._meta.model_name}")
    ):
        return visible
    return model.objects.filter(Q(pk__in=visible.values("pk")) | Q(owner_unit_id=unit_id))


def plan_choices(*, user: Any) -> QuerySet[MarketPlan]:
    return _own_or_department(MarketPlan, user).order_by("-period_start", "-id")


def research_choices(*, user: Any) -> QuerySet[MarketResearch]:
    return _own_or_department(MarketResearch, user).order_by("-period_start", "-id")


def lead_roles(user: Any, lead: Lead) -> frozenset[str]:
    """The roles of ``LEAD_WORKFLOW`` the user holds for the lead."""
    roles = set()
    if can(user, "change", lead):
        roles.add(LeadRole.CHANGER)
        if user.has_perm("marketing.handover_lead"):
            roles.add(LeadRole.HANDOVER)
    if user.has_perm("marketing.convert_lead") and (
        LeadRole.CHANGER in roles or (lead.handed_to_id is not None and lead.handed_to_id == user.pk)
    ):
        roles.add(LeadRole.CONVERTER)
    if (
        lead.owner_id is None
        and user.has_perm("marketing.claim_lead")
        and lead_visible(user=user).filter(pk=lead.pk).exists()
    ):
        roles.add(LeadRole.CLAIMER)
    return frozenset(roles)


def lead_allowed(user: Any, lead: Lead) -> list[str]:
    """The steps of ``LEAD_WORKFLOW`` the user may take on the lead now, in the page's order."""
    roles = lead_roles(user, lead)
    steps = LEAD_WORKFLOW.get(lead.status, {})
    return [action for action in LEAD_ACTIONS if action in steps and steps[action].who & roles]


EXPORT_COLUMNS = (
    excel.Column("company_name", _("Company"), width=30),
    excel.Column("contact_name", _("Contact")),
    excel.Column("mobile", _("Mobile")),
    excel.Column("status", _("Status"), choices=LeadStatus.choices),
    excel.Column("source", _("Source"), choices=LeadSource.choices),
    excel.Column("campaign", _("Campaign"), width=24),
    excel.Column("owner", _("Owner")),
    excel.Column("handed_to", _("Handed to")),
    excel.Column("created_at", _("Created at"), kind=excel.DATE),
)


def export_rows(leads: list[Lead]) -> list[dict[str, Any]]:
    """One dict per listed lead for the sheet; the mobile as the page shows it (``shown_mobile``: masked unless the
    user is responsible for the lead)."""
    return [
        {
            "company_name": lead.company_name,
            "contact_name": lead.contact_name,
            "mobile": getattr(lead, "shown_mobile", ""),
            "status": lead.status,
            "source": lead.source,
            "campaign": str(lead.campaign or ""),
            "owner": str(lead.owner or ""),
            "handed_to": str(lead.handed_to or ""),
            "created_at": lead.created_at,
        }
        for lead in leads
    ]
