"""Campaigns: the segment, sending (one link per customer), scheduling, closing, analysis; reminders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Notification
from apps.customers.models import Tag
from apps.surveys import registry
from apps.surveys.choices import SurveyStatus
from apps.surveys.models import SurveyCampaign, SurveyInvitation
from apps.surveys.selectors.campaigns import segment_customers
from apps.surveys.services import campaigns as services
from apps.surveys.services.answers import response_submit
from apps.surveys.services.invitations import MAX_REMINDERS, invitations_remind
from apps.surveys.tests.factories import ContactFactory, CustomerFactory, default_questionnaire, make_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(personas):
    alice, carol = personas["rep_alice"].user, personas["rep_carol"].user
    vip = Tag.objects.create(name="重点")
    a1 = CustomerFactory(owner=alice, level="A", province="广东省")
    a2 = CustomerFactory(owner=alice, level="A", province="浙江省", service_owner=carol)
    b1 = CustomerFactory(owner=alice, level="B", province="广东省")
    pool = CustomerFactory(owner=None, level="A", province="广东省")
    a2.tags.add(vip)
    b1.tags.add(vip)
    ContactFactory(customer=a1, email="a1@example.com")
    ContactFactory(customer=a2, email="")
    return {"a1": a1, "a2": a2, "b1": b1, "pool": pool, "vip": vip}


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True))


def test_segment_selection(customers) -> None:
    c = customers
    assert _ids(segment_customers({})) == {c["a1"].pk, c["a2"].pk, c["b1"].pk}  # the pool is left out
    assert _ids(segment_customers({"levels": ["A"]})) == {c["a1"].pk, c["a2"].pk}
    assert _ids(segment_customers({"tags": [c["vip"].pk]})) == {c["a2"].pk, c["b1"].pk}
    assert _ids(segment_customers({"province": "广东省"})) == {c["a1"].pk, c["b1"].pk}
    assert _ids(segment_customers({"levels": ["A"], "province": "广东省"})) == {c["a1"].pk}


def test_segment_source_from_the_registry(customers) -> None:
    seen = []

    def closed_tickets(date_from, date_to):
        seen.append((date_from, date_to))
        return [customers["b1"].pk, customers["pool"].pk]

    registry.register_segment_source("test_closed", "tickets closed", closed_tickets)
    try:
        qs = segment_customers({"source": "test_closed"}, "2026-01-01", dt.date(2026, 3, 31))
        assert _ids(qs) == {customers["b1"].pk}
        assert seen == [(dt.date(2026, 1, 1), dt.date(2026, 3, 31))]
        with pytest.raises(ValidationError):
            services.clean_segment({"source": "test_closed"}, None, None)  # the period is needed
        with pytest.raises(ValidationError):
            services.clean_segment({"source": "nope"}, dt.date(2026, 1, 1), None)
    finally:
        registry._segment_sources.pop("test_closed", None)


def test_send_makes_one_link_per_customer(personas, customers, django_capture_on_commit_callbacks) -> None:
    bob = personas["lead_bob"].user
    campaign = services.campaign_create(
        actor=bob,
        data={
            "name": "A类调查",
            "questionnaire": default_questionnaire(),
            "segment": {"levels": ["A"]},
            "link_valid_days": 10,
        },
    )
    assert campaign.status == SurveyStatus.DRAFT and campaign.owner == bob
    with django_capture_on_commit_callbacks(execute=True):
        created = services.campaign_send(actor=bob, campaign=campaign)
    invitations = list(SurveyInvitation.objects.filter(campaign=campaign))
    assert len(created) == len(invitations) == 2
    assert {i.customer_id for i in invitations} == {customers["a1"].pk, customers["a2"].pk}
    tokens = [i.token for i in invitations]
    assert len(set(tokens)) == 2 and all(len(t) == 43 for t in tokens)
    by_customer = {i.customer_id: i for i in invitations}
    assert by_customer[customers["a1"].pk].owner == personas["rep_alice"].user  # the owner, no service owner
    assert by_customer[customers["a2"].pk].owner == personas["rep_carol"].user  # the service owner first
    assert by_customer[customers["a2"].pk].owner_unit == personas["rep_carol"].unit
    first = invitations[0]
    assert first.expires_at - first.sent_at == dt.timedelta(days=10)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a1@example.com"]  # only the contact with an email
    assert by_customer[customers["a1"].pk].token in mail.outbox[0].body
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.SENT and campaign.sent_at is not None
    assert Notification.objects.filter(recipient=personas["rep_carol"].user).count() == 1
    with pytest.raises(ValidationError):
        services.campaign_send(actor=bob, campaign=campaign)  # sent once
    assert SurveyInvitation.objects.filter(campaign=campaign).count() == 2


def test_staff_cannot_send(personas, customers) -> None:
    campaign = make_campaign(personas["lead_bob"].user, default_questionnaire(), status=SurveyStatus.DRAFT)
    with pytest.raises(PermissionDenied):
        services.campaign_send(actor=personas["rep_alice"].user, campaign=campaign)
    with pytest.raises(PermissionDenied):
        services.campaign_create(actor=personas["rep_alice"].user, data={"name": "x"})


def test_empty_segment_is_refused(personas, customers) -> None:
    campaign = make_campaign(
        personas["lead_bob"].user,
        default_questionnaire(),
        status=SurveyStatus.DRAFT,
        segment={"province": "西藏自治区"},
    )
    with pytest.raises(ValidationError):
        services.campaign_send(actor=personas["lead_bob"].user, campaign=campaign)


def test_schedule_then_dispatch(personas, customers) -> None:
    bob = personas["lead_bob"].user
    campaign = make_campaign(bob, default_questionnaire(), status=SurveyStatus.DRAFT)
    now = timezone.now()
    with pytest.raises(ValidationError):
        services.campaign_schedule(actor=bob, campaign=campaign, when=now - dt.timedelta(minutes=1))
    services.campaign_schedule(actor=bob, campaign=campaign, when=now + dt.timedelta(hours=1))
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.SCHEDULED
    assert services.campaigns_dispatch_due(now=now) == 0
    assert services.campaigns_dispatch_due(now=now + dt.timedelta(hours=1, seconds=1)) == 1
    campaign.refresh_from_db()
    assert campaign.status == SurveyStatus.SENT and campaign.invitations.count() == 3
    assert services.campaigns_dispatch_due(now=now + dt.timedelta(hours=2)) == 0


def test_close_and_analysis(personas, customers) -> None:
    bob = personas["lead_bob"].user
    campaign = make_campaign(bob, default_questionnaire())
    services.campaign_analysis_update(actor=bob, campaign=campaign, analysis="  响应速度是主要问题  ")
    services.campaign_close(actor=bob, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.analysis == "响应速度是主要问题" and campaign.status == SurveyStatus.CLOSED
    with pytest.raises(PermissionDenied):
        services.campaign_analysis_update(actor=personas["rep_alice"].user, campaign=campaign, analysis="x")


def test_pages_create_preview_send(personas, customers) -> None:
    client = personas["lead_bob"].client()
    preview = client.get(reverse("surveys:campaign_preview"), {"levels": ["A"]})
    assert preview.status_code == 200 and b"<strong>2</strong>" in preview.content
    response = client.post(
        reverse("surveys:campaign_create"),
        {
            "name": "页面调查",
            "questionnaire": default_questionnaire().pk,
            "levels": ["A", "B"],
            "link_valid_days": "14",
            "remind_after_days": "3",
        },
    )
    assert response.status_code == 302
    campaign = SurveyCampaign.objects.get(name="页面调查")
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk]))
    assert page.status_code == 200 and b"send-panel" in page.content
    assert client.post(reverse("surveys:campaign_send", args=[campaign.pk])).status_code == 302
    assert campaign.invitations.count() == 3
    assert client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).status_code == 200
    assert (
        client.post(reverse("surveys:campaign_analysis", args=[campaign.pk]), {"analysis": "结论"}).status_code == 302
    )


def _sent_campaign(personas, customers, **kwargs):
    bob = personas["lead_bob"].user
    campaign = make_campaign(bob, default_questionnaire(), status=SurveyStatus.DRAFT, remind_after_days=3, **kwargs)
    services.campaign_send(actor=bob, campaign=campaign)
    return campaign


def test_reminders_at_most_twice_and_never_to_answerers(personas, customers) -> None:
    campaign = _sent_campaign(personas, customers)
    invitations = {i.customer_id: i for i in campaign.invitations.all()}
    answered = invitations[customers["a1"].pk]
    response_submit(
        token=answered.token,
        raw={q.pk: "10" if q.kind == "nps" else "5" for q in campaign.questionnaire.questions.exclude(kind="text")},
    )
    start = timezone.now()
    mail.outbox.clear()
    assert invitations_remind(now=start + dt.timedelta(days=1)) == 0  # too early
    assert invitations_remind(now=start + dt.timedelta(days=3, minutes=1)) == 2  # a2 and b1; a1 answered
    assert invitations_remind(now=start + dt.timedelta(days=4)) == 0  # the last reminder is recent
    assert invitations_remind(now=start + dt.timedelta(days=6, minutes=2)) == 2
    assert invitations_remind(now=start + dt.timedelta(days=9, minutes=3)) == 0  # at most twice
    for invitation in campaign.invitations.all():
        expected = 0 if invitation.pk == answered.pk else MAX_REMINDERS
        assert invitation.reminders_sent == expected
    assert mail.outbox == []  # neither a2's nor b1's contact has an email address
    # Each owner is told once when the survey went out and once per reminding run: alice (b1), carol (a2).
    assert Notification.objects.filter(recipient=personas["rep_carol"].user).count() == 1 + 2
    assert Notification.objects.filter(recipient=personas["rep_alice"].user).count() == 1 + 2


def test_reminders_skip_expired_and_closed(personas, customers) -> None:
    campaign = _sent_campaign(personas, customers)
    start = timezone.now()
    SurveyInvitation.objects.filter(customer=customers["b1"]).update(expires_at=start + dt.timedelta(days=2))
    assert invitations_remind(now=start + dt.timedelta(days=3, minutes=1)) == 2
    services.campaign_close(actor=personas["lead_bob"].user, campaign=campaign)
    assert invitations_remind(now=start + dt.timedelta(days=7)) == 0


def test_improvement_raised_from_the_campaign_shows_on_it(personas) -> None:
    from django.contrib.contenttypes.models import ContentType

    from apps.improvements.models import ImprovementAction

    bob = personas["lead_bob"].user
    campaign = make_campaign(bob, default_questionnaire())
    client = personas["lead_bob"].client()
    page = client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
    assert "raise-improvement" in page and "source_kind=survey" in page
    content_type = ContentType.objects.get_for_model(SurveyCampaign)
    url = (
        reverse("improvements:improvementaction_create")
        + f"?source_type={content_type.pk}&source_id={campaign.pk}&source_kind=survey"
    )
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(url, {"title": "缩短售后响应时间", "owner": bob.pk, "due_date": due, "description": ""})
    assert response.status_code == 302
    action = ImprovementAction.objects.get(title="缩短售后响应时间")
    assert action.source_kind == "survey" and action.source == campaign
    assert "缩短售后响应时间" in client.get(reverse("surveys:campaign_detail", args=[campaign.pk])).content.decode()
