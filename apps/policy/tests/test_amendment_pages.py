"""The amendment pages: the flow through the pages, the generated rules form that validates as one types, the
diff in plain words, and the people the pages must stop."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.core.models import Notification
from apps.policy import selectors, services
from apps.policy.choices import DecisionOutcome, PolicyVersionStatus, VoteChoice
from apps.policy.models import PolicyVersion
from apps.policy.rules import rule_changes
from apps.policy.tests.test_amendments import _draft, group_fixture  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class PageFlowTests:
    def test_a_member_drafts_edits_submits_votes_and_publishes(self, personas: dict, group: list) -> None:
        ceo, vp = _client(group[0]), _client(group[1])
        response = ceo.post(reverse("policy:draft_create"), {"label": "1.1"})
        draft = PolicyVersion.objects.get(label="1.1")
        assert response.status_code == 302
        url = reverse("policy:rules_edit", args=[draft.pk, "service_deadlines"])
        form = ceo.get(url)
        assert form.status_code == 200
        data = {k: v for k, v in form.context["form"].initial.items()}
        data["service_deadlines__complaint__high__resolution_hours"] = 8
        saved = ceo.post(url, data)
        assert saved.status_code == 302, saved.context["form"].errors
        draft.refresh_from_db()
        assert selectors.version_rules(draft).deadline("complaint", "high").resolution_hours == 8
        article = draft.articles.get(number=10)
        edit = ceo.post(
            reverse("policy:article_edit", args=[article.pk]),
            {
                "title_zh": article.title_zh,
                "title_en": article.title_en,
                "text_zh": "客户投诉须在8个工作小时内解决。",
                "text_en": article.text_en,
            },
        )
        assert edit.status_code == 302
        diff = _text(ceo.get(reverse("policy:version_diff", args=[draft.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert "客户投诉须在8个工作小时内解决。" in diff
        ceo.post(reverse("policy:version_submit", args=[draft.pk]))
        draft.refresh_from_db()
        assert draft.status == PolicyVersionStatus.SUBMITTED
        for client in (ceo, vp):
            client.post(reverse("policy:version_vote", args=[draft.pk]), {"vote": VoteChoice.IN_FAVOUR})
        ceo.post(
            reverse("policy:version_decide", args=[draft.pk]),
            {"meeting_date": selectors.policy_today().isoformat(), "minutes": "同意"},
        )
        draft.refresh_from_db()
        assert draft.status == PolicyVersionStatus.APPROVED
        tomorrow = selectors.policy_today() + dt.timedelta(days=1)
        ceo.post(reverse("policy:version_publish", args=[draft.pk]), {"effective_from": tomorrow.isoformat()})
        draft.refresh_from_db()
        assert draft.status == PolicyVersionStatus.PUBLISHED
        assert Notification.objects.filter(recipient=personas["rep_alice"].user, url__contains="diff").exists()

    def test_invalid_rules_show_the_rule_and_save_nothing(self, group: list) -> None:
        draft = _draft(group[0])
        client = _client(group[0])
        url = reverse("policy:rules_edit", args=[draft.pk, "kpi_weights"])
        data = {
            "kpi_weights__market_development": 30,
            "kpi_weights__sales_target": 60,
            "kpi_weights__customer_satisfaction": 20,
        }
        check = client.post(url, {**data, "_validate": "1"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert "110" in check.content.decode() and "权重" in check.content.decode()
        response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert "110" in _text(response)
        draft.refresh_from_db()
        assert selectors.version_rules(draft).kpi_weights.total == 100

    def test_the_live_check_saves_nothing_even_when_valid(self, group: list) -> None:
        draft = _draft(group[0])
        url = reverse("policy:rules_edit", args=[draft.pk, "kpi_weights"])
        data = {
            "kpi_weights__market_development": 20,
            "kpi_weights__sales_target": 60,
            "kpi_weights__customer_satisfaction": 20,
            "_validate": "1",
        }
        _client(group[0]).post(url, data, HTTP_HX_REQUEST="true")
        draft.refresh_from_db()
        assert selectors.version_rules(draft).kpi_weights.sales_target == 50


class RefusalTests:
    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob"])
    def test_sales_people_cannot_see_submit_or_vote(self, personas: dict, group: list, persona: str) -> None:
        draft = _draft(group[0])
        client = _client(personas[persona].user)
        assert client.post(reverse("policy:version_submit", args=[draft.pk])).status_code == 404
        assert client.get(reverse("policy:rules_edit", args=[draft.pk, "kpi_weights"])).status_code == 403
        assert client.get(reverse("policy:draft_create")).status_code == 403
        services.policy_version_submit(actor=group[0], version=draft)
        assert (
            client.post(reverse("policy:version_vote", args=[draft.pk]), {"vote": VoteChoice.IN_FAVOUR}).status_code
            == 404
        )
        assert client.get(reverse("policy:version_diff", args=[draft.pk])).status_code == 404
        assert not draft.decisions.get().votes.exists()

    def test_an_editor_who_is_not_a_member_is_refused_the_vote(self, personas: dict, group: list) -> None:
        draft = _draft(group[0])
        services.policy_version_submit(actor=group[0], version=draft)
        client = _client(personas["admin"].user)
        page = client.get(reverse("policy:version_detail", args=[draft.pk]))
        assert 'data-testid="cast-vote"' not in page.content.decode()
        response = client.post(reverse("policy:version_vote", args=[draft.pk]), {"vote": VoteChoice.IN_FAVOUR})
        assert response.status_code == 302
        assert not draft.decisions.get().votes.exists()
        client.post(reverse("policy:version_decide", args=[draft.pk]), {"meeting_date": "2026-12-07", "minutes": "x"})
        assert draft.decisions.get().outcome == DecisionOutcome.PENDING

    def test_a_member_sees_the_vote_buttons(self, group: list) -> None:
        draft = _draft(group[0])
        services.policy_version_submit(actor=group[0], version=draft)
        page = _client(group[1]).get(reverse("policy:version_detail", args=[draft.pk])).content.decode()
        assert 'data-testid="cast-vote"' in page
        assert 'data-testid="close-decision"' in page
        assert 'data-testid="submit-version"' not in page


class BadgeTests:
    def test_a_version_published_for_tomorrow_says_when_it_takes_effect(self, personas: dict, group: list) -> None:
        from apps.policy.tests.test_amendments import _approved

        version = _approved(group)
        tomorrow = selectors.policy_today() + dt.timedelta(days=1)
        services.policy_version_publish(actor=group[0], version=version, effective_from=tomorrow)
        page = _text(_client(personas["rep_alice"].user).get(reverse("policy:version_list")))
        rows = page[page.find("<tbody") : page.find("</tbody>")]
        assert f"{tomorrow:%Y-%m-%d} 生效" in rows
        assert "已被替代" not in rows


class RulesFormTests:
    @pytest.mark.parametrize(
        "section",
        [
            "kpi_weights",
            "grade_bands",
            "service_deadlines",
            "contact_cadence_days",
            "service_escalation",
            "public_pool",
            "approval_thresholds",
            "evaluation_frequencies",
            "assessment",
        ],
    )
    def test_every_section_has_a_form_that_saves_its_own_values_unchanged(self, group: list, section: str) -> None:
        draft = _draft(group[0])
        before = selectors.version_rules(draft)
        client = _client(group[0])
        url = reverse("policy:rules_edit", args=[draft.pk, section])
        form = client.get(url).context["form"]
        assert len(form.fields) >= 2
        data = {name: form.initial[name] for name in form.fields}
        response = client.post(url, data)
        assert response.status_code == 302, response.context["form"].errors
        draft.refresh_from_db()
        assert rule_changes(before, selectors.version_rules(draft)) == []  # (JSONB may reorder the keys)

    def test_an_unknown_section_is_404(self, group: list) -> None:
        draft = _draft(group[0])
        assert _client(group[0]).get(reverse("policy:rules_edit", args=[draft.pk, "nothing"])).status_code == 404
