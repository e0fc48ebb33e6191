"""Writes of market research (市场调研, policy art. 8 step 1): the study itself, and the potential customers it
names, added as leads attributed to it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from apps.core.history import record_actor
from apps.core.scoping import can
from apps.core.services import model_update, owned_create
from apps.core.validators import normalize_mobile
from apps.marketing.choices import LeadSource, LeadStatus
from apps.marketing.models import Lead, MarketResearch
from apps.org.models import User

RESEARCH_FIELDS = [
    "subject",
    "target_market",
    "segment",
    "method",
    "period_start",
    "period_end",
    "findings",
    "competitors",
    "conclusions",
    "status",
]
LEAD_FIELDS = ["company_name", "contact_name", "mobile", "phone", "contact_title", "industry", "region", "notes"]
PERIOD_REVERSED = gettext_lazy("The research must end on or after the day it starts.")
NO_LEADS = gettext_lazy("Add at least one potential customer.")
LEAD_ROW_INVALID = gettext_lazy("Row %(row)s: %(errors)s")


def _check_period(start: Any, end: Any) -> None:
    if start and end and end < start:
        raise ValidationError({"period_end": PERIOD_REVERSED})


@transaction.atomic
def research_create(*, actor: User, **data: Any) -> MarketResearch:
    """Record a study owned by the actor, in the actor's department."""
    if not actor.has_perm("marketing.add_marketresearch"):
        raise PermissionDenied
    _check_period(data.get("period_start"), data.get("period_end"))
    fields = {k: v for k, v in data.items() if k in RESEARCH_FIELDS}
    return owned_create(MarketResearch, actor=actor, unit=actor.employee.department, **fields)


@transaction.atomic
def research_update(*, actor: User, research: MarketResearch, data: dict[str, Any]) -> MarketResearch:
    """Change a study the actor may change."""
    if not can(actor, "change", research):
        raise PermissionDenied
    _check_period(data.get("period_start", research.period_start), data.get("period_end", research.period_end))
    model_update(instance=research, fields=RESEARCH_FIELDS, data=data, actor=actor)
    return research


@transaction.atomic
def research_create_leads(*, actor: User, research: MarketResearch, rows: list[dict[str, Any]]) -> list[Lead]:
    """Add the potential customers a study found as new leads (source: research) owned by the actor.

    Every row is validated first; one bad row adds nothing and names the row.
    """
    if not can(actor, "view", research) or not actor.has_perm("marketing.add_lead"):
        raise PermissionDenied
    if not rows:
        raise ValidationError(NO_LEADS)
    leads, problems = [], []
    for index, row in enumerate(rows, start=1):
        data = {k: (v or "") for k, v in row.items() if k in LEAD_FIELDS}
        data["mobile"] = normalize_mobile(data.get("mobile", ""))
        lead = Lead(
            **data,
            source=LeadSource.RESEARCH,
            research=research,
            plan=None,
            status=LeadStatus.NEW,
            owner=actor,
            owner_unit=actor.employee.department,
            created_by=actor,
        )
        try:
            lead.full_clean()
        except ValidationError as exc:
            problems.append(LEAD_ROW_INVALID % {"row": index, "errors": "; ".join(exc.messages)})
        leads.append(lead)
    if problems:
        raise ValidationError(problems)
    for lead in leads:
        record_actor(lead, actor)
        lead.save()
    return leads
