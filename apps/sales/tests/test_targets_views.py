"""The target pages: the editor's scoped tree, the HTMX cell update with live sums, workflow buttons, the list,
the API, bounded queries at 10 vs 200 people, and the scope matrix of target nodes."""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.sales.choices import TargetStatus
from apps.sales.models import TargetNode
from apps.sales.tests.factories_targets import TargetSetFactory, build_tree, make_node

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_cell_update_returns_the_sums_and_unallocated(personas: dict) -> None:
    tree = build_tree(personas)
    client = _client(personas["lead_bob"].user)
    url = reverse("sales:target_cell", args=[tree["set"].pk, tree["alice"].pk])
    response = client.post(url, {"month": "3", "value": "1,150.50"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    alice, a1 = tree["alice"].pk, tree["a1"].pk
    assert f'id="y-{alice}" hx-swap-oob="true"' in body and "2,250.50" in body  # 11 × 100 + 1,150.50
    assert f'id="un-{a1}"' in body and "-1,050.50" in body  # A1 is now over-allocated in March
    assert 'data-testid="recon-bad"' in body
    assert TargetNode.objects.get(pk=alice).m03 == Decimal("1150.50")


def test_cell_update_out_of_tree_is_404_and_bad_value_is_shown(personas: dict) -> None:
    tree = build_tree(personas)
    client = _client(tree["lead_a1"])
    other = reverse("sales:target_cell", args=[tree["set"].pk, tree["zed"].pk])
    assert client.post(other, {"month": "1", "value": "5"}).status_code == 404
    own = reverse("sales:target_cell", args=[tree["set"].pk, tree["alice"].pk])
    body = client.post(own, {"month": "1", "value": "abc"}).content.decode()
    assert 'data-testid="cell-error"' in body
    assert TargetNode.objects.get(pk=tree["alice"].pk).m01 == Decimal("100")


def test_editor_shows_staff_their_node_and_ancestor_totals_only(personas: dict) -> None:
    tree = build_tree(personas)
    body = _client(personas["rep_alice"].user).get(reverse("sales:target_editor", args=[tree["set"].pk])).content
    body = body.decode()
    assert "艾丽" in body and "泽德" not in body and "销售部" in body
    assert 'data-testid="cell-' not in body  # staff do not edit; they propose
    assert 'data-testid="target-propose"' in body


def test_submit_refused_on_the_page_names_the_node(personas: dict) -> None:
    tree = build_tree(personas)
    TargetNode.objects.filter(pk=tree["zed"].pk).update(m07=Decimal("90"))
    client = _client(personas["lead_bob"].user)
    response = client.post(reverse("sales:target_submit", args=[tree["set"].pk]), follow=True)
    body = response.content.decode()
    assert "销售二组" in body and "10.00" in body
    tree["set"].refresh_from_db()
    assert tree["set"].status == TargetStatus.DRAFT


def test_revise_page_moves_an_amount_with_a_reason(personas: dict) -> None:
    tree = build_tree(personas)
    tree["set"].status = TargetStatus.APPROVED
    tree["set"].save()
    client = _client(personas["lead_bob"].user)
    url = reverse("sales:target_revise", args=[tree["set"].pk])
    data = {"source": tree["alice"].pk, "destination": tree["zed"].pk, "month": 3, "amount": "40", "reason": ""}
    client.post(url, data)
    assert TargetNode.objects.get(pk=tree["zed"].pk).m03 == Decimal("100")
    client.post(url, {**data, "reason": "大客户转交"})
    assert TargetNode.objects.get(pk=tree["zed"].pk).m03 == Decimal("140")
    assert TargetNode.objects.get(pk=tree["a1"].pk).m03 == Decimal("60")
    body = client.get(reverse("sales:target_editor", args=[tree["set"].pk])).content.decode()
    assert "大客户转交" in body and 'data-testid="recon-ok"' in body


def _editor_queries(personas: dict, tree: dict) -> tuple[int, float, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(personas["auditor_dave"].user)
    url = reverse("sales:target_editor", args=[tree["set"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        body = client.get(url).content.decode()
        elapsed = time.perf_counter() - started
    return len(queries), elapsed, body


def test_editor_queries_do_not_grow_from_10_to_200_people(personas: dict) -> None:
    small = build_tree(personas, extra_people=9)
    count_10, _t, body = _editor_queries(personas, small)
    assert body.count('data-testid="node-row"') == 10 + 5
    small["set"].delete()
    big = build_tree_again(personas, extra_people=199)
    count_200, elapsed, body = _editor_queries(personas, big)
    assert body.count('data-testid="node-row"') == 3 + 200  # company, A, A1 and 200 people
    assert count_200 == count_10 <= 20
    print(f"editor: {count_200} queries at 10 and 200 people; {elapsed * 1000:.0f} ms at 200")


def build_tree_again(personas: dict, extra_people: int) -> dict:
    """A second tree in the same test: new people, the same departments and leads."""
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_employee
    from apps.sales.tests.factories_targets import TargetSetFactory

    target_set = TargetSetFactory()
    company, unit_a, unit_a1 = (personas[k].unit for k in ("auditor_dave", "lead_bob", "rep_alice"))
    root = make_node(target_set, company, monthly=extra_people)
    node_a = make_node(target_set, unit_a, parent=root, monthly=extra_people)
    node_a1 = make_node(target_set, unit_a1, parent=node_a, monthly=extra_people)
    for i in range(extra_people):
        person = make_employee(f"big{i}", f"大{i:03d}", unit_a1, BuiltinRole.STAFF).user
        make_node(target_set, unit_a1, person, node_a1, 1)
    make_node(target_set, unit_a1, personas["rep_alice"].user, node_a1, 0)
    return {"set": target_set}


def test_target_list_and_create(personas: dict) -> None:
    dave = _client(personas["auditor_dave"].user)
    response = dave.post(
        reverse("sales:target_create"),
        {"fiscal_year": 2030, "metric": "contract_amount", "tier": "base", "annual": "12000000"},
    )
    assert response.status_code == 302
    body = dave.get(reverse("sales:target_list"), {"fiscal_year": 2030}).content.decode()
    assert "12,000,000.00" in body
    bob_page = _client(personas["lead_bob"].user).get(reverse("sales:target_list")).content.decode()
    assert "target-create-form" not in bob_page and "12,000,000.00" in bob_page


def test_api_submit_and_patch(personas: dict) -> None:
    tree = build_tree(personas)
    bob = _client(personas["lead_bob"].user)
    detail = bob.get(f"/api/v1/targets/{tree['set'].pk}/").json()
    assert {n["id"] for n in detail["nodes"]} >= {tree["alice"].pk, tree["zed"].pk}
    response = bob.patch(
        f"/api/v1/target-nodes/{tree['zed'].pk}/", {"months": ["50"] * 12}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["annual"] == "600.00"
    response = bob.post(f"/api/v1/targets/{tree['set'].pk}/submit/")
    assert response.status_code == 400 and "销售二组" in str(response.json())
    alice = _client(personas["rep_alice"].user)
    assert (
        alice.patch(
            f"/api/v1/target-nodes/{tree['alice'].pk}/", {"months": ["1"] * 12}, content_type="application/json"
        ).status_code
        == 403
    )


class TargetNodeScopeTests(core_testing.ScopeMatrixTests):
    """Each persona owns a person node (department = their unit) under the company node of one set; the editor is
    the list page, the node page the detail page."""

    model = TargetNode
    api_list_url = "/api/v1/target-nodes/"
    detail_route = "sales:targetnode_detail"

    @pytest.fixture(autouse=True)
    def _target_set(self, personas: dict) -> None:
        self.target_set = TargetSetFactory()
        self.root = make_node(self.target_set, personas["auditor_dave"].unit)

    @property
    def list_url(self) -> str:  # type: ignore[override]
        return reverse("sales:target_editor", args=[self.target_set.pk])

    def make(self, persona: Persona) -> TargetNode:
        return make_node(self.target_set, persona.unit, persona.user, self.root, monthly=10)

    def label(self, record: TargetNode) -> str:
        return f">{record.person.name}</a>"


def test_workbench_shows_decomposition_and_approval_work(personas: dict) -> None:
    """The item titles are read in English."""
    with translation.override("en"):
        from apps.sales.hooks.targets import target_workbench_items

        tree = build_tree(personas)
        TargetNode.objects.filter(pk=tree["zed"].pk).update(m01=Decimal("0"))
        titles = [item.title for item in target_workbench_items(tree["lead_a2"])]
        assert any("Targets to decompose" in t for t in titles)
        assert target_workbench_items(tree["lead_a1"]) == []  # A1 adds up; the other team's gap is not theirs
        TargetNode.objects.filter(pk=tree["zed"].pk).update(m01=Decimal("100"))
        tree["set"].status = TargetStatus.SUBMITTED
        tree["set"].save()
        assert any("Targets to approve" in i.title for i in target_workbench_items(personas["auditor_dave"].user))
        assert not any("Targets to approve" in i.title for i in target_workbench_items(personas["lead_bob"].user))


def test_add_node_and_spread_from_the_editor(personas: dict) -> None:
    from apps.org.choices import BuiltinRole
    from apps.org.testing import make_employee

    tree = build_tree(personas)
    newcomer = make_employee("newbie", "新人", personas["rep_alice"].unit, BuiltinRole.STAFF)
    client = _client(personas["lead_bob"].user)
    client.post(
        reverse("sales:target_add_node", args=[tree["set"].pk]), {"parent": tree["a1"].pk, "person": newcomer.pk}
    )
    node = TargetNode.objects.get(target_set=tree["set"], person=newcomer.user)
    assert node.parent == tree["a1"] and node.annual == 0
    response = client.post(reverse("sales:target_spread", args=[tree["a1"].pk]), {"method": "even"}, follow=True)
    assert response.status_code == 200
    node.refresh_from_db()
    assert node.m01 == Decimal("50.00")  # A1's 100 a month over alice and the newcomer
