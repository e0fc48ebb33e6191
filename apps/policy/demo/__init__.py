"""The policy's demo records: version 1.0 (seeded by migration 0002, in force) with the leadership group's
decision on it, and a draft 1.1 that shortens the resolution deadline of high-priority complaints, gives the
sales target more weight and says so in article 10. Idempotent: the decision and the draft are found first."""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.org.models import User
from apps.policy import services
from apps.policy.choices import VoteChoice
from apps.policy.demo import ack as demo_ack
from apps.policy.models import PolicyVersion
from apps.policy.seed_data import POLICY_CODE, VERSION_LABEL

DRAFT_LABEL = "1.1"
DRAFT_RULES = {
    "service_deadlines": {"complaint": {"high": {"resolution_hours": 8}}},
    "kpi_weights": {"market_development": 25, "sales_target": 55, "customer_satisfaction": 20},
}
ARTICLE_10_ADDITION = "高优先级客户投诉须在8个工作小时内解决。"


def load(stdout: Any) -> None:
    ceo, vp = User.objects.filter(username="ceo").first(), User.objects.filter(username="vp_ops").first()
    version = PolicyVersion.objects.filter(policy__code=POLICY_CODE, label=VERSION_LABEL).first()
    if ceo is None or vp is None or version is None:
        stdout.write("  policy: the demo organisation or version 1.0 is missing, skipped")
        return
    if not version.decisions.exists():
        meeting = (version.effective_from or dt.date.today()) - dt.timedelta(days=7)
        services.policy_decision_record_past(
            actor=ceo,
            version=version,
            meeting_date=meeting,
            votes={ceo: VoteChoice.IN_FAVOUR, vp: VoteChoice.IN_FAVOUR},
            minutes="领导小组审议《公司市场开发及销售管理制度》1.0 版，全体成员赞成，同意颁布执行。",
        )
        stdout.write("  policy: the leadership group's decision on 1.0 recorded")
    if not PolicyVersion.objects.filter(policy__code=POLICY_CODE, label=DRAFT_LABEL).exists():
        draft = services.policy_version_draft_from_in_force(actor=ceo, label=DRAFT_LABEL)
        services.policy_version_update_rules(actor=ceo, version=draft, rules=DRAFT_RULES)
        article = draft.articles.get(number=10)
        services.policy_article_update(
            actor=ceo, article=article, data={"text_zh": f"{article.text_zh}{ARTICLE_10_ADDITION}"}
        )
        stdout.write("  policy: draft 1.1 created")
    demo_ack.load(stdout)
