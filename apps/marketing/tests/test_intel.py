"""Market intelligence: published intelligence reaches sales (art. 5), drafts do not; publication notifies sales;
read receipts are recorded once; the author sees who read it and who in sales has not; the scope matrix."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona
from apps.marketing.choices import IntelCategory, IntelStatus
from apps.marketing.models import IntelRead, MarketIntel
from apps.marketing.selectors.intel import intel_list, intel_unread_in_sales
from apps.marketing.services import intel as svc
from apps.marketing.tests.factories_leads import IntelFactory, MarketingTeam, build_marketing_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas: dict) -> MarketingTeam:
    return build_marketing_team(personas)


@pytest.fixture
def draft(team: MarketingTeam) -> MarketIntel:
    return svc.intel_create(
        actor=team.mkt1,
        data={"title": "竞品降价15%", "category": IntelCategory.PRICE, "content": "某竞品华东区报价下调。"},
    )


class IntelVisibilityTests:
    def test_sales_sees_published_intel_but_not_drafts(
        self, draft: MarketIntel, team: MarketingTeam, personas: dict
    ) -> None:
        alice = personas["rep_alice"].user
        assert not intel_list(user=alice).filter(pk=draft.pk).exists()
        assert not intel_list(user=team.mkt2).filter(pk=draft.pk).exists()
        svc.intel_publish(actor=team.manager, intel=draft)
        assert intel_list(user=alice).filter(pk=draft.pk).exists()
        assert intel_list(user=team.mkt2).filter(pk=draft.pk).exists()  # market development colleagues too
        assert not intel_list(user=personas["rep_carol"].user).filter(pk=draft.pk).exists()  # customer service

    def test_only_managers_publish(self, draft: MarketIntel, team: MarketingTeam) -> None:
        with pytest.raises(PermissionDenied):
            svc.intel_publish(actor=team.mkt1, intel=draft)
        assert MarketIntel.objects.get(pk=draft.pk).status == IntelStatus.DRAFT

    def test_publication_notifies_the_sales_people(
        self, draft: MarketIntel, team: MarketingTeam, personas: dict
    ) -> None:
        svc.intel_publish(actor=team.manager, intel=draft)
        notified = set(Notification.objects.values_list("recipient__username", flat=True))
        assert notified == {"alice", "bob"}
        assert Notification.objects.first().url == reverse("marketing:intel_detail", args=[draft.pk])


class ReadReceiptTests:
    def test_reading_records_one_receipt(self, draft: MarketIntel, team: MarketingTeam, personas: dict) -> None:
        svc.intel_publish(actor=team.manager, intel=draft)
        client = personas["rep_alice"].client()
        for _ in range(2):
            assert client.get(reverse("marketing:intel_detail", args=[draft.pk])).status_code == 200
        assert IntelRead.objects.filter(intel=draft).count() == 1

    def test_drafts_get_no_receipts(self, draft: MarketIntel, team: MarketingTeam) -> None:
        assert svc.intel_mark_read(actor=team.mkt1, intel=draft) is None

    def test_the_author_sees_who_has_not_read(self, draft: MarketIntel, team: MarketingTeam, personas: dict) -> None:
        svc.intel_publish(actor=team.manager, intel=draft)
        svc.intel_mark_read(actor=personas["rep_alice"].user, intel=draft)
        assert {u.username for u in intel_unread_in_sales(intel=draft)} == {"bob"}
        page = team_client(team.mkt1).get(reverse("marketing:intel_detail", args=[draft.pk])).content.decode()
        assert 'data-testid="intel-readers"' in page and "艾丽" in page and "鲍勃" in page

    def test_the_api_read_action(self, draft: MarketIntel, team: MarketingTeam, personas: dict) -> None:
        svc.intel_publish(actor=team.manager, intel=draft)
        client = personas["rep_alice"].client()
        response = client.post(f"/api/v1/intel/{draft.pk}/read/")
        assert response.status_code == 200 and response.json()["is_read"] is True
        client.post(f"/api/v1/intel/{draft.pk}/read/")
        assert IntelRead.objects.filter(intel=draft).count() == 1


def team_client(user: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class IntelScopeTests(core_testing.ScopeMatrixTests):
    """Drafts follow the usual scope (publication widens it; see IntelVisibilityTests)."""

    model = MarketIntel
    list_url = "/marketing/intel/"
    api_list_url = "/api/v1/intel/"
    detail_route = "marketing:intel_detail"

    def make(self, persona: Persona) -> MarketIntel:
        return IntelFactory(owner=persona.user, owner_unit=persona.unit, title=f"情报-{persona.key}")

    def label(self, record: MarketIntel) -> str:
        return record.title
