"""Set-up helpers for the survey tests (writes under test go through the services)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from apps.customers.models import FollowUp
from apps.customers.tests.factories import ContactFactory, CustomerFactory
from apps.surveys.choices import QuestionKind, SurveyKind, SurveyStatus
from apps.surveys.models import Question, Questionnaire, SurveyCampaign, SurveyInvitation
from apps.surveys.services.invitations import new_token, unit_of

__all__ = [
    "ContactFactory",
    "CustomerFactory",
    "make_questionnaire",
    "make_campaign",
    "make_invitation",
    "fake_ticket",
    "default_questionnaire",
]


def default_questionnaire() -> Questionnaire:
    """The post-ticket questionnaire the data migration installs."""
    return Questionnaire.objects.get(for_resolved_tickets=True)


def make_questionnaire(
    title: str = "测试问卷", *, kinds: tuple[str, ...] = ("rating", "rating", "nps", "single", "multiple", "text")
) -> Questionnaire:
    questionnaire = Questionnaire.objects.create(title=title, title_en="Test survey")
    for order, kind in enumerate(kinds, start=1):
        options = (
            [{"zh": "选项甲", "en": "Option A"}, {"zh": "选项乙", "en": "Option B"}, {"zh": "选项丙", "en": "Option C"}]
            if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
            else []
        )
        Question.objects.create(
            questionnaire=questionnaire,
            order=order,
            kind=kind,
            text=f"问题{order}",
            text_en=f"Question {order}",
            options=options,
            required=kind != QuestionKind.TEXT,
        )
    return questionnaire


def make_campaign(owner: Any, questionnaire: Questionnaire | None = None, **kwargs: Any) -> SurveyCampaign:
    kwargs.setdefault("name", f"{owner} 的满意度调查")
    kwargs.setdefault("status", SurveyStatus.SENT)
    kwargs.setdefault("kind", SurveyKind.CAMPAIGN)
    return SurveyCampaign.objects.create(
        questionnaire=questionnaire or make_questionnaire(),
        owner=owner,
        owner_unit=unit_of(owner),
        created_by=owner,
        **kwargs,
    )


def make_invitation(
    campaign: SurveyCampaign,
    *,
    owner: Any = None,
    customer: Any = None,
    expires_in: dt.timedelta = dt.timedelta(days=7),
    **kwargs: Any,
) -> SurveyInvitation:
    owner = owner or campaign.owner
    customer = customer or CustomerFactory(owner=owner)
    now = timezone.now()
    return SurveyInvitation.objects.create(
        campaign=campaign,
        customer=customer,
        contact=kwargs.pop("contact", None),
        token=new_token(),
        expires_at=now + expires_in,
        sent_at=kwargs.pop("sent_at", now),
        customer_level=customer.level,
        owner=owner,
        owner_unit=unit_of(owner),
        **kwargs,
    )


def fake_ticket(
    customer: Any,
    *,
    assignee: Any = None,
    department: Any = None,
    contact: Any = None,
    ticket_type: str = "complaint",
    pk: int = 1,
) -> Any:
    """A duck-typed ticket (surveys cannot import service): a stand-in model's _meta gives the generic source."""
    return SimpleNamespace(
        pk=pk,
        _meta=FollowUp._meta,
        customer=customer,
        contact=contact,
        department=department,
        ticket_type=ticket_type,
        assignee=assignee,
        created_by=assignee,
    )
