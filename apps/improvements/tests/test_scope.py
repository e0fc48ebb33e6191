"""The data-scope matrix of improvement actions (selector, page, API) and the API's PDCA moves."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.improvements.models import ImprovementAction
from apps.improvements.tests.factories import ImprovementActionFactory


class ImprovementActionScopeTests(core_testing.ScopeMatrixTests):
    model = ImprovementAction
    list_url = "/improvements/"
    api_list_url = "/api/v1/improvement-actions/"
    detail_route = "improvements:improvementaction_detail"

    def make(self, persona: Persona) -> ImprovementAction:
        return ImprovementActionFactory(owner=persona.user, title=f"措施-{persona.key}")

    def label(self, record: ImprovementAction) -> str:
        return record.title


def test_api_raise_and_verify(personas: dict) -> None:
    bob, alice = personas["lead_bob"], personas["rep_alice"]
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    created = bob.client().post(
        "/api/v1/improvement-actions/",
        {"title": "API 措施", "owner": alice.user.pk, "due_date": due},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    client = alice.client()
    assert client.post(f"/api/v1/improvement-actions/{pk}/start/").status_code == 200
    assert (
        client.post(
            f"/api/v1/improvement-actions/{pk}/complete/", {"result": "做了"}, content_type="application/json"
        ).json()["status"]
        == "done"
    )
    refused = client.post(
        f"/api/v1/improvement-actions/{pk}/verify/",
        {"effective": True, "verification": "x"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    verified = bob.client().post(
        f"/api/v1/improvement-actions/{pk}/verify/",
        {"effective": True, "verification": "有效"},
        content_type="application/json",
    )
    assert verified.json()["status"] == "verified"


def test_api_refuses_an_owner_out_of_scope(personas: dict) -> None:
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = (
        personas["rep_alice"]
        .client()
        .post(
            "/api/v1/improvement-actions/",
            {"title": "x", "owner": personas["rep_carol"].user.pk, "due_date": due},
            content_type="application/json",
        )
    )
    assert response.status_code == 400 and "owner" in response.json()
