"""The effectiveness check (policy arts. 8–10, issue 13: "an effectiveness check at the next evaluation — did the
figure it was meant to move, move?"): an action names the figure, its value when raised and the way it should go;
after verification the figure is read again at the next evaluation (by the frequency the policy in force gives the
evaluation that raised it); moved the right way it stays verified, else it goes back to the owner to rework. Who may
check: the verifiers in scope, never the owner, a read-only leadership member or someone out of scope; not early."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.core.models import Notification
from apps.core.workdays import TZ
from apps.improvements import selectors, services
from apps.improvements.choices import EffectDirection, ImprovementSource
from apps.improvements.choices import ImprovementStatus as S
from apps.improvements.models import ImprovementAction

pytestmark = pytest.mark.django_db
SOON = timezone.localdate() + dt.timedelta(days=7)


def _raise(actor: Any, owner: Any, **kwargs: Any) -> ImprovementAction:
    effect = {
        "effect_measure": "投诉按时解决率 (%)",
        "effect_baseline": Decimal("80.00"),
        "effect_direction": EffectDirection.UP,
    }
    return services.improvement_raise(
        actor=actor, title="投诉处理提速", owner=owner, due_date=SOON, **{**effect, **kwargs}
    )


def _done_and_verified(action: ImprovementAction, owner: Any, verifier: Any) -> ImprovementAction:
    services.improvement_start(actor=owner, action=action)
    services.improvement_complete(actor=owner, action=action, result="每日复盘超时工单")
    services.improvement_verify(actor=verifier, action=action, effective=True, verification="措施已落实")
    action.refresh_from_db()
    return action


@pytest.mark.parametrize(
    "source,day,expected",
    [
        (ImprovementSource.COMPLAINT, dt.date(2026, 11, 20), dt.date(2026, 12, 1)),  # monthly department report
        (ImprovementSource.OTHER, dt.date(2026, 12, 31), dt.date(2027, 1, 1)),  # across the year end
        (ImprovementSource.SALES_EVALUATION, dt.date(2026, 2, 1), dt.date(2026, 3, 1)),  # monthly by the policy
        (ImprovementSource.SURVEY, dt.date(2026, 5, 3), dt.date(2026, 7, 1)),  # the survey is quarterly
        (ImprovementSource.SURVEY, dt.date(2026, 11, 20), dt.date(2027, 1, 1)),
    ],
)
def test_the_next_evaluation_follows_the_policys_frequency(source: str, day: dt.date, expected: dt.date) -> None:
    from apps.policy.selectors import rules_in_force

    frequencies = rules_in_force(day).rules.evaluation_frequencies
    assert frequencies.satisfaction_survey == "quarterly" and frequencies.sales_target_evaluation == "monthly"
    assert selectors.next_evaluation_on(source, day) == expected


def test_the_figure_is_named_whole_or_not_at_all(personas: dict) -> None:
    bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
    with pytest.raises(ValidationError, match=str(services.EFFECT_INCOMPLETE)):
        _raise(bob, alice, effect_direction="")
    assert not ImprovementAction.objects.exists()
    action = _raise(bob, alice, effect_measure="", effect_baseline=None, effect_direction="")
    with pytest.raises(ValidationError, match=str(services.EFFECT_INCOMPLETE)):
        services.improvement_update(actor=bob, action=action, data={"effect_baseline": Decimal("1")})


def test_a_figure_that_did_not_move_sends_the_action_back_and_one_that_moved_closes_it(personas: dict) -> None:
    bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
    action = _done_and_verified(_raise(bob, alice), alice, bob)
    due = selectors.next_evaluation_on(ImprovementSource.OTHER, timezone.localdate())
    assert (action.status, action.effect_check_on, action.awaits_effect_check) == (S.VERIFIED, due, True)
    # not before the next evaluation
    with pytest.raises(ValidationError, match=due.isoformat()):
        services.improvement_check_effect(actor=bob, action=action, value=Decimal("95"), today=due - dt.timedelta(1))
    action.refresh_from_db()
    assert action.effect_checked_at is None and action.status == S.VERIFIED
    # 80 → 78: it should have risen; back to alice, who is told
    told = Notification.objects.filter(recipient=alice, title__contains="投诉处理提速").count()
    services.improvement_check_effect(actor=bob, action=action, value=Decimal("78.00"), note="无改善", today=due)
    action.refresh_from_db()
    assert (action.status, action.effect_moved, action.effect_value) == (S.INEFFECTIVE, False, Decimal("78.00"))
    assert action.effect_checked_by == bob
    assert Notification.objects.filter(recipient=alice, title__contains="投诉处理提速").count() == told + 1
    # reworked, verified again: a new check is due, and this time the figure rose
    action = _done_and_verified(action, alice, bob)
    assert action.awaits_effect_check and action.effect_value is None and action.effect_moved is None
    services.improvement_check_effect(actor=bob, action=action, value=Decimal("92.50"), today=action.effect_check_on)
    action.refresh_from_db()
    assert (action.status, action.effect_moved) == (S.VERIFIED, True)
    assert not action.awaits_effect_check and action.available_statuses() == ()
    with pytest.raises(ValidationError, match=str(services.NOT_AWAITING_CHECK)):
        services.improvement_check_effect(actor=bob, action=action, value=Decimal("99"), today=action.effect_check_on)


def test_a_figure_that_should_fall_and_one_named_at_the_check(personas: dict) -> None:
    bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
    falling = _done_and_verified(
        _raise(bob, alice, effect_measure="投诉数", effect_baseline=Decimal("8"), effect_direction="down"), alice, bob
    )
    services.improvement_check_effect(actor=bob, action=falling, value=Decimal("5"), today=falling.effect_check_on)
    falling.refresh_from_db()
    assert (falling.status, falling.effect_moved) == (S.VERIFIED, True)
    unnamed = _done_and_verified(
        _raise(bob, alice, effect_measure="", effect_baseline=None, effect_direction=""), alice, bob
    )
    with pytest.raises(ValidationError, match=str(services.EFFECT_INCOMPLETE)):
        services.improvement_check_effect(actor=bob, action=unnamed, value=Decimal("5"), today=unnamed.effect_check_on)
    services.improvement_check_effect(
        actor=bob,
        action=unnamed,
        value=Decimal("5"),
        effect_measure="首次响应超时数",
        effect_baseline=Decimal("5"),
        effect_direction="down",
        today=unnamed.effect_check_on,
    )
    unnamed.refresh_from_db()
    assert (unnamed.status, unnamed.effect_moved, unnamed.effect_measure) == (S.INEFFECTIVE, False, "首次响应超时数")


def test_who_may_not_check(personas: dict, django_user_model: Any) -> None:
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_employee

    bob, alice, carol = personas["lead_bob"].user, personas["rep_alice"].user, personas["rep_carol"].user
    reader = make_employee("lg", "领导小组成员", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    action = _done_and_verified(_raise(bob, alice), alice, bob)
    for person in (alice, carol, reader):  # the owner, a colleague out of scope, a read-only leadership member
        with pytest.raises((PermissionDenied, ValidationError)):
            services.improvement_check_effect(
                actor=person, action=action, value=Decimal("99"), today=action.effect_check_on
            )
    action.refresh_from_db()
    assert action.awaits_effect_check and action.effect_value is None


def test_the_check_on_the_page_only_once_due(personas: dict) -> None:
    bob, alice = personas["lead_bob"], personas["rep_alice"]
    action = _done_and_verified(_raise(bob.user, alice.user), alice.user, bob.user)
    detail = reverse("improvements:improvementaction_detail", args=[action.pk])
    check = reverse("improvements:improvementaction_check", args=[action.pk])
    page = bob.client().get(detail).content.decode()
    assert 'data-testid="effect-check-form"' not in page and action.effect_check_on.isoformat() in page
    with time_machine.travel(dt.datetime.combine(action.effect_check_on, dt.time(10), TZ), tick=False):
        client = bob.client()
        assert 'data-testid="effect-check-form"' in client.get(detail).content.decode()
        assert 'data-testid="effect-check-form"' not in alice.client().get(detail).content.decode()
        assert alice.client().post(check, {"value": "99"}).status_code == 302  # refused with a message
        action.refresh_from_db()
        assert action.effect_value is None
        assert personas["rep_carol"].client().post(check, {"value": "99"}).status_code == 404
        response = client.post(check, {"value": "85.5", "note": "季度复核"})
        assert response.status_code == 302
    action.refresh_from_db()
    assert (action.status, action.effect_value, action.effect_note) == (S.VERIFIED, Decimal("85.50"), "季度复核")
    page = bob.client().get(detail).content.decode()
    assert 'data-testid="effect-check"' in page and "85.50" in page


def test_the_raiser_finds_the_check_due_on_the_workbench(personas: dict) -> None:
    from apps.improvements.workbench import my_improvement_items

    bob, alice, dave = personas["lead_bob"].user, personas["rep_alice"].user, personas["auditor_dave"].user
    action = _done_and_verified(_raise(bob, alice), alice, bob)
    checks = [i for i in my_improvement_items(bob) if i.url.endswith(f"/{action.pk}/")]
    assert checks == []  # not yet due
    with time_machine.travel(dt.datetime.combine(action.effect_check_on, dt.time(10), TZ), tick=False):
        (item,) = [i for i in my_improvement_items(bob) if i.url.endswith(f"/{action.pk}/")]
        assert item.due == action.effect_check_on and "投诉处理提速" in item.title
        assert not [i for i in my_improvement_items(alice) if i.due == action.effect_check_on]  # the owner: no
        assert not [i for i in my_improvement_items(dave) if i.url.endswith(f"/{action.pk}/")]  # not his to check
        services.improvement_check_effect(actor=bob, action=action, value=Decimal("90"))
        assert not [i for i in my_improvement_items(bob) if i.url.endswith(f"/{action.pk}/")]


def test_the_api_names_the_figure_and_records_the_check(personas: dict) -> None:
    bob, alice = personas["lead_bob"], personas["rep_alice"]
    created = bob.client().post(
        "/api/v1/improvement-actions/",
        {
            "title": "投诉处理提速",
            "owner": alice.user.pk,
            "due_date": SOON.isoformat(),
            "effect_measure": "投诉数",
            "effect_baseline": "12",
            "effect_direction": "down",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    half = bob.client().post(
        "/api/v1/improvement-actions/",
        {"title": "x", "owner": alice.user.pk, "due_date": SOON.isoformat(), "effect_measure": "投诉数"},
        content_type="application/json",
    )
    assert half.status_code == 400
    action = ImprovementAction.objects.get(pk=created.json()["id"])
    action = _done_and_verified(action, alice.user, bob.user)
    url = f"/api/v1/improvement-actions/{action.pk}/check-effect/"
    assert bob.client().post(url, {"value": "9"}, content_type="application/json").status_code == 400  # not yet due
    with time_machine.travel(dt.datetime.combine(action.effect_check_on, dt.time(10), TZ), tick=False):
        assert alice.client().post(url, {"value": "9"}, content_type="application/json").status_code == 403
        assert (
            personas["rep_carol"].client().post(url, {"value": "9"}, content_type="application/json").status_code == 404
        )
        response = bob.client().post(url, {"value": "9", "note": "季度复核"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["effect_moved"], body["effect_value"]) == ("verified", True, "9.00")
    assert body["effect_checked_by"]["id"] == bob.user.pk
