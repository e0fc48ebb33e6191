"""What service plugs into surveys: a detractor's answer opens one follow-up ticket, shown on the answer's page;
"customers with tickets resolved in a period" is a survey segment."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from apps.service.choices import TicketOrigin, TicketStatus
from apps.service.models import Ticket
from apps.service.tests.factories_tickets import customer_of, make_ticket
from apps.surveys.choices import QuestionKind
from apps.surveys.models import SurveyResponse
from apps.surveys.registry import segment_source
from apps.surveys.services.answers import response_submit
from apps.surveys.tests.factories import default_questionnaire, make_campaign, make_invitation


def _answer(invitation, *, rating: int, nps: int) -> SurveyResponse:
    raw: dict[int, object] = {}
    for question in invitation.campaign.questionnaire.questions.all():
        if question.kind == QuestionKind.RATING:
            raw[question.pk] = str(rating)
        elif question.kind == QuestionKind.NPS:
            raw[question.pk] = str(nps)
    return response_submit(token=invitation.token, raw=raw)


@pytest.fixture
def campaign(personas):
    return make_campaign(personas["rep_carol"].user, default_questionnaire())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("rating", "nps", "follow_up"),
    [
        (5, 9, False),  # promoter
        (4, 7, False),  # passive, satisfied
        (4, 6, True),  # NPS detractor
        (2, 8, True),  # CSAT 2: dissatisfied whatever the NPS
        (3, 0, True),
    ],
)
def test_a_detractor_opens_one_follow_up_ticket(campaign, personas, rating, nps, follow_up) -> None:
    invitation = make_invitation(campaign)
    response = _answer(invitation, rating=rating, nps=nps)
    tickets = Ticket.objects.filter(survey_response=response)
    assert tickets.count() == (1 if follow_up else 0)
    if follow_up:
        ticket = tickets.get()
        assert ticket.origin == TicketOrigin.SURVEY and ticket.customer_id == invitation.customer_id
        assert ticket.assignee_id == invitation.owner_id
        page = personas["rep_carol"].client().get(reverse("surveys:response_detail", args=[response.pk]))
        assert reverse("service:ticket_detail", args=[ticket.pk]) in page.content.decode()


@pytest.mark.django_db
def test_the_answer_page_links_to_its_ticket_and_to_feedback(campaign, personas) -> None:
    carol = personas["rep_carol"].user
    ticket = make_ticket(carol, customer=customer_of(carol, service_owner=carol), assignee=carol)
    invitation = make_invitation(
        campaign,
        customer=ticket.customer,
        ticket_type=ticket.ticket_type,
        source_type_id=_ticket_type_id(),
        source_id=ticket.pk,
    )
    response = _answer(invitation, rating=5, nps=10)
    body = personas["rep_carol"].client().get(reverse("surveys:response_detail", args=[response.pk])).content.decode()
    assert reverse("service:ticket_detail", args=[ticket.pk]) in body
    assert f"{reverse('service:feedback_create')}?response={response.pk}" in body
    assert 'data-testid="follow-up-ticket"' not in body
    assert Client().get(reverse("surveys:response_detail", args=[response.pk])).status_code == 302  # login first


def _ticket_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Ticket).pk


@pytest.mark.django_db
def test_customers_with_tickets_resolved_in_the_period_are_a_segment(personas) -> None:
    carol = personas["rep_carol"].user
    inside, before, unresolved = (customer_of(carol, service_owner=carol) for _ in range(3))
    today = timezone.localdate()
    for customer, resolved_days_ago in ((inside, 3), (before, 40), (unresolved, None)):
        ticket = make_ticket(carol, customer=customer, assignee=carol)
        if resolved_days_ago is not None:
            Ticket.objects.filter(pk=ticket.pk).update(
                status=TicketStatus.RESOLVED, resolved_at=timezone.now() - dt.timedelta(days=resolved_days_ago)
            )
    source = segment_source("tickets_closed")
    assert source is not None
    assert set(source.fn(today - dt.timedelta(days=10), today)) == {inside.pk}
    assert set(source.fn(None, today)) == {inside.pk, before.pk}
