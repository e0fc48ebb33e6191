"""Excel export of customers: within scope, text phone columns, no formulas, audit-logged, mobiles masked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from apps.core.models import ExportLog
from apps.customers.selectors.io import EXPORT_COLUMNS
from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory, valid_uscc

pytestmark = pytest.mark.django_db
KEYS = [c.key for c in EXPORT_COLUMNS]
NAME, USCC, MOBILE = KEYS.index("name"), KEYS.index("uscc"), KEYS.index("mobile")


def _sheet(response: Any) -> Any:
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content)).active


def _column(sheet: Any, index: int) -> list[Any]:
    return [row[index] for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def customers(personas: dict) -> dict[str, Any]:
    alice, bob, carol = (personas[k].user for k in ("rep_alice", "lead_bob", "rep_carol"))
    made = {
        "alice": CustomerFactory(name='=HYPERLINK("http://evil","x")', owner=alice, uscc=valid_uscc(11)),
        "bob": CustomerFactory(name="鲍勃的客户", owner=bob, uscc=valid_uscc(12)),
        "carol": CustomerFactory(name="卡萝的客户", owner=carol),
    }
    ContactFactory(customer=made["alice"], mobile="13800138000", is_primary=True)
    ContactFactory(customer=made["bob"], mobile="13900139000", is_primary=True)
    return made


class ExportTests:
    def test_all_within_scope_with_text_phones_and_no_formulas(self, personas: dict, customers: dict) -> None:
        response = personas["lead_bob"].client().get(reverse("customers:customer_export"), {"scope": "all"})
        assert response["Content-Disposition"].startswith("attachment")
        sheet = _sheet(response)
        names = [c.value for c in _column(sheet, NAME)]
        assert sorted(names) == sorted([customers["alice"].name, "鲍勃的客户"])  # never carol's
        for row in sheet.iter_rows(min_row=2):
            assert all(cell.data_type != "f" for cell in row)
        mobiles = {row[NAME].value: row[MOBILE] for row in sheet.iter_rows(min_row=2)}
        assert mobiles["鲍勃的客户"].value == "13900139000" and mobiles["鲍勃的客户"].data_type == "s"
        assert mobiles[customers["alice"].name].value == "138****8000"  # not bob's own customer: masked
        uscc = sheet.cell(row=2, column=USCC + 1)
        assert uscc.data_type == "s" and uscc.number_format == "@"
        log = ExportLog.objects.get()
        assert (log.user, log.scope, log.row_count, log.resource) == (
            personas["lead_bob"].user,
            "all",
            2,
            "customers.customer",
        )

    def test_selected_ids_never_reach_outside_the_scope(self, personas: dict, customers: dict) -> None:
        ids = f"{customers['bob'].pk},{customers['carol'].pk}"
        sheet = _sheet(
            personas["lead_bob"].client().get(reverse("customers:customer_export"), {"scope": "selected", "ids": ids})
        )
        assert [c.value for c in _column(sheet, NAME)] == ["鲍勃的客户"]
        assert ExportLog.objects.get().row_count == 1

    def test_the_current_filter(self, personas: dict, customers: dict) -> None:
        sheet = _sheet(
            personas["lead_bob"].client().get(reverse("customers:customer_export"), {"scope": "filtered", "q": "鲍勃"})
        )
        assert [c.value for c in _column(sheet, NAME)] == ["鲍勃的客户"]
        assert "q=鲍勃" in ExportLog.objects.get().filters

    def test_staff_without_the_export_permission_get_403(self, personas: dict, customers: dict) -> None:
        response = personas["rep_alice"].client().get(reverse("customers:customer_export"), {"scope": "all"})
        assert response.status_code == 403 and not ExportLog.objects.exists()

    def test_the_file_name_is_module_and_timestamp(self, personas: dict, customers: dict) -> None:
        response = personas["auditor_dave"].client().get(reverse("customers:customer_export"), {"scope": "all"})
        assert ".xlsx" in response["Content-Disposition"]
        assert len(list(_sheet(response).iter_rows(min_row=2))) == 3  # senior management sees all
