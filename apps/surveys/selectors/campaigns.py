"""Reads of questionnaires, campaigns and their links; the customer segment of a campaign."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.db.models import Count, Q, QuerySet

from apps.core.scoping import can
from apps.customers.models import Customer
from apps.surveys.models import (
    CAMPAIGN_ACTIONS,
    CampaignRole,
    Questionnaire,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    campaign_step,
)
from apps.surveys.permissions import SurveyPerm
from apps.surveys.registry import segment_source


def questionnaire_list(*, active_only: bool = False) -> QuerySet[Questionnaire]:
    qs = Questionnaire.objects.annotate(
        question_count=Count("questions", distinct=True), campaign_count=Count("campaigns", distinct=True)
    )
    return qs.filter(is_active=True) if active_only else qs


def _date(value: Any) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


def segment_customers(segment: dict[str, Any], period_start: Any = None, period_end: Any = None) -> QuerySet[Customer]:
    """The customers a segment selects: not in the public pool (nobody to answer for them), then each non-empty key
    narrows — ``levels``, ``tags`` (any of), ``province``, ``source`` (a registered segment source, e.g. customers with
    tickets closed between ``period_start`` and ``period_end``). Company-wide: whoever may send a campaign surveys
    the customers of the whole company; each answer is then seen by the customer's own people."""
    qs = Customer.objects.filter(owner__isnull=False)
    segment = segment or {}
    if segment.get("levels"):
        qs = qs.filter(level__in=segment["levels"])
    if segment.get("tags"):
        qs = qs.filter(pk__in=Customer.objects.filter(tags__in=segment["tags"]).values("pk"))
    if segment.get("province"):
        qs = qs.filter(province=segment["province"])
    if segment.get("source"):
        source = segment_source(segment["source"])
        ids = list(source.fn(_date(period_start), _date(period_end))) if source else []
        qs = qs.filter(pk__in=ids)
    return qs.order_by("pk")


def campaign_list(*, user: Any, status: str = "", kind: str = "") -> QuerySet[SurveyCampaign]:
    qs = (
        SurveyCampaign.objects.visible_to(user)
        .select_related("questionnaire", "owner")
        .annotate(
            invitation_count=Count("invitations", distinct=True),
            response_count=Count("invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True),
        )
    )
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return cast(QuerySet[SurveyCampaign], qs)


def invitation_list(*, user: Any, campaign: SurveyCampaign | None = None) -> QuerySet[SurveyInvitation]:
    qs = SurveyInvitation.objects.visible_to(user).select_related("customer", "contact", "owner", "campaign")
    return qs.filter(campaign=campaign) if campaign is not None else qs


def response_list(*, user: Any) -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.visible_to(user)


def campaign_roles(user: Any, campaign: SurveyCampaign) -> frozenset[str]:
    """The roles of ``SURVEY_CAMPAIGN_WORKFLOW`` the user holds for the campaign."""
    roles = set()
    if user.has_perm(SurveyPerm.CHANGE_CAMPAIGN) and can(user, "change", campaign):
        roles.add(CampaignRole.CHANGER)
    if user.has_perm(SurveyPerm.SEND_CAMPAIGN) and can(user, "view", campaign):
        roles.add(CampaignRole.SENDER)
    return frozenset(roles)


def campaign_allowed(user: Any, campaign: SurveyCampaign) -> list[str]:
    """The steps of ``SURVEY_CAMPAIGN_WORKFLOW`` the user may take on the campaign now, in the table's order."""
    roles = campaign_roles(user, campaign)
    allowed = []
    for action in CAMPAIGN_ACTIONS:
        step = campaign_step(campaign, action)
        if step is not None and step.who & roles:
            allowed.append(action)
    return allowed
