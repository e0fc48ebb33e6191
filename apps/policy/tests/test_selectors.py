"""Reading the policy: the seed, and the rules in force on a date (the one way the system reads them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404

from apps.policy import selectors
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import Article, Policy
from apps.policy.rules import DEFAULT_RULES
from apps.policy.tests.factories import new_version, seeded_version

pytestmark = pytest.mark.django_db


class SeedTests:
    def test_version_1_0_is_in_force_from_2026(self) -> None:
        version = seeded_version()
        assert version.policy.name == "公司市场开发及销售管理制度"
        assert version.status == PolicyVersionStatus.IN_FORCE
        assert version.effective_from == dt.date(2026, 1, 1)
        assert version.next_review_on == dt.date(2027, 1, 1)
        assert Policy.objects.count() == 1

    def test_15_articles_in_5_chapters(self) -> None:
        articles = selectors.article_list(seeded_version())
        assert [a.number for a in articles] == list(range(1, 16))
        chapters = selectors.chapter_list(articles)
        assert [len(c.articles) for c in chapters] == [3, 4, 3, 3, 2]
        assert [a.chapter_title_zh for a in articles[::4]] == ["总则", "组织与职责", "工作流程", "业绩考核"]

    def test_articles_keep_the_original_text(self) -> None:
        first = Article.objects.get(version=seeded_version(), number=1)
        assert first.title_zh == "目的和依据"
        assert first.text_zh.startswith("本制度的目的是为了规范公司市场开发及销售活动")
        assert first.text_zh.endswith("以及公司实际情况订立。")
        assert first.title_en == "Purpose and basis" and first.text_en
        last = Article.objects.get(version=seeded_version(), number=15)
        assert (last.title_zh, last.text_zh) == ("附则", "本制度自颁布之日起执行,并适时进行评估和调整。")

    def test_the_seed_records_its_creation_in_the_history(self) -> None:
        assert seeded_version().history.filter(history_type="+").count() == 1


class RulesInForceTests:
    def test_the_seeded_rules_are_in_force_today(self, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(1):
            in_force = selectors.rules_in_force()
        assert in_force.rules == DEFAULT_RULES
        assert (in_force.version_label, in_force.version_id) == ("1.0", seeded_version().pk)

    def test_picks_the_version_by_effective_date(self, personas: dict) -> None:
        admin = personas["admin"].user
        weights = {"market_development": 20, "sales_target": 60, "customer_satisfaction": 20}
        new_version(admin, "1.1", dt.date(2026, 7, 1), kpi_weights=weights)
        before = selectors.rules_in_force(on=dt.date(2026, 6, 30))
        after = selectors.rules_in_force(on=dt.date(2026, 7, 1))
        assert (before.version_label, before.rules.kpi_weights.sales_target) == ("1.0", 50)
        assert (after.version_label, after.rules.kpi_weights.sales_target) == ("1.1", 60)
        assert after.effective_from == dt.date(2026, 7, 1)

    def test_a_future_version_is_not_yet_in_force(self, personas: dict) -> None:
        future = selectors.policy_today() + dt.timedelta(days=30)
        new_version(personas["admin"].user, "2.0", future, contact_cadence_days={"A": 3})
        assert selectors.rules_in_force().version_label == "1.0"
        assert selectors.rules_in_force(on=future).rules.contact_cadence_days("A") == 3

    def test_drafts_never_count(self, personas: dict) -> None:
        new_version(personas["admin"].user, "1.1")
        assert selectors.rules_in_force(on=dt.date(2030, 1, 1)).version_label == "1.0"

    def test_before_the_policy_there_are_no_rules(self) -> None:
        with pytest.raises(selectors.NoPolicyInForce, match="2025-12-31"):
            selectors.rules_in_force(on=dt.date(2025, 12, 31))
        with pytest.raises(selectors.NoPolicyInForce):
            selectors.policy_in_force(on=dt.date(2025, 12, 31))


class VersionVisibilityTests:
    def test_staff_see_published_versions_only(self, personas: dict) -> None:
        draft = new_version(personas["admin"].user, "1.1")
        alice = personas["rep_alice"].user
        assert list(selectors.version_list(user=alice)) == [seeded_version()]
        with pytest.raises(Http404):
            selectors.version_get(user=alice, pk=draft.pk)

    def test_those_who_edit_drafts_see_them(self, personas: dict) -> None:
        admin = personas["admin"].user
        draft = new_version(admin, "1.1")
        assert set(selectors.version_list(user=admin)) == {draft, seeded_version()}
        assert selectors.version_get(user=admin, pk=draft.pk) == draft
