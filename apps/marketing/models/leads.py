from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel, optional_fk
from apps.core.scoping import ScopedQuerySet, ScopeFields
from apps.core.validators import validate_mobile, validate_uscc
from apps.marketing.choices import LeadSource, LeadStatus

User = settings.AUTH_USER_MODEL

#
# The lead workflow as one table (like the ticket's ``TICKET_WORKFLOW``): per status, the steps with the status each
# leads to and who may take it. A status move (``contacting``, ``qualified``, ``invalid``) goes through
# ``lead_set_status``; ``handover``, ``convert`` and ``claim`` have their own services. The services allow exactly
# these steps, the lead page shows exactly these controls and the API returns them as ``allowed_actions``
# (``selectors.leads.lead_allowed``).
#


class LeadRole:
    """Who a user is for one lead (``selectors.leads.lead_roles``); a user may be several."""

    CHANGER = "changer"  # the lead is in the user's change scope (its owner, a manager over it); sharing gives none
    HANDOVER = "handover"  # a changer holding ``marketing.handover_lead``
    CONVERTER = "converter"  # holds ``marketing.convert_lead`` and is a changer or the sales person it was handed to
    CLAIMER = "claimer"  # holds ``marketing.claim_lead`` and the lead lies in the lead pool (no owner)


@dataclass(frozen=True)
class LeadStep:
    target: str | None  # the status after the step; None: the status does not change
    who: frozenset[str]  # any one of these roles may take it


_LS = LeadStatus
_CHANGER = frozenset({LeadRole.CHANGER})
_CLAIM = {"claim": LeadStep(None, frozenset({LeadRole.CLAIMER}))}
_HANDOVER = LeadStep(_LS.HANDED_OVER, frozenset({LeadRole.HANDOVER}))
_CONVERT = LeadStep(_LS.CONVERTED, frozenset({LeadRole.CONVERTER}))
LEAD_WORKFLOW: dict[str, dict[str, LeadStep]] = {
    _LS.NEW: {
        "contacting": LeadStep(_LS.CONTACTING, _CHANGER),
        "qualified": LeadStep(_LS.QUALIFIED, _CHANGER),
        "invalid": LeadStep(_LS.INVALID, _CHANGER),
        **_CLAIM,
    },
    _LS.CONTACTING: {
        "qualified": LeadStep(_LS.QUALIFIED, _CHANGER),
        "invalid": LeadStep(_LS.INVALID, _CHANGER),
        **_CLAIM,
    },
    _LS.QUALIFIED: {
        "contacting": LeadStep(_LS.CONTACTING, _CHANGER),
        "invalid": LeadStep(_LS.INVALID, _CHANGER),
        "handover": _HANDOVER,
        "convert": _CONVERT,
        **_CLAIM,
    },
    # handed over again: to another sales person
    _LS.HANDED_OVER: {"invalid": LeadStep(_LS.INVALID, _CHANGER), "handover": _HANDOVER, "convert": _CONVERT, **_CLAIM},
    _LS.INVALID: {"contacting": LeadStep(_LS.CONTACTING, _CHANGER), **_CLAIM},
    _LS.CONVERTED: dict(_CLAIM),
}
# The steps that are plain status moves (``lead_set_status``), and every step in the order the page shows them.
LEAD_STATUS_MOVES = ("contacting", "qualified", "invalid")
LEAD_ACTIONS = ("claim", *LEAD_STATUS_MOVES, "handover", "convert")


class Lead(TimeStampedModel):
    """线索: a potential customer. With no owner it lies in the lead pool. Converted once only; the customer it
    became keeps the attribution to its campaign and plan."""

    source = models.CharField(_("lead source"), max_length=20, choices=LeadSource.choices, default=LeadSource.MANUAL)
    campaign = optional_fk("marketing.Campaign", _("campaign"), on_delete=models.SET_NULL, related_name="leads")
    research = optional_fk(
        "marketing.MarketResearch", _("market research"), on_delete=models.SET_NULL, related_name="leads"
    )
    plan = optional_fk(
        "marketing.MarketPlan", _("market development plan"), on_delete=models.SET_NULL, related_name="leads"
    )
    company_name = models.CharField(_("company"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, blank=True, validators=[validate_uscc])
    contact_name = models.CharField(_("contact"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, db_index=True, validators=[validate_mobile])
    phone = models.CharField(_("landline"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    contact_title = models.CharField(_("job title"), max_length=50, blank=True)
    industry = models.CharField(_("industry"), max_length=30, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW)
    qualified_at = models.DateTimeField(_("qualified at"), null=True, blank=True)
    invalid_reason = models.CharField(_("reason it is invalid"), max_length=200, blank=True)
    owner = optional_fk(User, _("owner"), on_delete=models.PROTECT, related_name="owned_leads")
    owner_unit = optional_fk("org.Department", _("department"), on_delete=models.PROTECT, related_name="+")
    created_by = optional_fk(User, _("created by"), on_delete=models.SET_NULL, related_name="+")
    handed_to = optional_fk(User, _("handed to"), on_delete=models.SET_NULL, related_name="leads_received")
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    handover_note = models.TextField(_("handover notes"), blank=True)
    customer = optional_fk(
        "customers.Customer", _("converted customer"), on_delete=models.SET_NULL, related_name="leads"
    )
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    converted_by = optional_fk(User, _("converted by"), on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    scope_fields = ScopeFields(owner="owner", unit="owner_unit", shared_with=("handed_to",))
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-created_at", "-id"]
        permissions = [
            ("handover_lead", _("Can hand leads over to sales")),
            ("convert_lead", _("Can convert leads into customers")),
            ("claim_lead", _("Can claim leads from the lead pool")),
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["-created_at", "-id"], name="lead_created_idx"),  # the list's sort
        ]

    def __str__(self) -> str:
        return f"{self.company_name} · {self.contact_name}"
