"""The improvement action pages, built on the generic scoped views: raise, edit, the PDCA moves as one POST
each; a service's refusal shows on the form (or as a message) and changes nothing; out of scope is 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.core.testing import shown
from apps.improvements import services
from apps.improvements.choices import ImprovementStatus as S
from apps.improvements.models import ImprovementAction
from apps.improvements.tests.factories import ImprovementActionFactory

pytestmark = pytest.mark.django_db
SOON = (timezone.localdate() + dt.timedelta(days=7)).isoformat()


def _action(owner: Any, **kwargs: Any) -> ImprovementAction:
    return ImprovementActionFactory(owner=owner, title="缩短线索响应时间", **kwargs)


def test_a_manager_raises_an_action_for_his_team(personas: dict) -> None:
    bob, alice = personas["lead_bob"], personas["rep_alice"].user
    client = bob.client()
    assert client.get(reverse("improvements:improvementaction_create")).status_code == 200
    response = client.post(
        reverse("improvements:improvementaction_create"),
        {"title": "每周复盘线索", "owner": alice.pk, "due_date": SOON, "source_kind": "other"},
    )
    action = ImprovementAction.objects.get(title="每周复盘线索")
    assert response.status_code == 302 and response["Location"] == reverse(
        "improvements:improvementaction_detail", args=[action.pk]
    )
    assert action.owner == alice and action.created_by == bob.user


def test_an_owner_out_of_scope_is_refused_on_the_form(personas: dict) -> None:
    carol = personas["rep_carol"].user
    response = (
        personas["rep_alice"]
        .client()
        .post(
            reverse("improvements:improvementaction_create"),
            {"title": "越权指派", "owner": carol.pk, "due_date": SOON, "source_kind": "other"},
        )
    )
    assert response.status_code == 200 and not ImprovementAction.objects.exists()


def test_a_past_due_date_comes_back_from_the_service_on_its_field(personas: dict) -> None:
    bob, alice = personas["lead_bob"], personas["rep_alice"].user
    past = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = bob.client().post(
        reverse("improvements:improvementaction_create"),
        {"title": "过去的期限", "owner": alice.pk, "due_date": past, "source_kind": "other"},
    )
    assert response.status_code == 200 and not ImprovementAction.objects.exists()
    assert shown(services.DUE_DATE_IN_PAST) in response.context["form"].errors["due_date"][0]


def test_leadership_may_not_raise(personas: dict, django_user_model: Any) -> None:
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_employee

    reader = make_employee("reader", "只读", personas["auditor_dave"].unit, BuiltinRole.LEADERSHIP_GROUP).user
    client = personas["admin"].client()
    client.force_login(reader)
    assert client.get(reverse("improvements:improvementaction_create")).status_code == 403


def test_edit_and_out_of_scope_edit(personas: dict) -> None:
    action = _action(personas["rep_alice"].user)
    url = reverse("improvements:improvementaction_update", args=[action.pk])
    client = personas["lead_bob"].client()
    form = client.get(url).context["form"]
    assert form.initial["title"] == "缩短线索响应时间"
    response = client.post(
        url, {"title": "改名后的措施", "owner": action.owner_id, "due_date": SOON, "description": "补充"}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.description) == ("改名后的措施", "补充")
    assert (
        personas["rep_carol"].client().post(url, {"title": "x", "owner": action.owner_id, "due_date": SOON}).status_code
        == 404
    )
    action.refresh_from_db()
    assert action.title == "改名后的措施"


def test_the_pdca_moves_and_a_refusal_as_a_message(personas: dict) -> None:
    alice, bob = personas["rep_alice"], personas["lead_bob"]
    action = _action(alice.user, created_by=bob.user)
    mine = alice.client()
    detail = reverse("improvements:improvementaction_detail", args=[action.pk])
    assert mine.post(reverse("improvements:improvementaction_start", args=[action.pk]))["Location"] == detail
    mine.post(reverse("improvements:improvementaction_complete", args=[action.pk]), {"result": "每日站会跟进"})
    action.refresh_from_db()
    assert (action.status, action.result) == (S.DONE, "每日站会跟进")
    refused = mine.post(
        reverse("improvements:improvementaction_verify", args=[action.pk]),
        {"effective": "1", "verification": "自己验收"},
        follow=True,
    )
    action.refresh_from_db()
    assert action.status == S.DONE and refused.status_code == 200
    assert [m.level_tag for m in refused.context["messages"]][-1] == "error"
    bob.client().post(
        reverse("improvements:improvementaction_verify", args=[action.pk]),
        {"effective": "1", "verification": "响应时间减半"},
    )
    action.refresh_from_db()
    assert (action.status, action.verified_by) == (S.VERIFIED, bob.user)


def test_a_move_with_an_invalid_form_changes_nothing(personas: dict) -> None:
    alice = personas["rep_alice"]
    action = _action(alice.user, status=S.IN_PROGRESS)
    client = alice.client()
    response = client.post(reverse("improvements:improvementaction_complete", args=[action.pk]), {"result": ""})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == S.IN_PROGRESS
    assert client.get(reverse("improvements:improvementaction_start", args=[action.pk])).status_code == 405


def test_moves_out_of_scope_are_404(personas: dict) -> None:
    action = _action(personas["rep_alice"].user)
    client = personas["rep_carol"].client()
    assert client.post(reverse("improvements:improvementaction_start", args=[action.pk])).status_code == 404
    action.refresh_from_db()
    assert action.status == S.OPEN


def test_the_list_answers_htmx_with_the_rows_only(personas: dict) -> None:
    _action(personas["rep_alice"].user)
    client = personas["rep_alice"].client()
    full = client.get(reverse("improvements:improvementaction_list")).content.decode()
    rows = client.get(reverse("improvements:improvementaction_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "缩短线索响应时间" in rows and "<html" in full and "<html" not in rows
