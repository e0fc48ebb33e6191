"""Policy pages: who may read them, what they show in each language, and how many queries they cost."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from apps.org.models import User
from apps.policy import selectors
from apps.policy.models import chinese_number
from apps.policy.tests.factories import new_version, seeded_version

pytestmark = pytest.mark.django_db

PAGES = ["policy:in_force", "policy:rules", "policy:version_list"]
# The shell costs 7 (session, user, 2 × permissions, unread count, employee, department; the acknowledgement
# banner is kept in the session); a policy page adds 1 for the published interpretations beside the articles, and
# at most 2 (the version, its articles, whatever the number of articles) and 1 for the paginated list's count.
MAX_PAGE_QUERIES = 11


def _text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


class AccessTests:
    @pytest.mark.parametrize("name", PAGES)
    def test_anonymous_is_sent_to_login(self, name: str) -> None:
        response = Client().get(reverse(name))
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]

    @pytest.mark.parametrize("name", PAGES)
    @pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "rep_carol", "auditor_dave", "admin"])
    def test_every_role_may_read_the_policy(self, personas: dict, persona: str, name: str) -> None:
        assert personas[persona].client().get(reverse(name)).status_code == 200

    def test_a_login_without_a_role_may_not(self, personas: dict) -> None:
        client = Client()
        client.force_login(User.objects.create_user(username="visitor", password="pw-123456"))
        assert client.get(reverse("policy:in_force")).status_code == 403


class PolicyInForcePageTests:
    def test_shows_every_article_in_chinese(self, personas: dict, django_assert_max_num_queries: Any) -> None:
        client = personas["rep_alice"].client()
        with django_assert_max_num_queries(MAX_PAGE_QUERIES):
            response = client.get(reverse("policy:in_force"))
        body = _text(response)
        assert "公司市场开发及销售管理制度" in body
        for number in range(1, 16):
            assert f"第{chinese_number(number)}条" in body
        assert "第一章 总则" in body and "第五章 其他" in body
        assert "目的和依据" in body and "本制度自颁布之日起执行,并适时进行评估和调整。" in body
        assert "2026-01-01" in body and "2027-01-01" in body
        assert 'data-testid="version-label">1.0<' in body
        assert body.count('data-testid="article"') == 15

    def test_shows_the_english_rendering_in_english(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        alice.language = "en"
        alice.save(update_fields=["language"])
        body = _text(personas["rep_alice"].client().get(reverse("policy:in_force")))
        assert "Company Market Development and Sales Management Policy" in body
        assert "Article 1 " in body.replace("</span>", " ") and "Article 15" in body
        assert "Chapter 4 Performance assessment" in body
        assert "Purpose and basis" in body
        assert "The policy takes effect when promulgated" in body
        assert "Show the Chinese original" in body  # the original stays one click away

    def test_shows_the_version_that_took_effect_last(self, personas: dict) -> None:
        new_version(personas["admin"].user, "1.1", dt.date(2026, 7, 1))
        body = _text(personas["rep_carol"].client().get(reverse("policy:in_force")))
        assert 'data-testid="version-label">1.1<' in body

    def test_says_so_when_nothing_is_in_force(self, personas: dict) -> None:
        seeded_version().__class__.objects.update(effective_from=dt.date(2099, 1, 1))
        response = personas["rep_alice"].client().get(reverse("policy:in_force"))
        assert response.status_code == 200
        assert 'data-testid="empty-state"' in response.content.decode()


class RulesPageTests:
    def test_shows_every_rule_of_the_version_in_force(self, personas: dict, django_assert_max_num_queries: Any) -> None:
        client = personas["rep_alice"].client()
        with django_assert_max_num_queries(MAX_PAGE_QUERIES - 1):
            response = client.get(reverse("policy:rules"))
        body = _text(response)
        for testid in ("kpi", "grades", "deadlines", "cadence", "approval", "pool", "frequencies"):
            assert f'data-testid="rules-{testid}"' in body
        assert "50%" in body and "100%" in body
        assert "¥500,000.00" in body and "10.00%" in body
        urgent_complaint = re.search(r'data-testid="deadline-complaint-urgent">(.*?)</td>', body)
        assert urgent_complaint and re.sub(r"<[^>]+>", "", urgent_complaint.group(1)) == "1 h / 8 h"
        assert reverse("policy:version_detail", args=[seeded_version().pk]) in body

    def test_shows_the_rules_in_force_on_a_date(self, personas: dict) -> None:
        weights = {"market_development": 25, "sales_target": 55, "customer_satisfaction": 20}
        new_version(personas["admin"].user, "1.1", dt.date(2026, 7, 1), kpi_weights=weights)
        client = personas["rep_alice"].client()
        assert "55%" not in _text(client.get(reverse("policy:rules"), {"on": "2026-06-30"}))
        assert "55%" in _text(client.get(reverse("policy:rules"), {"on": "2026-07-01"}))
        before = client.get(reverse("policy:rules"), {"on": "2025-06-30"})
        assert 'data-testid="empty-state"' in before.content.decode()

    def test_each_scheme_line_says_how_it_is_scored_in_chinese(self, personas: dict) -> None:
        """Linear with a cap, bands, a threshold and a deduction per occurrence, each with its parameters."""
        staff = {
            "new_customers": {"weight": 40, "target": "2", "scoring": "bands", "bands": [[100, 100], [50, 60]]},
            "contract_amount_completion": {"weight": 30, "target": "100", "scoring": "threshold", "threshold": 80},
            "payment_completion": {"weight": 20, "target": "100", "scoring": "deduction", "points": 5, "start": 90},
            "manager_rating": {"weight": 10, "target": "100"},
        }
        new_version(
            personas["admin"].user, "1.1", dt.date(2026, 7, 1), assessment={"schemes": {"sales": {"staff": staff}}}
        )
        client = personas["rep_alice"].client()
        body = _text(client.get(reverse("policy:rules"), {"on": "2026-07-01"}))
        cells = [
            re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r'data-testid="scheme-scoring">(.*?)</td>', body)
        ]
        assert "分档计分：完成率 ≥ 100% 得 100 分；完成率 ≥ 50% 得 60 分；均未达到得 0 分" in cells
        assert "门槛计分（达门槛后线性）：完成率低于 80% 得 0 分，达到后得分等于完成率，以该指标上限封顶" in cells
        assert "按次扣分：基础 90 分，每发生一次扣 5 分，最低 0 分" in cells
        assert "按目标完成率线性计分（封顶）：得分等于目标完成率，以该指标上限封顶" in cells
        assert "计分方式" in body
        # Version 1.0 (in force before): every line linear, one cell per line of its nine schemes.
        before = _text(client.get(reverse("policy:rules"), {"on": "2026-06-30"}))
        cells = re.findall(r'data-testid="scheme-scoring">(.*?)</td>', before)
        lines = sum(len(s.lines) for s in selectors.rules_in_force(dt.date(2026, 6, 30)).rules.assessment.schemes)
        assert len(cells) == lines > 0
        assert set(cells) == {"按目标完成率线性计分（封顶）：得分等于目标完成率，以该指标上限封顶"}
        assert "销售计划行动按期完成率" in before


class VersionPagesTests:
    def test_the_list_shows_published_versions_to_staff(
        self, personas: dict, django_assert_max_num_queries: Any
    ) -> None:
        new_version(personas["admin"].user, "1.1")
        client = personas["rep_alice"].client()
        with django_assert_max_num_queries(MAX_PAGE_QUERIES):
            body = _text(client.get(reverse("policy:version_list")))
        assert body.count('data-testid="version-link"') == 1

    def test_the_list_shows_drafts_to_those_who_edit_them(self, personas: dict) -> None:
        new_version(personas["admin"].user, "1.1")
        body = _text(personas["admin"].client().get(reverse("policy:version_list")))
        assert body.count('data-testid="version-link"') == 2

    def test_the_detail_shows_articles_rules_and_history(self, personas: dict) -> None:
        url = reverse("policy:version_detail", args=[seeded_version().pk])
        body = _text(personas["rep_alice"].client().get(url))
        assert body.count('data-testid="article"') == 15
        assert 'data-testid="rules-deadlines"' in body
        assert 'data-testid="history-panel"' in body

    def test_a_draft_is_hidden_from_staff(self, personas: dict) -> None:
        draft = new_version(personas["admin"].user, "1.1")
        url = reverse("policy:version_detail", args=[draft.pk])
        assert personas["rep_alice"].client().get(url).status_code == 404
        assert personas["admin"].client().get(url).status_code == 200

    def test_a_future_version_is_marked_as_such(self, personas: dict) -> None:
        future = selectors.policy_today() + dt.timedelta(days=10)
        new_version(personas["admin"].user, "2.0", future)
        alice = personas["rep_alice"].user
        alice.language = "en"
        alice.save(update_fields=["language"])
        body = _text(personas["rep_alice"].client().get(reverse("policy:version_list")))
        assert f"Takes effect on {future.isoformat()}" in body
