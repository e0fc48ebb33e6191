"""Target decomposition rules: exact spreading, reconciliation before submit/approve, the lock after approval,
revisions with a reason, and who may edit which node."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from apps.core.testing import shown
from apps.org.models import Department
from apps.sales.choices import TargetMetric, TargetStatus, TargetTier
from apps.sales.models import TargetNode, TargetSet
from apps.sales.services import targets as services
from apps.sales.tests.factories_targets import build_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    """These tests read the services' messages in English (the interface's second language)."""
    with translation.override("en"):
        yield


D = Decimal


@pytest.mark.parametrize("annual", ["12000000", "1000000.07", "0.05", "99.99", "1489443.36"])
def test_even_spread_is_whole_yuan_with_the_remainder_in_december(annual: str) -> None:
    months = services.even_months(D(annual))
    assert len(months) == 12
    assert sum(months) == D(annual)
    share = (D(annual) / 12).to_integral_value(rounding="ROUND_FLOOR")
    assert months[:11] == [share] * 11  # 124,120, not 124,120.28
    assert months[11] == D(annual) - 11 * share


def test_spreading_over_children_is_whole_yuan_and_adds_up() -> None:
    parts = services.split_yuan(D("100000.50"), [1, 1, 1])
    assert sum(parts) == D("100000.50")
    assert [p % 1 for p in parts[:2]] == [0, 0] and parts[2] % 1 == D("0.50")
    assert max(parts) - min(parts) <= D("1.50")


def test_set_create_spreads_the_annual_over_the_company_node(personas: dict) -> None:
    dave = personas["auditor_dave"].user
    target_set = services.target_set_create(
        actor=dave, fiscal_year=2027, metric=TargetMetric.CONTRACT_AMOUNT, tier=TargetTier.BASE, annual=D("1000000.07")
    )
    root = target_set.nodes.get()
    assert root.department == personas["auditor_dave"].unit and root.person is None
    assert root.annual == D("1000000.07")
    assert root.m01 == D("83333") and root.m12 == D("1000000.07") - 11 * D("83333")


def test_only_senior_management_creates_a_set(personas: dict) -> None:
    with pytest.raises(PermissionDenied):
        services.target_set_create(
            actor=personas["lead_bob"].user, fiscal_year=2027, metric="contract_amount", tier="base", annual=D("1")
        )
    assert not TargetSet.objects.exists()


@pytest.mark.parametrize("year", [1999, 2101])
def test_the_service_refuses_a_fiscal_year_out_of_range_and_the_page_shows_it(personas: dict, year: int) -> None:
    """The range used to live in the create form only; the service holds it now, so every caller meets it."""
    dave = personas["auditor_dave"]
    with pytest.raises(ValidationError) as info:
        services.target_set_create(actor=dave.user, fiscal_year=year, metric="contract_amount", tier="base")
    assert "fiscal_year" in info.value.message_dict
    response = dave.client().post(
        reverse("sales:target_create"), {"fiscal_year": year, "metric": "contract_amount", "tier": "base"}
    )
    assert response.status_code == 200
    assert shown(services.YEAR_RANGE % {"first": 2000, "last": 2100}) in response.content.decode()
    assert not TargetSet.objects.exists()


def test_node_add_accepts_sub_departments_and_own_people_only(personas: dict) -> None:
    dave = personas["auditor_dave"].user
    target_set = services.target_set_create(actor=dave, fiscal_year=2027, metric="contract_amount", tier="base")
    root = target_set.nodes.get()
    node_a = services.target_node_add(actor=dave, parent=root, department=personas["lead_bob"].unit)
    with pytest.raises(ValidationError, match="not employed"):
        services.target_node_add(actor=dave, parent=node_a, person=personas["rep_alice"].user)
    node_a1 = services.target_node_add(actor=dave, parent=node_a, department=personas["rep_alice"].unit)
    alice = services.target_node_add(actor=dave, parent=node_a1, person=personas["rep_alice"].user)
    assert alice.department == personas["rep_alice"].unit
    with pytest.raises(ValidationError, match="not a sub-department"):
        services.target_node_add(actor=dave, parent=node_a1, department=personas["rep_carol"].unit)
    with pytest.raises(ValidationError, match="already has a target"):
        services.target_node_add(actor=dave, parent=node_a, department=personas["rep_alice"].unit)


def test_unreconciled_submit_is_refused_naming_node_and_month(personas: dict) -> None:
    tree = build_tree(personas)
    tree["a2"].m03 = D("150")  # zed has 100 in March: 50 unallocated
    tree["a2"].save()
    with pytest.raises(ValidationError) as error:
        services.target_set_submit(actor=personas["lead_bob"].user, target_set=tree["set"])
    message = " ".join(error.value.messages)
    assert "销售二组" in message and "month 3" in message and "50.00" in message
    tree["set"].refresh_from_db()
    assert tree["set"].status == TargetStatus.DRAFT and tree["set"].submitted_at is None
    mismatches = services.target_reconcile(tree["set"])
    assert {(m.node.pk, m.month, m.unallocated) for m in mismatches} == {
        (tree["a2"].pk, 3, D("50.00")),
        (tree["a"].pk, 3, D("-50.00")),
    }  # A is now over-allocated


def test_submit_approve_then_locked(personas: dict) -> None:
    tree = build_tree(personas)
    services.target_set_submit(actor=personas["lead_bob"].user, target_set=tree["set"])
    with pytest.raises(PermissionDenied):
        services.target_set_approve(actor=personas["lead_bob"].user, target_set=tree["set"])
    approved = services.target_set_approve(actor=personas["auditor_dave"].user, target_set=tree["set"])
    assert approved.status == TargetStatus.APPROVED and approved.approved_by == personas["auditor_dave"].user
    tree["alice"].refresh_from_db()
    with pytest.raises(ValidationError, match="only a draft"):
        services.target_node_set_months(actor=personas["auditor_dave"].user, node=tree["alice"], months=[1] * 12)
    tree["alice"].refresh_from_db()
    assert tree["alice"].m01 == D("100")


def _approved(personas: dict) -> dict:
    tree = build_tree(personas)
    services.target_set_submit(actor=personas["auditor_dave"].user, target_set=tree["set"])
    services.target_set_approve(actor=personas["auditor_dave"].user, target_set=tree["set"])
    for key in ("alice", "zed", "a1", "a2"):
        tree[key].refresh_from_db()
    return tree


def test_revision_needs_a_reason_and_must_reconcile(personas: dict) -> None:
    tree = _approved(personas)
    bob = personas["lead_bob"].user
    alice_months = tree["alice"].months
    alice_months[2] = D("50")
    with pytest.raises(ValidationError, match="reason"):
        services.target_revise(actor=bob, node_changes={tree["alice"]: alice_months}, reason=" ")
    with pytest.raises(ValidationError, match="do not add up"):
        services.target_revise(actor=bob, node_changes={tree["alice"]: alice_months}, reason="客户延期")
    tree["alice"].refresh_from_db()
    assert tree["alice"].m03 == D("100")


def test_revision_moves_an_amount_between_teams_and_records_it(personas: dict) -> None:
    tree = _approved(personas)
    bob = personas["lead_bob"].user
    moves = {}
    for key, delta in (("alice", D("-50")), ("a1", D("-50")), ("zed", D("50")), ("a2", D("50"))):
        months = tree[key].months
        months[2] += delta
        moves[tree[key]] = months
    summary = services.target_revise(actor=bob, node_changes=moves, reason="艾丽负责的项目转给泽德")
    assert "艾丽 -50.00" in summary and "泽德 +50.00" in summary
    assert services.target_reconcile(tree["set"]) == []
    zed = TargetNode.objects.get(pk=tree["zed"].pk)
    assert zed.m03 == D("150")
    record = zed.history.latest()
    assert record.history_user == bob and "艾丽负责的项目转给泽德" in record.history_change_reason
    assert "艾丽 -50.00" in tree["set"].history.latest().history_change_reason


def test_team_lead_cannot_edit_the_other_team(personas: dict) -> None:
    tree = build_tree(personas)
    with pytest.raises(PermissionDenied):
        services.target_node_set_months(actor=tree["lead_a1"], node=tree["zed"], months=[1] * 12)
    services.target_node_set_months(actor=tree["lead_a1"], node=tree["alice"], months=[1] * 12)
    tree["zed"].refresh_from_db()
    assert tree["zed"].m01 == D("100")


def test_staff_cannot_edit_targets_but_may_propose_their_own(personas: dict) -> None:
    tree = build_tree(personas)
    alice = personas["rep_alice"].user
    with pytest.raises(PermissionDenied):
        services.target_node_set_months(actor=alice, node=tree["alice"], months=[1] * 12)
    with pytest.raises(PermissionDenied):
        services.target_propose(actor=alice, node=tree["zed"], months=[1] * 12)
    services.target_propose(actor=alice, node=tree["alice"], months=[120] * 12)
    tree["alice"].refresh_from_db()
    assert tree["alice"].proposed["m05"] == "120.00" and tree["alice"].m05 == D("100")


def test_spread_even_and_profile_keep_exact_cents(personas: dict) -> None:
    tree = build_tree(personas, extra_people=2)  # three people in A1
    dave = personas["auditor_dave"].user
    TargetNode.objects.filter(pk=tree["a1"].pk).update(m01=D("100.00"))
    services.target_spread(actor=dave, parent=tree["a1"], method="even")  # spreads the stored value
    values = sorted(TargetNode.objects.filter(parent=tree["a1"]).values_list("m01", flat=True))
    assert values == [D("33"), D("33"), D("34")] and sum(values) == D("100.00")  # whole yuan, adds up
    profile = [10, 10, 5, 5, 5, 5, 10, 10, 10, 10, 10, 10]
    services.target_spread(actor=dave, parent=tree["a2"], method="profile", weights=profile)
    zed = TargetNode.objects.get(pk=tree["zed"].pk)
    assert zed.annual == D("1200") and zed.m01 == D("120") and zed.m03 == D("60")
    with pytest.raises(ValidationError, match="add up to 100"):
        services.target_spread(actor=dave, parent=tree["a2"], method="profile", weights=[10] * 12)


def test_last_year_share_falls_back_to_even_and_says_so(personas: dict) -> None:
    tree = build_tree(personas)
    result = services.target_spread(actor=personas["auditor_dave"].user, parent=tree["a"], method="last_year_share")
    assert "spread evenly" in result.note
    assert {c.m01 for c in result.children} == {D("100")}
    assert Department.objects.filter(pk=tree["unit_a2"].pk).exists()


def test_last_year_share_reads_approved_contracts_of_last_year(personas: dict) -> None:
    import datetime as dt

    from apps.sales.choices import ContractStatus
    from apps.sales.tests.factories_contracts import ContractFactory

    tree = build_tree(personas)
    year = tree["set"].fiscal_year - 1
    alice, zed = personas["rep_alice"].user, tree["zed_user"]
    ContractFactory(owner=alice, signed_on=dt.date(year, 3, 1), amount=D("300000"))
    ContractFactory(owner=zed, signed_on=dt.date(year, 11, 30), amount=D("100000"))
    ContractFactory(owner=zed, signed_on=dt.date(year + 1, 1, 5), amount=D("900000"))  # this year: not counted
    ContractFactory(owner=zed, signed_on=dt.date(year, 5, 5), amount=D("900000"), status=ContractStatus.REJECTED)
    result = services.target_spread(actor=personas["auditor_dave"].user, parent=tree["a"], method="last_year_share")
    assert result.note == ""
    shares = {child.pk: child.m01 for child in result.children}
    assert shares == {tree["a1"].pk: D("150.00"), tree["a2"].pk: D("50.00")}  # 3 : 1 of A's 200
