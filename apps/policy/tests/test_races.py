"""Two leadership members at once (art. 14): closing the same decision, publishing the same version, answering the
same question. Threads released at the same instant, each with its own database connection (SQLite: a file database
whose transactions take the write lock when they begin; PostgreSQL with DATABASE_URL: the row locks)."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from apps.core.models import Notification
from apps.core.testing import run_together
from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.policy import services
from apps.policy.choices import DecisionOutcome, InterpretationStatus, PolicyVersionStatus, VoteChoice
from apps.policy.models import Interpretation, PolicyDecision, PolicyVersion
from apps.policy.selectors import active_employees
from apps.policy.tests.test_amendments import SHORTER_COMPLAINT, _tomorrow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def group(personas: dict) -> list[Any]:
    """The policy in force (a transactional test that ran before flushed the data migration's rows: seed it again,
    idempotent) and three members of the leadership group."""
    importlib.import_module("apps.policy.migrations.0002_seed_policy").seed(apps, None)
    company = personas["auditor_dave"].unit
    return [make_employee(f"lg{n}", f"领导{n}", company, BuiltinRole.LEADERSHIP_GROUP).user for n in (1, 2, 3)]


def refused(call: Any) -> Any:
    """The call's result, or the code of the ValidationError that refused it."""

    def work(index: int) -> Any:
        try:
            return call(index)
        except ValidationError as exc:
            return f"refused:{exc.error_list[0].code}"

    return work


def test_two_members_closing_the_decision_at_once_record_one_outcome_and_publish_once(group: list[Any]) -> None:
    draft = services.policy_version_draft_from_in_force(actor=group[0], label="1.1")
    services.policy_version_update_rules(actor=group[0], version=draft, rules=SHORTER_COMPLAINT)
    decision = services.policy_version_submit(actor=group[0], version=draft)
    for member in group[:2]:
        services.policy_vote_cast(actor=member, decision=decision, vote=VoteChoice.IN_FAVOUR)
    minutes = ["一致同意（甲记录）", "一致同意（乙记录）"]

    def close(i: int) -> Any:
        mine = PolicyDecision.objects.get(pk=decision.pk)
        return services.policy_decision_close(actor=group[i], decision=mine, minutes=minutes[i]).minutes

    results, errors = run_together(refused(close), 2)
    assert not errors, errors
    (closed,) = [r for r in results if not r.startswith("refused:")]
    (refusal,) = [r for r in results if r.startswith("refused:")]
    # The second finds the version decided (its row locked first) or the decision closed: refused either way.
    assert refusal in {"refused:not_allowed_now", "refused:decision_closed"}
    decision.refresh_from_db()
    assert decision.outcome == DecisionOutcome.APPROVED and decision.minutes == closed
    assert PolicyDecision.objects.filter(version=draft).count() == 1
    draft.refresh_from_db()
    assert draft.status == PolicyVersionStatus.APPROVED and draft.decision_note == closed
    assert draft.history.filter(status=PolicyVersionStatus.APPROVED).count() == 1

    day = _tomorrow()

    def publish(i: int) -> Any:
        mine = PolicyVersion.objects.get(pk=draft.pk)
        return services.policy_version_publish(actor=group[i], version=mine, effective_from=day).status

    Notification.objects.all().delete()
    results, errors = run_together(refused(publish), 2)
    assert not errors, errors
    assert Counter(results) == {PolicyVersionStatus.PUBLISHED: 1, "refused:not_allowed_now": 1}
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (PolicyVersionStatus.PUBLISHED, day)
    assert draft.history.filter(status=PolicyVersionStatus.PUBLISHED).count() == 1
    told = Counter(
        Notification.objects.filter(topic__startswith="policy_published:").values_list("recipient_id", flat=True)
    )
    assert set(told) == set(active_employees().values_list("pk", flat=True))
    assert set(told.values()) == {1}  # everyone told once, not twice


def _answered(asker: Any, member: Any, answer: str) -> Interpretation:
    from apps.policy.tests.factories import seeded_version

    article = seeded_version().articles.get(number=10)
    item = services.interpretation_ask(actor=asker, article=article, question="投诉的解决时限从何时起算?")
    if answer:
        services.interpretation_answer(actor=member, interpretation=item, answer=answer)
    return Interpretation.objects.get(pk=item.pk)


def test_two_answers_racing_keep_one_whole_answer(personas: dict, group: list[Any]) -> None:
    item = _answered(personas["rep_alice"].user, group[0], "")
    answers = ["自受理之时起算。", "自客户提出投诉之时起算，非工作时间不计。"]

    def answer(i: int) -> Any:
        mine = Interpretation.objects.get(pk=item.pk)
        return services.interpretation_answer(actor=group[i], interpretation=mine, answer=answers[i]).answer

    results, errors = run_together(answer, 2)
    assert not errors, errors
    assert sorted(results) == sorted(answers)  # both recorded, one after the other
    item.refresh_from_db()
    assert item.status == InterpretationStatus.ANSWERED
    # The answer kept is whole: its text and its author belong to the same call (the last one).
    assert (item.answer, item.answered_by) in {(answers[i], group[i]) for i in range(2)}
    kept = list(item.history.order_by("history_date").values_list("answer", "answered_by_id"))
    assert len(kept) == 3 and kept[-1] == (item.answer, item.answered_by_id)  # asked, answered, answered again


def test_an_answer_racing_the_publication_never_changes_what_was_published(personas: dict, group: list[Any]) -> None:
    asker = personas["rep_alice"].user
    item = _answered(asker, group[0], "自受理之时起算。")
    revised = "自客户提出投诉之时起算，非工作时间不计。"

    def move(i: int) -> Any:
        mine = Interpretation.objects.get(pk=item.pk)
        if i == 0:
            return services.interpretation_answer(actor=group[0], interpretation=mine, answer=revised).status
        return services.interpretation_publish(actor=group[1], interpretation=mine).status

    results, errors = run_together(refused(move), 2)
    assert not errors, errors
    item.refresh_from_db()
    assert item.status == InterpretationStatus.PUBLISHED
    if "refused:not_allowed" in results:  # published first: the revision came too late and changed nothing
        assert item.answer == "自受理之时起算。"
    else:  # revised first: the revision is what was published
        assert item.answer == revised
    # The asker is told the answer that was published, not the one the publisher's page showed.
    (told,) = Notification.objects.filter(recipient=asker, topic__startswith="interpretation:").exclude(body="")
    assert told.body == item.answer
