"""Demo of the read acknowledgement, interpretations and review (arts. 14, 15). Idempotent.

About 80 % of the active employees have confirmed version 1.0 (``sales1`` has not, so the banner shows for him), two
questions have published answers beside their articles, and 1.0's review is overdue, with the reminder sent to the
leadership group.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from apps.org.models import Employee, User
from apps.policy import selectors, services
from apps.policy.choices import InterpretationStatus, PolicyVersionStatus
from apps.policy.models import Interpretation, PolicyAcknowledgement, PolicyVersion

UNCONFIRMED_EVERY = 5  # one employee in five has not confirmed yet
KEEP_UNCONFIRMED = {"sales1"}
QUESTIONS = [
    (
        "cs1",
        10,
        "投诉类工单的解决时限是从客户来电时起算，还是从工单受理时起算？",
        "从工单受理（系统创建工单）之时起，按工作小时计算；等待客户回复期间暂停计时。",
    ),
    (
        "mkt1",
        5,
        "市场开发部移交给销售部的线索，成交后业绩如何归属？",
        "线索移交后由接收的销售人员跟进，成交业绩计入签约时销售人员所在部门；市场开发部按“移交合格线索数”考核。",
    ),
]
OVERDUE_DAYS = 5


def load(stdout: Any) -> None:
    try:
        version = selectors.policy_in_force()
    except selectors.NoPolicyInForce:
        return
    ceo = User.objects.filter(username="ceo").first()
    if ceo is None:
        return
    services.policy_acknowledgements_request(version=version, send=False)
    if not PolicyAcknowledgement.objects.filter(version=version, confirmed_at__isnull=False).exists():
        people = list(
            Employee.objects.filter(is_active=True, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        unconfirmed = {e.user.username for e in people if e.user.username in KEEP_UNCONFIRMED}
        for n, employee in enumerate(people):
            if len(unconfirmed) >= round(len(people) / UNCONFIRMED_EVERY):
                break
            if n % UNCONFIRMED_EVERY == UNCONFIRMED_EVERY - 1:
                unconfirmed.add(employee.user.username)
        for employee in people:
            if employee.user.username not in unconfirmed:
                services.policy_acknowledgement_confirm(actor=employee.user, version=version)
    for username, number, question, answer in QUESTIONS:
        asker = User.objects.filter(username=username).first()
        if asker is None or Interpretation.objects.filter(question=question).exists():
            continue
        item = services.interpretation_ask(actor=asker, article=version.articles.get(number=number), question=question)
        services.interpretation_answer(actor=ceo, interpretation=item, answer=answer)
        services.interpretation_publish(actor=ceo, interpretation=item)
    today = selectors.policy_today()
    overdue = today - dt.timedelta(days=OVERDUE_DAYS)
    if (
        version.status == PolicyVersionStatus.IN_FORCE
        and not version.reviews.exists()
        and version.effective_from is not None
        and version.effective_from < overdue
    ):
        PolicyVersion.objects.filter(pk=version.pk).update(next_review_on=overdue)
        services.policy_reviews_remind_due(on=today)
    confirmed = PolicyAcknowledgement.objects.filter(version=version, confirmed_at__isnull=False).count()
    asked = PolicyAcknowledgement.objects.filter(version=version).count()
    published = Interpretation.objects.filter(status=InterpretationStatus.PUBLISHED).count()
    stdout.write(
        f"policy: {confirmed}/{asked} confirmed {version.label}, {published} interpretations published, "
        f"review due {overdue.isoformat()}"
    )
