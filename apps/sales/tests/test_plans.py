"""Sales plans (art. 9): refused without cited intelligence (create and submit), the approval rules (a manager
whose scope covers it, not the owner), notifications to the responsible people, progress and overdue items, and
the scope matrix."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy

from apps.core import testing as core_testing
from apps.core.models import Notification
from apps.core.testing import Persona, shown
from apps.marketing.choices import IntelStatus
from apps.marketing.tests.factories_leads import IntelFactory
from apps.sales.choices import SalesPlanStatus
from apps.sales.models import SalesPlan, SalesPlanAction
from apps.sales.selectors.plans import plan_actions, plan_progress
from apps.sales.services import plans as svc
from apps.sales.tests.factories_pipeline import SalesPlanActionFactory, SalesPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def intel(personas: dict) -> Any:
    return IntelFactory(owner=personas["rep_alice"].user, status=IntelStatus.PUBLISHED)


def _data(intel: list) -> dict[str, Any]:
    return {
        "title": "华东区上半年销售计划",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 6, 30),
        "strategy": "聚焦制造业",
        "intel": intel,
    }


def _actions(person: Any) -> list[dict[str, Any]]:
    return [
        {
            "title": "拜访重点客户",
            "responsible": person,
            "start_date": dt.date(2026, 1, 5),
            "due_date": dt.date(2026, 2, 28),
        }
    ]


class CreateAndSubmitTests:
    def test_a_plan_citing_no_intelligence_is_refused_on_create(self, personas: dict) -> None:
        with pytest.raises(ValidationError) as info:
            svc.salesplan_create(actor=personas["rep_alice"].user, data=_data([]))
        assert "intel" in info.value.message_dict and not SalesPlan.objects.exists()

    def test_the_form_shows_the_refusal(self, personas: dict, intel: Any) -> None:
        alice = personas["rep_alice"]
        response = alice.client().post(
            reverse("sales:plan_create"),
            {
                "title": "计划",
                "period_start": "2026-01-01",
                "period_end": "2026-06-30",
                "strategy": "策略",
                "actions-TOTAL_FORMS": "0",
                "actions-INITIAL_FORMS": "0",
            },
        )
        assert response.status_code == 200 and shown(svc.NO_INTEL) in response.content.decode()
        assert not SalesPlan.objects.exists()

    def test_a_plan_that_lost_its_intelligence_cannot_be_submitted(self, personas: dict, intel: Any) -> None:
        alice = personas["rep_alice"].user
        plan = svc.salesplan_create(actor=alice, data=_data([intel]), actions=_actions(alice))
        plan.intel.clear()
        with pytest.raises(ValidationError) as info:
            svc.salesplan_submit(actor=alice, plan=plan)
        assert "intel" in info.value.message_dict
        plan.refresh_from_db()
        assert plan.status == SalesPlanStatus.DRAFT

    def test_the_picker_offers_published_intelligence_to_a_sales_person(self, personas: dict) -> None:
        published = IntelFactory(owner=personas["rep_carol"].user, status=IntelStatus.PUBLISHED, title="已发布情报")
        IntelFactory(owner=personas["rep_carol"].user, status=IntelStatus.DRAFT, title="草稿情报")
        body = personas["rep_alice"].client().get(reverse("sales:plan_create")).content.decode()
        assert published.title in body and "草稿情报" not in body


class ApprovalTests:
    @pytest.fixture
    def submitted(self, personas: dict, intel: Any) -> SalesPlan:
        alice = personas["rep_alice"].user
        plan = svc.salesplan_create(actor=alice, data=_data([intel]), actions=_actions(alice))
        return svc.salesplan_submit(actor=alice, plan=plan)

    def test_the_owner_cannot_approve_their_own_plan(self, personas: dict, intel: Any) -> None:
        bob = personas["lead_bob"].user
        plan = svc.salesplan_create(actor=bob, data=_data([intel]), actions=_actions(bob))
        svc.salesplan_submit(actor=bob, plan=plan)
        with pytest.raises(ValidationError):
            svc.salesplan_approve(actor=bob, plan=plan)

    def test_a_manager_outside_the_scope_cannot_approve(self, personas: dict, submitted: SalesPlan) -> None:
        with pytest.raises(PermissionDenied):
            svc.salesplan_approve(actor=personas["rep_carol"].user, plan=submitted)

    def test_the_manager_approves_and_the_responsible_people_are_told(
        self, personas: dict, submitted: SalesPlan
    ) -> None:
        svc.salesplan_approve(actor=personas["lead_bob"].user, plan=submitted)
        submitted.refresh_from_db()
        assert (submitted.status, submitted.approved_by) == (SalesPlanStatus.APPROVED, personas["lead_bob"].user)
        assert Notification.objects.filter(
            recipient=personas["rep_alice"].user, url=reverse("sales:plan_detail", args=[submitted.pk])
        ).exists()
        svc.salesplan_start(actor=personas["rep_alice"].user, plan=submitted)
        svc.salesplan_close(actor=personas["rep_alice"].user, plan=submitted)
        submitted.refresh_from_db()
        assert submitted.status == SalesPlanStatus.CLOSED

    def test_each_move_button_takes_its_move_and_says_so(self, personas: dict, intel: Any) -> None:
        alice, bob = personas["rep_alice"], personas["lead_bob"]
        plan = svc.salesplan_create(actor=alice.user, data=_data([intel]), actions=_actions(alice.user))
        St = SalesPlanStatus
        for who, move, status, message in (
            (alice, "submit", St.SUBMITTED, gettext_lazy("Plan submitted for approval.")),
            (bob, "return", St.DRAFT, gettext_lazy("Plan sent back to its owner.")),
            (alice, "submit", St.SUBMITTED, gettext_lazy("Plan submitted for approval.")),
            (bob, "approve", St.APPROVED, gettext_lazy("Plan approved; the people responsible have been told.")),
            (alice, "start", St.EXECUTING, gettext_lazy("Plan is now in execution.")),
            (alice, "close", St.CLOSED, gettext_lazy("Plan closed.")),
        ):
            response = who.client().post(reverse(f"sales:plan_{move}", args=[plan.pk]), follow=True)
            plan.refresh_from_db()
            assert plan.status == status, move
            assert shown(message) in response.content.decode(), move

    def test_only_a_draft_can_be_edited(self, personas: dict, submitted: SalesPlan) -> None:
        with pytest.raises(ValidationError):
            svc.salesplan_update(actor=personas["rep_alice"].user, plan=submitted, data={"title": "改"})


def test_progress_is_the_average_and_overdue_items_are_marked(personas: dict) -> None:
    alice = personas["rep_alice"].user
    plan = SalesPlanFactory(owner=alice)
    SalesPlanActionFactory(plan=plan, responsible=alice, progress=100, status="done", due_date=dt.date(2026, 1, 31))
    SalesPlanActionFactory(plan=plan, responsible=alice, progress=20, due_date=dt.date(2026, 1, 31))
    SalesPlanActionFactory(plan=plan, responsible=alice, progress=0, due_date=dt.date(2026, 12, 31))
    actions = plan_actions(plan=plan, today=dt.date(2026, 3, 1))
    assert plan_progress(actions) == 40
    assert [a.overdue for a in actions] == [False, True, False]
    body = personas["rep_alice"].client().get(reverse("sales:plan_detail", args=[plan.pk])).content.decode()
    assert "40%" in body


class SalesPlanScopeTests(core_testing.ScopeMatrixTests):
    model = SalesPlan
    list_url = "/sales/plans/"
    api_list_url = "/api/v1/sales-plans/"
    detail_route = "sales:plan_detail"

    def make(self, persona: Persona) -> SalesPlan:
        return SalesPlanFactory(owner=persona.user, title=f"范围计划{persona.key}")

    def label(self, record: SalesPlan) -> str:
        return record.title


class SalesPlanActionScopeTests(core_testing.ParentScopeMatrixTests):
    """Action items are seen through their plan (and by the person responsible, who here is the owner)."""

    model = SalesPlanAction
    parent = "plan"
    parent_label = "title"
    list_url = "/sales/plans/"
    api_list_url = "/api/v1/sales-plans/"
    detail_route = "sales:plan_detail"

    def make(self, persona: Persona) -> SalesPlanAction:
        plan = SalesPlanFactory(owner=persona.user, title=f"行动范围{persona.key}")
        return SalesPlanActionFactory(plan=plan, responsible=persona.user)


class ActionDoneAtTests:
    """``done_at``: when an action item was marked done (what "sales plan actions done on time" compares with the due
    date), set by the services only, kept while the item stays done, cleared when it is reopened."""

    def test_marking_done_stamps_the_moment_and_reopening_clears_it(self, personas: dict) -> None:
        from django.utils import timezone

        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        plan = SalesPlanFactory(owner=bob, status=SalesPlanStatus.EXECUTING)
        action = SalesPlanActionFactory(plan=plan, responsible=alice)
        before = timezone.now()
        svc.salesplan_action_progress(actor=alice, action=action, progress=60)
        action.refresh_from_db()
        assert action.done_at is None
        svc.salesplan_action_progress(actor=alice, action=action, progress=100)
        action.refresh_from_db()
        assert action.status == "done" and before <= action.done_at <= timezone.now()
        stamped = action.done_at
        svc.salesplan_action_progress(actor=bob, action=action, progress=100, note="已复核")
        action.refresh_from_db()
        assert action.done_at == stamped  # still done: the moment it became done stays
        svc.salesplan_action_progress(actor=alice, action=action, progress=80)
        action.refresh_from_db()
        assert action.status == "doing" and action.done_at is None

    def test_people_who_may_not_update_the_item_leave_it_as_it_was(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        plan = SalesPlanFactory(owner=bob, status=SalesPlanStatus.EXECUTING)
        action = SalesPlanActionFactory(plan=plan, responsible=alice)
        for outsider in ("rep_carol", "auditor_dave"):  # out of scope; sees it but only reads
            with pytest.raises(ValidationError):
                svc.salesplan_action_progress(actor=personas[outsider].user, action=action, progress=100)
            action.refresh_from_db()
            assert action.status == "todo" and action.done_at is None

    def test_the_api_shows_done_at_and_does_not_take_it(self, personas: dict) -> None:
        alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
        plan = SalesPlanFactory(owner=bob, status=SalesPlanStatus.EXECUTING)
        action = SalesPlanActionFactory(plan=plan, responsible=alice)
        svc.salesplan_action_progress(actor=alice, action=action, progress=100)
        action.refresh_from_db()
        row = personas["lead_bob"].client().get(f"/api/v1/sales-plans/{plan.pk}/").json()["actions"][0]
        assert row["done_at"] is not None and row["status"] == "done"
        assert "done_at" not in svc.ACTION_FIELDS
