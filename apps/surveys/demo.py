"""The demo questionnaires: the default post-ticket one comes from migration 0002; this adds the quarterly customer
satisfaction survey (客户满意度季度调查). The campaigns and the answers, which need the service records, are loaded by
the service demo (``apps.service.demo.surveys``). Idempotent: the questionnaire is found by its title."""

from __future__ import annotations

from typing import Any

from apps.org.models import User
from apps.surveys.choices import QuestionKind
from apps.surveys.models import Question, Questionnaire

QUARTERLY_TITLE = "客户满意度季度调查"
K = QuestionKind
# kind, Chinese, English, options [(zh, en)], required
QUARTERLY_QUESTIONS = [
    (K.RATING, "您对我们产品质量的满意程度？", "How satisfied are you with the quality of our products?", [], True),
    (K.RATING, "您对交付与实施的满意程度？", "How satisfied are you with delivery and implementation?", [], True),
    (K.RATING, "您对售后服务的满意程度？", "How satisfied are you with our after-sales service?", [], True),
    (K.RATING, "您对我们的整体满意程度？", "Overall, how satisfied are you with us?", [], True),
    (
        K.SINGLE,
        "您主要使用我们的哪类产品？",
        "Which of our products do you mainly use?",
        [
            ("软件系统", "Software"),
            ("硬件设备", "Hardware"),
            ("实施与运维服务", "Implementation and operations"),
            ("以上都有", "All of these"),
        ],
        True,
    ),
    (
        K.MULTIPLE,
        "您希望我们在哪些方面改进？（可多选）",
        "Where should we improve? (choose any)",
        [
            ("响应速度", "Response speed"),
            ("产品稳定性", "Product stability"),
            ("价格", "Price"),
            ("培训与文档", "Training and documentation"),
            ("上门服务", "On-site service"),
        ],
        False,
    ),
    (
        K.NPS,
        "您有多大可能向朋友或同事推荐我们？",
        "How likely are you to recommend us to a friend or colleague?",
        [],
        True,
    ),
    (K.TEXT, "您对我们还有什么意见或建议？", "Anything else you would like to tell us?", [], False),
]


def load(stdout: Any) -> None:
    if Questionnaire.objects.filter(title=QUARTERLY_TITLE).exists():
        stdout.write("  surveys: questionnaires exist, skipped")
        return
    questionnaire = Questionnaire.objects.create(
        title=QUARTERLY_TITLE,
        title_en="Quarterly customer satisfaction survey",
        intro="感谢您一直以来对华信智能的支持！本问卷约需 2 分钟，您的意见将直接用于改进我们的产品和服务。",
        intro_en="Thank you for your continued support! This survey takes about two minutes; your answers go straight "
        "into improving our products and service.",
        is_active=True,
        created_by=User.objects.filter(username="cs_mgr").first(),
    )
    Question.objects.bulk_create(
        [
            Question(
                questionnaire=questionnaire,
                order=i,
                kind=kind,
                text=zh,
                text_en=en,
                required=required,
                options=[{"zh": o_zh, "en": o_en} for o_zh, o_en in options],
            )
            for i, (kind, zh, en, options, required) in enumerate(QUARTERLY_QUESTIONS, start=1)
        ]
    )
    stdout.write(f"  surveys: questionnaire “{QUARTERLY_TITLE}” with {len(QUARTERLY_QUESTIONS)} questions")
