"""Opportunity pages: the scope matrix (sales1 cannot see sales2's; the manager sees both teams), bounded queries
of the list and the kanban at two sizes, the kanban drop endpoint, the detail and the form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from apps.core import testing as core_testing
from apps.core.testing import Persona
from apps.customers.tests.factories import CustomerFactory
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.testing import make_department, make_employee
from apps.sales.choices import OpportunityStage as St
from apps.sales.models import Opportunity, OpportunityStageChange
from apps.sales.tests.factories_pipeline import OpportunityFactory, ProductFactory

pytestmark = pytest.mark.django_db


class OpportunityScopeTests(core_testing.ScopeMatrixTests):
    model = Opportunity
    list_url = "/sales/opportunities/"
    api_list_url = "/api/v1/opportunities/"
    detail_route = "sales:opportunity_detail"

    def make(self, persona: Persona) -> Opportunity:
        return OpportunityFactory(owner=persona.user, name=f"范围商机{persona.key}")

    def label(self, record: Opportunity) -> str:
        return record.name


def test_sales1_cannot_see_sales2_and_the_manager_sees_both_teams(personas: dict) -> None:
    """Two teams under one sales department, as in the demo company."""
    dept = personas["lead_bob"].unit
    team2 = make_department("销售二组", "t-sales-2", DepartmentKind.SALES, dept)
    sales1, sales2 = personas["rep_alice"].user, make_employee("s2", "南二", team2, BuiltinRole.STAFF).user
    one, two = OpportunityFactory(owner=sales1), OpportunityFactory(owner=sales2)
    assert set(Opportunity.objects.visible_to(sales1)) == {one}
    assert set(Opportunity.objects.visible_to(sales2)) == {two}
    assert set(Opportunity.objects.visible_to(personas["lead_bob"].user)) == {one, two}


def _make(owner: Any, n: int) -> None:
    customer = CustomerFactory(owner=owner)
    stages = list(St.values)
    for i in range(n):
        OpportunityFactory(owner=owner, customer=customer, stage=stages[i % len(stages)], amount=Decimal(1000 + i))


@pytest.mark.parametrize("size", [3, 30])
def test_list_and_board_queries_are_bounded(size: int, personas: dict, django_assert_max_num_queries: Any) -> None:
    bob = personas["lead_bob"]
    _make(personas["rep_alice"].user, size)
    client = bob.client()
    with django_assert_max_num_queries(17):
        response = client.get(reverse("sales:opportunity_list"), {"page_size": 100})
    assert response.status_code == 200 and response.content.decode().count('data-testid="opportunity-row"') == size
    with django_assert_max_num_queries(14):
        response = client.get(reverse("sales:opportunity_board"))
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="kanban-card"') == sum(
        1 for i in range(size) if list(St.values)[i % 7] in ("initial", "needs", "proposal", "negotiation")
    )


def test_list_totals_show_amount_and_weighted_amount(personas: dict) -> None:
    alice = personas["rep_alice"]
    OpportunityFactory(owner=alice.user, stage=St.PROPOSAL, amount=Decimal("100000"))
    body = alice.client().get(reverse("sales:opportunity_list")).content.decode()
    assert "100,000.00" in body and "50,000.00" in body


def test_list_filters_by_scene_and_stage(personas: dict) -> None:
    bob = personas["lead_bob"]
    OpportunityFactory(owner=personas["rep_alice"].user, name="艾丽的商机", stage=St.NEEDS)
    OpportunityFactory(owner=bob.user, name="鲍勃的商机", stage=St.WON)
    client = bob.client()
    mine = client.get(reverse("sales:opportunity_list"), {"scene": "mine"}).content.decode()
    assert "鲍勃的商机" in mine and "艾丽的商机" not in mine
    opened = client.get(reverse("sales:opportunity_list"), {"stage": "open"}).content.decode()
    assert "艾丽的商机" in opened and "鲍勃的商机" not in opened


class KanbanDropTests:
    def test_the_drop_endpoint_changes_the_stage_and_returns_the_card(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        opp = OpportunityFactory(owner=alice.user)
        response = alice.client().post(
            reverse("sales:opportunity_move", args=[opp.pk]), {"stage": St.PROPOSAL}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert f'id="opp-card-{opp.pk}"' in body and 'data-stage="proposal"' in body
        opp.refresh_from_db()
        assert opp.stage == St.PROPOSAL
        assert OpportunityStageChange.objects.filter(opportunity=opp, to_stage=St.PROPOSAL).exists()

    def test_dropping_on_lost_without_reason_is_refused_with_the_message(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        opp = OpportunityFactory(owner=alice.user)
        response = alice.client().post(
            reverse("sales:opportunity_move", args=[opp.pk]), {"stage": St.LOST}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 422 and 'data-testid="card-error"' in response.content.decode()
        opp.refresh_from_db()
        assert opp.stage == St.INITIAL

    def test_without_js_the_select_posts_and_redirects(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        opp = OpportunityFactory(owner=alice.user)
        response = alice.client().post(
            reverse("sales:opportunity_move", args=[opp.pk]),
            {"stage": St.LOST, "reason": "价格太高", "next": "/sales/opportunities/board/"},
        )
        assert response.status_code == 302 and response["Location"] == "/sales/opportunities/board/"
        opp.refresh_from_db()
        assert (opp.stage, opp.close_reason) == (St.LOST, "价格太高")

    def test_someone_out_of_scope_gets_404(self, personas: dict) -> None:
        opp = OpportunityFactory(owner=personas["rep_alice"].user)
        response = (
            personas["rep_carol"].client().post(reverse("sales:opportunity_move", args=[opp.pk]), {"stage": St.NEEDS})
        )
        assert response.status_code == 404


class FormTests:
    def test_create_with_a_line_at_the_list_price(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        customer = CustomerFactory(owner=alice.user)
        product = ProductFactory(list_price=Decimal("30000"))
        data = {
            "name": "新商机",
            "customer": customer.pk,
            "amount": "",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-quantity": "2",
            "lines-0-unit_price": "",
            "lines-0-discount_pct": "",
        }
        response = alice.client().post(reverse("sales:opportunity_create"), data)
        assert response.status_code == 302
        opp = Opportunity.objects.get(name="新商机")
        assert opp.amount == Decimal("60000.00")
        detail = alice.client().get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()
        assert "60,000.00" in detail and 'data-testid="stage-history"' in detail

    def test_a_customer_out_of_scope_cannot_be_chosen(self, personas: dict) -> None:
        alice = personas["rep_alice"]
        other = CustomerFactory(owner=personas["rep_carol"].user)
        response = alice.client().post(
            reverse("sales:opportunity_create"),
            {"name": "x", "customer": other.pk, "lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0"},
        )
        assert response.status_code == 200 and not Opportunity.objects.exists()

    def test_stage_settings_page_changes_the_weighted_amount(self, personas: dict) -> None:
        bob = personas["lead_bob"]
        opp = OpportunityFactory(owner=bob.user, stage=St.PROPOSAL, amount=Decimal("100000"))
        data = {
            s: v
            for s, v in {
                "initial": 10,
                "needs": 25,
                "proposal": 80,
                "negotiation": 75,
                "won": 100,
                "lost": 0,
                "invalid": 0,
            }.items()
        }
        assert bob.client().post(reverse("sales:stage_settings"), data).status_code == 302
        body = bob.client().get(reverse("sales:opportunity_detail", args=[opp.pk])).content.decode()
        assert "80,000.00" in body
        assert personas["rep_alice"].client().post(reverse("sales:stage_settings"), data).status_code == 403


def test_api_move_stage_requires_the_reason(personas: dict) -> None:
    alice = personas["rep_alice"]
    opp = OpportunityFactory(owner=alice.user)
    url = f"/api/v1/opportunities/{opp.pk}/move-stage/"
    assert alice.client().post(url, {"stage": "invalid"}, content_type="application/json").status_code == 400
    response = alice.client().post(url, {"stage": "needs"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["stage"] == "needs"


class StageChangeScopeTests(core_testing.ParentScopeMatrixTests):
    """Stage changes are seen through their opportunity: its list, detail and API."""

    model = OpportunityStageChange
    parent = "opportunity"
    list_url = "/sales/opportunities/"
    api_list_url = "/api/v1/opportunities/"
    detail_route = "sales:opportunity_detail"

    def make(self, persona: Persona) -> OpportunityStageChange:
        opp = OpportunityFactory(owner=persona.user, name=f"阶段范围{persona.key}")
        return OpportunityStageChange.objects.create(opportunity=opp, to_stage=St.INITIAL, changed_by=persona.user)
