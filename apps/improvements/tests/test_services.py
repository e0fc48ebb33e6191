"""Improvement actions: raising within scope, the PDCA pipeline, verification rules, overdue, the workbench."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.models import Notification
from apps.improvements import selectors, services
from apps.improvements.choices import ImprovementStatus as S
from apps.improvements.tests.factories import ImprovementActionFactory
from apps.improvements.workbench import my_improvement_items

SOON = timezone.localdate() + dt.timedelta(days=7)


def _raise(actor: Any, owner: Any, **kwargs: Any) -> Any:
    return services.improvement_raise(actor=actor, title="缩短线索响应时间", owner=owner, due_date=SOON, **kwargs)


class RaiseTests:
    def test_a_manager_raises_for_someone_in_his_tree_who_is_told(self, personas: dict) -> None:
        bob, alice = personas["lead_bob"].user, personas["rep_alice"].user
        action = _raise(bob, alice)
        assert (action.status, action.owner, action.owner_unit) == (S.OPEN, alice, personas["rep_alice"].unit)
        assert Notification.objects.filter(recipient=alice, title__contains="缩短线索响应时间").exists()
        assert action.history.first().history_user == bob

    @pytest.mark.parametrize(
        "actor,owner", [("rep_alice", "rep_carol"), ("rep_alice", "lead_bob"), ("lead_bob", "rep_carol")]
    )
    def test_an_owner_outside_the_actors_scope_is_refused(self, personas: dict, actor: str, owner: str) -> None:
        with pytest.raises(ValidationError, match=str(services.OWNER_OUT_OF_SCOPE)):
            _raise(personas[actor].user, personas[owner].user)

    def test_senior_management_may_raise_for_anyone(self, personas: dict) -> None:
        assert _raise(personas["auditor_dave"].user, personas["rep_carol"].user).owner == personas["rep_carol"].user

    def test_a_due_date_in_the_past_is_refused(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        with pytest.raises(ValidationError):
            services.improvement_raise(
                actor=alice, title="x", owner=alice, due_date=timezone.localdate() - dt.timedelta(days=1)
            )


class LifecycleTests:
    def test_plan_do_check(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        action = _raise(bob, alice)
        services.improvement_start(actor=alice, action=action)
        with pytest.raises(ValidationError):
            services.improvement_complete(actor=alice, action=action, result="  ")
        services.improvement_complete(actor=alice, action=action, result="每日晨会过线索")
        assert action.status == S.DONE and action.completed_at is not None
        assert Notification.objects.filter(recipient=bob, title__contains="缩短线索响应时间").exists()  # please verify
        services.improvement_verify(actor=bob, action=action, effective=True, verification="响应时间降到2小时")
        action.refresh_from_db()
        assert (action.status, action.verified_by) == (S.VERIFIED, bob)
        assert action.available_statuses() == ()

    def test_ineffective_goes_back_to_rework(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        action = _raise(bob, alice)
        services.improvement_start(actor=alice, action=action)
        services.improvement_complete(actor=alice, action=action, result="做了")
        services.improvement_verify(actor=bob, action=action, effective=False, verification="没有变化")
        assert action.status == S.INEFFECTIVE
        services.improvement_start(actor=alice, action=action)
        assert action.status == S.IN_PROGRESS

    def test_the_owner_may_not_verify_their_own_action(self, personas: dict) -> None:
        bob = personas["lead_bob"].user
        action = _raise(bob, bob)
        services.improvement_start(actor=bob, action=action)
        services.improvement_complete(actor=bob, action=action, result="做了")
        with pytest.raises(ValidationError, match=str(services.VERIFIER_IS_OWNER)):
            services.improvement_verify(actor=bob, action=action, effective=True, verification="ok")
        action.refresh_from_db()
        assert action.status == S.DONE

    def test_staff_may_not_verify(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        action = _raise(bob, bob)
        services.improvement_start(actor=bob, action=action)
        services.improvement_complete(actor=bob, action=action, result="做了")
        with pytest.raises(PermissionDenied):
            services.improvement_verify(actor=alice, action=action, effective=True, verification="ok")

    def test_a_manager_outside_scope_may_not_verify(self, personas: dict) -> None:
        carol = personas["rep_carol"].user
        action = ImprovementActionFactory(owner=carol, status=S.DONE)
        with pytest.raises(PermissionDenied):
            services.improvement_verify(
                actor=personas["lead_bob"].user, action=action, effective=True, verification="ok"
            )

    def test_refused_moves_name_both_statuses_and_change_nothing(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        action = _raise(alice, alice)
        with pytest.raises(ValidationError, match=f"“{S.OPEN.label}”.*“{S.DONE.label}”"):
            services.improvement_complete(actor=alice, action=action, result="x")
        action.refresh_from_db()
        assert action.status == S.OPEN and action.result == ""

    def test_someone_else_cannot_work_on_an_action(self, personas: dict) -> None:
        action = _raise(personas["lead_bob"].user, personas["lead_bob"].user)
        with pytest.raises(PermissionDenied):
            services.improvement_start(actor=personas["rep_alice"].user, action=action)

    def test_cancel_needs_a_reason_kept_in_history(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        action = _raise(alice, alice)
        with pytest.raises(ValidationError):
            services.improvement_cancel(actor=alice, action=action, reason="")
        services.improvement_cancel(actor=alice, action=action, reason="已被其他措施覆盖")
        assert action.status == S.CANCELLED
        assert action.history.first().history_change_reason == "已被其他措施覆盖"


class OverdueTests:
    def test_overdue_is_past_due_and_still_open(self, personas: dict) -> None:
        alice = personas["rep_alice"].user
        past = timezone.localdate() - dt.timedelta(days=3)
        late = ImprovementActionFactory(owner=alice, due_date=past, title="迟了")
        ImprovementActionFactory(owner=alice, due_date=past, status=S.VERIFIED, title="完成了")
        ImprovementActionFactory(owner=alice, title="还早")
        overdue = selectors.improvement_list(user=alice, overdue=True)
        assert [a.title for a in overdue] == ["迟了"]
        items = my_improvement_items(alice)
        assert items[0].url.endswith(f"/{late.pk}/") and len(items) == 2

    def test_list_page_highlights_overdue_rows(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        ImprovementActionFactory(owner=alice.user, due_date=timezone.localdate() - dt.timedelta(days=1))
        body = alice.client().get("/improvements/").content.decode()
        assert 'data-overdue="1"' in body
