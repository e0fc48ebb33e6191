"""Excel import of customers: every row validated first, exact failures reported, nothing half-imported."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from apps.core import excel
from apps.customers.models import Contact, Customer
from apps.customers.selectors.io import IMPORT_COLUMNS
from apps.customers.services import io as import_service
from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory, valid_uscc

pytestmark = pytest.mark.django_db

BAD_MOBILE_ROW, BAD_USCC_ROW, DUPLICATE_ROW = 101, 502, 998  # Excel row numbers (the header is row 1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _rows(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"导入测试{i:04d}科技有限公司",
            "uscc": valid_uscc(500000 + i),
            "level": "A" if i % 3 else "C",
            "source": "referral",
            "industry": "it",
            "province": "上海市",
            "city": "上海市",
            "district": "浦东新区",
            "address": f"张江路{i}号",
            "contact_name": f"联系人{i}",
            "mobile": f"137{i:08d}",
            "phone": "021-12345678",
            "email": f"c{i}@example.cn",
            "title": "经理",
            "remarks": "",
        }
        for i in range(count)
    ]


def _file(rows: list[dict[str, Any]], columns: list[excel.Column] = IMPORT_COLUMNS) -> io.BytesIO:
    return io.BytesIO(excel.write_workbook(columns, rows))


@pytest.fixture
def thousand_rows_with_3_bad() -> io.BytesIO:
    existing = CustomerFactory(name="已有客户有限公司", uscc=valid_uscc(1))
    rows = _rows(1000)
    rows[BAD_MOBILE_ROW - 2]["mobile"] = "12345"
    rows[BAD_USCC_ROW - 2]["uscc"] = valid_uscc(777)[:-1] + ("0" if valid_uscc(777)[-1] != "0" else "1")
    rows[DUPLICATE_ROW - 2]["uscc"] = existing.uscc
    return _file(rows)


class ValidationTests:
    def test_exactly_the_3_bad_rows_are_reported_and_nothing_is_imported(
        self, personas: dict, thousand_rows_with_3_bad: io.BytesIO
    ) -> None:
        before = Customer.objects.count()
        started = time.perf_counter()
        result = import_service.customer_import(
            actor=personas["lead_bob"].user, file=thousand_rows_with_3_bad, owner=personas["lead_bob"].user
        )
        elapsed = time.perf_counter() - started
        assert result.total == 1000 and result.created == 0
        assert result.failed_rows == [BAD_MOBILE_ROW, BAD_USCC_ROW, DUPLICATE_ROW]
        reasons = {p.row: (p.column, p.message) for p in result.problems}
        assert reasons[BAD_MOBILE_ROW][0] == "Mobile" and "mobile" in reasons[BAD_MOBILE_ROW][1]
        assert reasons[BAD_USCC_ROW][0] == "Unified social credit code"
        assert reasons[DUPLICATE_ROW][0] == "Unified social credit code"
        assert "已有客户有限公司" in reasons[DUPLICATE_ROW][1]
        assert Customer.objects.count() == before
        assert elapsed < 30, elapsed

    def test_validation_loads_the_duplicate_keys_once_not_per_row(
        self, thousand_rows_with_3_bad: io.BytesIO, django_assert_max_num_queries: Any
    ) -> None:
        with django_assert_max_num_queries(8):  # USCCs, mobiles, names: a few chunked queries for 1,000 rows
            _rows_read, result = import_service.read_import_file(thousand_rows_with_3_bad)
        assert result.failed_rows == [BAD_MOBILE_ROW, BAD_USCC_ROW, DUPLICATE_ROW]

    def test_skipping_the_failed_rows_imports_the_other_997(
        self, personas: dict, thousand_rows_with_3_bad: io.BytesIO
    ) -> None:
        bob = personas["lead_bob"].user
        started = time.perf_counter()
        result = import_service.customer_import(actor=bob, file=thousand_rows_with_3_bad, owner=bob, skip_failed=True)
        elapsed = time.perf_counter() - started
        print(f"\n1,000-row import (997 created): {elapsed:.1f}s")
        assert result.created == 997 and result.failed_rows == [BAD_MOBILE_ROW, BAD_USCC_ROW, DUPLICATE_ROW]
        assert Customer.objects.filter(owner=bob, source="import").count() == 0  # the file said "referral"
        assert Customer.objects.filter(owner=bob, source="referral").count() == 997
        assert Contact.objects.filter(customer__owner=bob).count() == 997
        # ~7 s on an idle machine; the bound leaves room for a loaded CI host.
        assert elapsed < 120, elapsed

    def test_duplicates_within_the_file_and_against_contacts(self, personas: dict) -> None:
        ContactFactory(mobile="13900000001")
        rows = _rows(4)
        rows[1]["mobile"] = "139 0000 0001"  # an existing contact's mobile, written differently
        rows[3]["name"] = rows[0]["name"].replace("0000", "００００")  # the same name in full-width digits
        rows[3]["uscc"] = rows[2]["uscc"]
        result = import_service.customer_import(actor=personas["lead_bob"].user, file=_file(rows), owner=None)
        problems = {(p.row, p.column) for p in result.problems}
        assert problems == {(3, "Mobile"), (5, "Customer name"), (5, "Unified social credit code")}
        assert any("row 2" in p.message for p in result.problems if p.row == 5)

    def test_required_columns_and_choice_labels(self, personas: dict) -> None:
        rows = _rows(2)
        rows[0]["name"] = ""
        rows[1]["level"] = "Z"
        result = import_service.customer_import(actor=personas["lead_bob"].user, file=_file(rows), owner=None)
        assert {(p.row, p.column) for p in result.problems} == {(2, "Customer name"), (3, "Customer level")}

    def test_columns_in_another_order_with_a_missing_optional_one(self, personas: dict) -> None:
        columns = list(reversed([c for c in IMPORT_COLUMNS if c.key != "email"]))
        rows = _rows(2)
        result = import_service.customer_import(actor=personas["lead_bob"].user, file=_file(rows, columns), owner=None)
        assert result.created == 2 and result.problems == []
        assert Customer.objects.filter(owner__isnull=True, pooled_at__isnull=False).count() == 2

    def test_a_missing_required_column_stops_everything(self, personas: dict) -> None:
        columns = [c for c in IMPORT_COLUMNS if c.key != "name"]
        result = import_service.customer_import(
            actor=personas["lead_bob"].user, file=_file(_rows(2), columns), owner=None, skip_failed=True
        )
        assert result.header_errors and result.created == 0 and not Customer.objects.exists()


class PermissionTests:
    def test_staff_may_not_import(self, personas: dict) -> None:
        with pytest.raises(PermissionDenied):
            import_service.customer_import(actor=personas["rep_alice"].user, file=_file(_rows(1)), owner=None)

    def test_the_owner_must_be_within_the_importers_scope(self, personas: dict) -> None:
        with pytest.raises(ValidationError):
            import_service.customer_import(
                actor=personas["lead_bob"].user, file=_file(_rows(1)), owner=personas["rep_carol"].user
            )
        assert not Customer.objects.exists()


class FailedRowsFileTests:
    def test_the_failed_rows_file_has_the_rows_and_their_reasons(self, personas: dict) -> None:
        rows = _rows(3)
        rows[1]["mobile"] = "=1+1"
        rows_read, result = import_service.read_import_file(_file(rows))
        sheet = load_workbook(io.BytesIO(import_service.failed_rows_workbook(rows=rows_read, result=result))).active
        assert sheet.max_row == 2
        header = [c.value for c in sheet[1]]
        assert header[0] == "Row" and header[-1] == "Reason"
        assert sheet["A2"].value == "3" and "Mobile" in sheet.cell(row=2, column=len(header)).value
        mobile = sheet.cell(row=2, column=header.index("Mobile") + 1)
        assert mobile.value == "=1+1" and mobile.data_type != "f"


class ImportPageTests:
    def test_upload_reports_the_failures_and_offers_to_skip(self, personas: dict) -> None:
        client = personas["lead_bob"].client()
        rows = _rows(3)
        rows[2]["uscc"] = "123"
        upload = io.BytesIO(excel.write_workbook(IMPORT_COLUMNS, rows))
        upload.name = "customers.xlsx"
        response = client.post(reverse("customers:customer_import"), {"file": upload, "owner_choice": "me"})
        assert response.status_code == 200
        content = response.content.decode()
        assert 'data-testid="problem-row"' in content and not Customer.objects.exists()
        token = response.context["token"]
        skipped = client.post(
            reverse("customers:customer_import"), {"token": token, "owner_choice": "me", "skip_failed": "1"}
        )
        assert skipped.status_code == 200 and Customer.objects.count() == 2
        failed = client.get(reverse("customers:customer_import_failed", args=[token]))
        assert failed.status_code == 200 and failed["Content-Disposition"].startswith("attachment")

    def test_the_template_downloads_with_marked_headers(self, personas: dict) -> None:
        response = personas["lead_bob"].client().get(reverse("customers:customer_import_template"))
        sheet = load_workbook(io.BytesIO(response.content)).active
        with translation.override("zh-hans"):
            assert sheet["A1"].value == f"{gettext('Customer name')}*"

    def test_staff_get_403(self, personas: dict) -> None:
        assert personas["rep_alice"].client().get(reverse("customers:customer_import")).status_code == 403
