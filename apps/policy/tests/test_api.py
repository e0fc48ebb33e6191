"""The policy API: versions with diff/ and impact/, the flow's moves, decisions with votes — and who is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rest_framework.test import APIClient

from apps.policy import selectors
from apps.policy.choices import PolicyVersionStatus
from apps.policy.models import PolicyVersion
from apps.policy.tests.test_amendments import _draft, group_fixture  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db
VERSIONS = "/api/v1/policy-versions/"
DECISIONS = "/api/v1/policy-decisions/"


def _api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_amendment_flow_through_the_api(personas: dict, group: list) -> None:
    ceo, vp = _api(group[0]), _api(group[1])
    created = ceo.post(VERSIONS, {"label": "1.1"}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["allowed_actions"] == ["edit", "submit"]
    bad = ceo.patch(
        f"{VERSIONS}{pk}/",
        {"rules": {"kpi_weights": {"sales_target": 70}}},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert bad.status_code == 400
    assert "考核指标权重" in bad.content.decode()
    ok = ceo.patch(
        f"{VERSIONS}{pk}/",
        {"rules": {"service_deadlines": {"complaint": {"high": {"resolution_hours": 8}}}}},
        format="json",
    )
    assert ok.status_code == 200
    diff = ceo.get(f"{VERSIONS}{pk}/diff/").json()
    assert [r["new"] for r in diff["rules"]] == ["8"]
    assert ceo.get(f"{VERSIONS}{pk}/impact/").json()[0]["section"] == "service_deadlines"
    decision = ceo.post(f"{VERSIONS}{pk}/submit/").json()
    for client in (ceo, vp):
        assert client.post(f"{DECISIONS}{decision['id']}/vote/", {"vote": "for"}, format="json").status_code == 200
    closed = ceo.post(f"{DECISIONS}{decision['id']}/close/", {"minutes": "同意"}, format="json").json()
    assert closed["outcome"] == "approved"
    assert closed["tally"]["in_favour"] == 2
    tomorrow = selectors.policy_today() + dt.timedelta(days=1)
    published = ceo.post(f"{VERSIONS}{pk}/publish/", {"effective_from": tomorrow.isoformat()}, format="json")
    assert published.json()["status"] == PolicyVersionStatus.PUBLISHED
    same_day = ceo.post(VERSIONS, {"label": "1.2"}, format="json").json()
    assert same_day["id"] != pk


@pytest.mark.parametrize("persona", ["rep_alice", "lead_bob"])
def test_sales_people_cannot_draft_submit_or_vote(personas: dict, group: list, persona: str) -> None:
    draft = _draft(group[0])
    client = _api(personas[persona].user)
    assert client.post(VERSIONS, {"label": "9.9"}, format="json").status_code == 403
    assert client.post(f"{VERSIONS}{draft.pk}/submit/").status_code == 403
    assert client.get(f"{VERSIONS}{draft.pk}/").status_code == 404  # a draft is not theirs to see
    decision = _api(group[0]).post(f"{VERSIONS}{draft.pk}/submit/").json()
    assert client.post(f"{DECISIONS}{decision['id']}/vote/", {"vote": "for"}, format="json").status_code == 403
    assert client.get(DECISIONS).status_code == 403
    labels = [v["label"] for v in client.get(VERSIONS).json()["results"]]
    assert labels == ["1.0"]
    assert not PolicyVersion.objects.get(pk=draft.pk).decisions.get().votes.exists()


def test_an_administrator_who_is_not_a_member_cannot_vote(personas: dict, group: list) -> None:
    draft = _draft(group[0])
    decision = _api(group[0]).post(f"{VERSIONS}{draft.pk}/submit/").json()
    response = _api(personas["admin"].user).post(f"{DECISIONS}{decision['id']}/vote/", {"vote": "for"}, format="json")
    assert response.status_code == 403


def test_the_decision_list_costs_the_same_queries_for_more_decisions(group: list) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.policy import services
    from apps.policy.choices import VoteChoice

    draft = _draft(group[0])

    def meetings(n: int) -> None:
        for _ in range(n):  # each without a quorum, so the draft comes back and is submitted again
            decision = services.policy_version_submit(actor=group[0], version=draft)
            services.policy_vote_cast(actor=group[0], decision=decision, vote=VoteChoice.IN_FAVOUR)
            services.policy_decision_close(actor=group[0], decision=decision, minutes="未达法定人数")

    def cost() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = _api(group[0]).get(DECISIONS)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    meetings(2)
    small = cost()
    meetings(4)
    assert len(_api(group[0]).get(DECISIONS).json()["results"]) == 6
    assert cost() == small
