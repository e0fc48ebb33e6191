"""One FilterSet per sales list (``sales.filters``) for the page, the API and the Excel export: contracts and
opportunities. The same GET parameters give the same records in all three within each user's scope, and an invalid
value is a Chinese form error in all three (never a 500, never a wider list)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import escape

from apps.core.testing import ListReaders
from apps.sales.choices import ContractStatus, OpportunityStage
from apps.sales.tests.factories_contracts import ContractFactory
from apps.sales.tests.factories_pipeline import OpportunityFactory

pytestmark = pytest.mark.django_db

CONTRACTS = ListReaders(page="/sales/contracts/", api="/api/v1/contracts/", export="/sales/contracts/export/")
OPPORTUNITIES = ListReaders(
    page="/sales/opportunities/", api="/api/v1/opportunities/", export="/sales/opportunities/export/", key="name"
)


def chinese(message: str) -> bool:
    return bool(re.search(r"[\u4e00-\u9fff]", message))


@pytest.fixture
def contracts(personas: dict) -> dict[str, str]:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    approved, draft = ContractStatus.APPROVED, ContractStatus.DRAFT
    made = {
        "alice_nov": ContractFactory(owner=alice, title="水泵合同甲", signed_on=dt.date(2026, 11, 5), status=approved),
        "alice_oct": ContractFactory(owner=alice, title="水泵合同乙", signed_on=dt.date(2026, 10, 5), status=approved),
        "alice_draft": ContractFactory(owner=alice, title="水泵合同丙", signed_on=dt.date(2026, 11, 9), status=draft),
        "alice_fan": ContractFactory(owner=alice, title="风机合同", signed_on=dt.date(2026, 11, 6), status=approved),
        "bob_nov": ContractFactory(owner=bob, title="水泵合同丁", signed_on=dt.date(2026, 11, 20), status=approved),
        "carol_nov": ContractFactory(owner=carol, title="水泵合同戊", signed_on=dt.date(2026, 11, 21), status=approved),
    }
    return {key: contract.number for key, contract in made.items()}


@pytest.mark.parametrize(("viewer", "expected"), [("rep_alice", {"alice_nov"}), ("lead_bob", {"alice_nov", "bob_nov"})])
def test_contract_page_api_and_export_agree(personas: dict, contracts: dict, viewer: str, expected: set) -> None:
    client = personas[viewer].client()
    params = {"status": ContractStatus.APPROVED, "month": "2026-11", "q": "水泵"}
    assert CONTRACTS.agree(client, params) == {contracts[k] for k in expected}
    assert CONTRACTS.agree(client, {**params, "q": ""}) == {contracts[k] for k in expected} | {contracts["alice_fan"]}
    if viewer == "lead_bob":  # the owner filter narrows to one of his people
        owner = personas["rep_alice"].user.pk
        assert CONTRACTS.agree(client, {**params, "owner": owner}) == {contracts["alice_nov"]}


def test_an_invalid_contract_filter_is_a_chinese_form_error(personas: dict, contracts: dict) -> None:
    with translation.override("zh-hans"):
        message = str(forms.DateField.default_error_messages["invalid"])
    assert chinese(message)
    page, export, api = CONTRACTS.refusals(personas["lead_bob"].client(), {"month": "2026-13", "status": "approved"})
    assert escape(message) in page and message in export and api["month"] == [message]


@pytest.fixture
def opportunities(personas: dict) -> dict[str, str]:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    needs, won, proposal = OpportunityStage.NEEDS, OpportunityStage.WON, OpportunityStage.PROPOSAL
    rows = [
        ("alice_dec", alice, "水泵项目一", needs, dt.date(2026, 12, 15)),
        ("alice_won", alice, "水泵项目二", won, dt.date(2026, 12, 9)),
        ("alice_jan", alice, "水泵项目三", needs, dt.date(2027, 1, 10)),
        ("bob_dec", bob, "水泵项目四", proposal, dt.date(2026, 12, 1)),
        ("carol_dec", carol, "水泵项目五", needs, dt.date(2026, 12, 3)),
    ]
    made = {
        key: OpportunityFactory(owner=owner, name=name, stage=stage, expected_close_date=closes)
        for key, owner, name, stage, closes in rows
    }
    return {key: opportunity.name for key, opportunity in made.items()}


@pytest.mark.parametrize(("viewer", "expected"), [("rep_alice", {"alice_dec"}), ("lead_bob", {"alice_dec", "bob_dec"})])
def test_opportunity_page_api_and_export_agree(personas: dict, opportunities: dict, viewer: str, expected: set) -> None:
    client = personas[viewer].client()
    params = {"stage": "open", "month": "2026-12", "q": "水泵"}
    assert OPPORTUNITIES.agree(client, params) == {opportunities[k] for k in expected}
    mine = OPPORTUNITIES.agree(client, {**params, "scene": "mine"})
    assert mine == {opportunities[f"{personas[viewer].user.username}_dec"]}


def test_an_invalid_opportunity_filter_is_a_chinese_form_error(personas: dict, opportunities: dict) -> None:
    with translation.override("zh-hans"):
        message = str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": "bogus"}
    assert chinese(message)
    page, export, api = OPPORTUNITIES.refusals(personas["rep_alice"].client(), {"stage": "bogus", "q": "水泵"})
    assert escape(message) in page and message in export and api["stage"] == [message]


def test_every_list_export_is_logged(personas: dict, contracts: dict, opportunities: dict) -> None:
    """Who exported which list, how many rows, with which filter: one ExportLog row per export (CONVENTIONS-CN §1
    row 29), written by the export page itself (``core.views.ListExportMixin``)."""
    bob = personas["lead_bob"]
    params = {"stage": "open", "month": "2026-12", "q": "水泵"}
    log = OPPORTUNITIES.export_logged(bob.client(), bob.user, params)
    assert (log.resource, log.row_count) == ("sales.opportunity", 2)
    log = CONTRACTS.export_logged(bob.client(), bob.user, {"status": ContractStatus.APPROVED, "month": "2026-11"})
    assert (log.resource, log.row_count) == ("sales.contract", 3)  # with the fan contract: no search
    assert OPPORTUNITIES.export_logged(bob.client(), bob.user, {}).row_count == 4  # his and his people's: all stages
