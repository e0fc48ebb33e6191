"""The post-ticket survey: resolving a ticket on a fresh install sends a link (the data migration's questionnaire)."""

from __future__ import annotations

import pytest
from django.core import mail

from apps.surveys.choices import QuestionKind, SurveyKind
from apps.surveys.models import SurveyCampaign, SurveyInvitation
from apps.surveys.services.invitations import invitation_after_ticket
from apps.surveys.tests.factories import ContactFactory, CustomerFactory, default_questionnaire, fake_ticket

pytestmark = pytest.mark.django_db


def test_default_questionnaire_is_installed() -> None:
    questionnaire = default_questionnaire()
    kinds = list(questionnaire.questions.order_by("order").values_list("kind", flat=True))
    assert kinds == [QuestionKind.RATING] * 3 + [QuestionKind.NPS, QuestionKind.TEXT]
    assert all(q.text and q.text_en for q in questionnaire.questions.all())
    assert not questionnaire.questions.get(kind=QuestionKind.TEXT).required


def test_resolved_ticket_sends_one_link(personas, django_capture_on_commit_callbacks) -> None:
    carol, bob = personas["rep_carol"].user, personas["lead_bob"].user
    customer = CustomerFactory(owner=bob, service_owner=carol)
    contact = ContactFactory(customer=customer, email="li@example.com")
    ticket = fake_ticket(customer, assignee=carol, department=personas["rep_carol"].unit, contact=contact)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_after_ticket(ticket=ticket)
    assert invitation is not None
    assert len(invitation.token) == 43
    assert invitation.owner == carol and invitation.owner_unit == personas["rep_carol"].unit
    assert invitation.ticket_type == "complaint" and invitation.customer_level == customer.level
    assert invitation.department == personas["rep_carol"].unit
    assert invitation.source_id == ticket.pk and invitation.sent_at is not None
    campaign = invitation.campaign
    assert campaign.kind == SurveyKind.POST_TICKET and campaign.questionnaire == default_questionnaire()
    assert len(mail.outbox) == 1 and invitation.token in mail.outbox[0].body
    # The same ticket again (reopened and resolved once more): no second link; another ticket joins the campaign.
    assert invitation_after_ticket(ticket=ticket) is None
    other = invitation_after_ticket(ticket=fake_ticket(customer, assignee=carol, pk=2))
    assert other is not None and other.campaign == campaign
    assert SurveyCampaign.objects.filter(kind=SurveyKind.POST_TICKET).count() == 1
    assert SurveyInvitation.objects.count() == 2


def test_campaign_owned_by_the_assignees_manager(personas) -> None:
    alice = personas["rep_alice"].user  # her team A1 has no manager
    bob = personas["lead_bob"].user
    customer = CustomerFactory(owner=bob)
    invitation = invitation_after_ticket(ticket=fake_ticket(customer, assignee=bob))
    assert invitation.campaign.owner == bob  # manager of sales A, bob's own department
    assert invitation_after_ticket(ticket=fake_ticket(customer, assignee=alice, pk=5)).owner == alice


def test_no_link_without_customer_or_questionnaire(personas) -> None:
    carol = personas["rep_carol"].user
    assert invitation_after_ticket(ticket=fake_ticket(None, assignee=carol)) is None
    default_questionnaire().__class__.objects.update(is_active=False)
    assert invitation_after_ticket(ticket=fake_ticket(CustomerFactory(owner=carol), assignee=carol)) is None
    assert SurveyInvitation.objects.count() == 0


def test_closing_the_standing_campaign_starts_a_new_one(personas) -> None:
    from apps.surveys.services.campaigns import campaign_close

    carol = personas["rep_carol"].user
    customer = CustomerFactory(owner=carol)
    first = invitation_after_ticket(ticket=fake_ticket(customer, assignee=carol, pk=11)).campaign
    campaign_close(actor=personas["admin"].user, campaign=first)
    second = invitation_after_ticket(ticket=fake_ticket(customer, assignee=carol, pk=12)).campaign
    assert second != first and second.kind == SurveyKind.POST_TICKET
