"""The stages each opportunity's history reached, kept on the opportunity (issue 14: the funnel in one pass over
the opportunities alone). Whatever way the stage history is written — the services' moves forward, back and to a
close, a full save of the caller's instance afterwards, a bulk load put right by the sync — the bits equal the
stage history recomputed from its raw rows, and the funnel equals its definition."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apps.sales.models import Opportunity, OpportunityStageChange
from apps.sales.models.pipeline import STAGE_BITS
from apps.sales.selectors.dashboard import funnel
from apps.sales.services.opportunities import (
    opportunity_create,
    opportunity_move_stage,
    opportunity_stages_reached_sync,
)
from apps.sales.tests.factories_attainment import make_customer, make_opportunity
from apps.sales.tests.test_funnel_one_pass import _expected

pytestmark = pytest.mark.django_db

PATHS = [
    (),
    ("needs",),
    ("needs", "proposal"),
    ("needs", "initial", "needs", "negotiation", "won"),
    ("proposal", "lost"),
    ("invalid",),
]


def _raw_bits() -> dict[int, int]:
    """Per opportunity, the bits of the distinct stages its history moved to, from the raw rows."""
    reached: dict[int, set[str]] = {pk: set() for pk in Opportunity.objects.values_list("pk", flat=True)}
    for opportunity_id, stage in OpportunityStageChange.objects.values_list("opportunity_id", "to_stage"):
        reached[opportunity_id].add(stage)
    return {pk: sum(STAGE_BITS[s] for s in stages) for pk, stages in reached.items()}


def _kept_bits() -> dict[int, int]:
    return dict(Opportunity.objects.values_list("pk", "stages_reached"))


def test_the_services_moves_keep_the_reached_stages(personas: dict) -> None:
    alice = personas["rep_alice"].user
    for path in PATHS:
        opportunity = opportunity_create(
            actor=alice, data={"name": "扩容项目", "customer": make_customer(alice), "amount": Decimal("10.00")}
        )
        for stage in path:
            opportunity = opportunity_move_stage(actor=alice, opportunity=opportunity, stage=stage, reason="客户决定")
        opportunity.save()  # a full save of the caller's instance must not lose what the moves marked
    assert _kept_bits() == _raw_bits()
    assert set(_kept_bits().values()) >= {1, 1 | 2 | 4, 1 | 2 | 8 | 16, 1 | 4 | 32}
    for key in ("rep_alice", "lead_bob", "rep_carol", "auditor_dave"):
        user = personas[key].user
        assert [(s.reached, s.to_next) for s in funnel(user=user)] == _expected(user), key


def test_a_bulk_load_is_put_right_by_the_sync(personas: dict) -> None:
    alice, bob = personas["rep_alice"].user, personas["lead_bob"].user
    opportunities = [make_opportunity(owner, "10.00", stage="needs") for owner in (alice, alice, bob)]
    rows = [("initial", "needs"), ("initial", "proposal", "needs"), ()]
    OpportunityStageChange.objects.bulk_create(
        OpportunityStageChange(opportunity=o, to_stage=s)
        for o, path in zip(opportunities, rows, strict=True)
        for s in path
    )
    assert _kept_bits() != _raw_bits()  # bulk_create skips the stage change's save
    assert opportunity_stages_reached_sync(opportunity_ids=[o.pk for o in opportunities]) == 3
    assert _kept_bits() == _raw_bits()
    dave = personas["auditor_dave"].user
    assert [(s.reached, s.to_next) for s in funnel(user=dave)] == _expected(dave)
    assert opportunity_stages_reached_sync() == 3  # all of them: the same bits again
    assert _kept_bits() == _raw_bits()
