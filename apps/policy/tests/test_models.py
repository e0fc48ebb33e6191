"""Article numbering the way Chinese documents write it, and texts in the interface language."""

from __future__ import annotations

import pytest
from django.utils import translation

from apps.policy.models import Article, chinese_number


@pytest.mark.parametrize(
    ("n", "text"), [(1, "一"), (10, "十"), (11, "十一"), (15, "十五"), (20, "二十"), (21, "二十一"), (99, "九十九")]
)
def test_chinese_numbers(n: int, text: str) -> None:
    assert chinese_number(n) == text


class ArticleLanguageTests:
    def article(self) -> Article:
        return Article(
            chapter_number=5,
            chapter_title_zh="其他",
            chapter_title_en="Other",
            number=15,
            title_zh="附则",
            title_en="Supplementary provisions",
            text_zh="本制度自颁布之日起执行。",
            text_en="The policy takes effect when promulgated.",
        )

    def test_chinese_interface_shows_the_original(self) -> None:
        with translation.override("zh-hans"):
            article = self.article()
            assert (article.label, article.chapter_label, article.title) == ("第十五条", "第五章", "附则")
            assert article.alternate_text == "The policy takes effect when promulgated."

    def test_english_interface_shows_the_rendering(self) -> None:
        with translation.override("en"):
            article = self.article()
            assert (article.label, article.chapter_label, article.title) == (
                "Article 15",
                "Chapter 5",
                "Supplementary provisions",
            )
            assert article.alternate_text == "本制度自颁布之日起执行。"

    def test_without_english_the_original_is_shown(self) -> None:
        article = self.article()
        article.title_en = article.text_en = ""
        with translation.override("en"):
            assert (article.title, article.text) == ("附则", "本制度自颁布之日起执行。")
