"""The funnel in one grouped pass (issue 14): the same figures as the definition — reached stage N = a stage change
to N or in N now — recomputed here from the raw rows, for several viewers, in one query at any data size."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.sales.models import Opportunity, OpportunityStageChange
from apps.sales.selectors.dashboard import FUNNEL_STAGES, funnel
from apps.sales.tests.factories_attainment import make_opportunity

pytestmark = pytest.mark.django_db

PATHS = [
    ("initial",),
    ("initial", "needs"),
    ("initial", "needs", "proposal"),
    ("needs", "proposal", "negotiation"),
    ("initial", "needs", "proposal", "negotiation", "won"),
    ("initial", "lost"),
    (),
    ("initial", "initial"),
]


def _make(owner, count: int, rng: random.Random) -> None:
    for _ in range(count):
        path = rng.choice(PATHS)
        stage = path[-1] if path else rng.choice(["initial", "needs", "won"])
        opportunity = make_opportunity(owner, "10.00", stage=stage)
        for target in path:
            OpportunityStageChange.objects.create(opportunity=opportunity, to_stage=target)


def _expected(user) -> list[tuple[int, int | None]]:
    visible = list(Opportunity.objects.visible_to(user))
    changes: dict[int, set[str]] = {}
    for opportunity_id, stage in OpportunityStageChange.objects.values_list("opportunity_id", "to_stage"):
        changes.setdefault(opportunity_id, set()).add(stage)
    reached = [{o.pk for o in visible if s in changes.get(o.pk, set()) or o.stage == s} for s in FUNNEL_STAGES]
    return [(len(r), len(r & reached[i + 1]) if i + 1 < len(reached) else None) for i, r in enumerate(reached)]


def test_the_one_pass_funnel_equals_the_definition_for_each_viewer(personas) -> None:
    rng = random.Random(14)
    _make(personas["rep_alice"].user, 25, rng)
    _make(personas["lead_bob"].user, 10, rng)
    for key in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave"):
        user = personas[key].user
        assert [(s.reached, s.to_next) for s in funnel(user=user)] == _expected(user), key


def test_the_funnel_runs_one_query_at_any_size(personas) -> None:
    rng = random.Random(7)
    dave = personas["auditor_dave"].user
    funnel(user=dave)  # the user's scopes are resolved once per user (cached)
    _make(personas["rep_alice"].user, 3, rng)
    with CaptureQueriesContext(connection) as small:
        funnel(user=dave)
    _make(personas["rep_alice"].user, 30, rng)
    with CaptureQueriesContext(connection) as large:
        funnel(user=dave)
    assert len(small) == len(large) == 1  # was two scans; one grouped pass since
    assert "EXISTS" not in " ".join(q["sql"] for q in large.captured_queries).upper()
