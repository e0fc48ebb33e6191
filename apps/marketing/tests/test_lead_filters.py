"""One FilterSet (``marketing.filters.LeadFilterSet``) for the lead list page, the API and the Excel export: the same
GET parameters give the same leads in all three within each user's scope; an invalid value is a Chinese form error
in all three (never a 500, never a wider list)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.utils import translation
from django.utils.html import escape

from apps.core.testing import ListReaders
from apps.marketing.choices import LeadStatus
from apps.marketing.tests.factories_leads import LeadFactory, build_marketing_team

pytestmark = pytest.mark.django_db

LEADS = ListReaders(
    page="/marketing/leads/", api="/api/v1/leads/", export="/marketing/leads/export/", key="company_name"
)


@pytest.fixture
def leads(personas: dict) -> dict:
    team = build_marketing_team(personas)
    new, qualified = LeadStatus.NEW, LeadStatus.QUALIFIED
    rows = [
        ("mkt1_pump", team.mkt1, "水泵厂甲", new),
        ("mkt1_qualified", team.mkt1, "水泵厂乙", qualified),
        ("mkt1_fan", team.mkt1, "风机厂丙", new),
        ("mkt2_pump", team.mkt2, "水泵厂丁", new),
        ("pool_pump", None, "水泵厂戊", new),
    ]
    for _key, owner, company, status in rows:
        LeadFactory(owner=owner, company_name=company, status=status)
    return {"team": team, **{key: company for key, _owner, company, _status in rows}}


@pytest.mark.parametrize(("viewer", "expected"), [("mkt1", {"mkt1_pump"}), ("manager", {"mkt1_pump", "mkt2_pump"})])
def test_lead_page_api_and_export_agree(leads: dict, viewer: str, expected: set) -> None:
    from django.test import Client

    client = Client()
    client.force_login(getattr(leads["team"], viewer))
    params = {"scene": "all", "status": LeadStatus.NEW, "q": "水泵"}
    assert LEADS.agree(client, params) == {leads[k] for k in expected}
    assert LEADS.agree(client, {**params, "q": ""}) == {leads[k] for k in expected} | {leads["mkt1_fan"]}
    assert leads["pool_pump"] not in LEADS.agree(client, {**params, "status": ""})


def test_an_invalid_lead_filter_is_a_chinese_form_error(leads: dict) -> None:
    from django.test import Client

    with translation.override("zh-hans"):
        message = str(forms.ChoiceField.default_error_messages["invalid_choice"]) % {"value": "everything"}
    assert re.search(r"[\u4e00-\u9fff]", message)
    client = Client()
    client.force_login(leads["team"].manager)
    page, export, api = LEADS.refusals(client, {"scene": "everything", "q": "水泵"})
    assert escape(message) in page and message in export and api["scene"] == [message]


def test_the_lead_export_is_logged(leads: dict) -> None:
    """Who exported the leads, how many rows, with which filter: one ExportLog row (CONVENTIONS-CN §1 row 29),
    written by the export page itself (``core.views.ListExportMixin``)."""
    from django.test import Client

    manager = leads["team"].manager
    client = Client()
    client.force_login(manager)
    log = LEADS.export_logged(client, manager, {"scene": "all", "status": LeadStatus.NEW, "q": "水泵"})
    assert (log.resource, log.row_count) == ("marketing.lead", 2)
