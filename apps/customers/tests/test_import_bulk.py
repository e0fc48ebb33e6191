"""The bulk import (issue 14: 100,000 rows within a minute) keeps every rule of the row-by-row path: the same file
imported both ways gives the same customers, contacts, ownership log, history and problems; within-file duplicates,
a bad row in the middle, an owner the importer may not assign and two imports at once behave as documented."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from apps.core import excel
from apps.core.testing import run_together
from apps.customers.models import Contact, Customer, OwnershipLog
from apps.customers.selectors.io import IMPORT_COLUMNS
from apps.customers.services import io as import_service
from apps.customers.tests.factories_pool import ContactFactory, CustomerFactory, valid_uscc
from apps.customers.tests.test_import import _file, _rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


class Undo(Exception):
    pass


def _mixed_rows() -> list[dict[str, Any]]:
    """Rows as users write them: full contacts, no contact, a contact without a mobile, blank optional cells, bad
    cells (a short mobile, a name longer than the archive keeps, an unknown level) and a duplicate of the archive."""
    rows = _rows(9)
    rows[1].update(contact_name="", mobile="", phone="", email="", title="")
    rows[2].update(mobile="", email="", source="", industry="", district="", address="")
    rows[3]["mobile"] = "1381234"
    rows[4]["name"] = "长" * 201
    rows[5]["level"] = "Z"
    rows[6]["uscc"] = valid_uscc(1)  # the archive's customer below
    rows[7]["remarks"] = "=HYPERLINK(1)"
    return rows


def _snapshot(result: import_service.ImportResult) -> dict[str, Any]:
    """Everything an import leaves behind, without ids and times."""
    customers = Customer.objects.filter(name__startswith="导入测试").order_by("name")
    customer_fields = [
        f.attname
        for f in Customer._meta.fields
        if f.attname not in ("id", "created_at", "updated_at", "owner_since", "pooled_at")
    ]
    contact_fields = [f.attname for f in Contact._meta.fields if f.attname not in ("id", "created_at", "updated_at")]

    def history(model: Any, **filters: Any) -> list[tuple[Any, ...]]:
        rows = model.history.filter(**filters).order_by("name")
        return [(h.history_type, h.history_user_id, h.history_change_reason or "", h.name) for h in rows]

    return {
        "total": result.total,
        "created": result.created,
        "problems": [(p.row, p.column, p.message) for p in result.problems],
        "customers": [
            {k: v for k, v in c.__dict__.items() if k in customer_fields}
            | {"pooled": c.pooled_at is not None, "owned_since": c.owner_since is not None}
            for c in customers
        ],
        "contacts": [
            (c.customer.name, *[getattr(c, k) for k in contact_fields if k != "customer_id"])
            for c in Contact.objects.filter(customer__in=customers).select_related("customer").order_by("name")
        ],
        "logs": sorted(
            (log.customer.name, log.action, log.from_owner_id, log.to_owner_id, log.actor_id, log.reason)
            for log in OwnershipLog.objects.filter(customer__in=customers).select_related("customer")
        ),
        "customer_history": history(Customer, name__startswith="导入测试"),
        "contact_history": history(Contact, customer__name__startswith="导入测试"),
    }


@pytest.mark.parametrize("owner_key", ["lead_bob", None])
def test_the_bulk_path_leaves_exactly_what_the_row_by_row_path_leaves(personas: dict, owner_key: str | None) -> None:
    CustomerFactory(name="已有客户有限公司", uscc=valid_uscc(1))
    bob = personas["lead_bob"].user
    owner = personas[owner_key].user if owner_key else None
    content = _file(_mixed_rows()).getvalue()
    snapshots = {}
    for per_row in (True, False):
        try:
            with transaction.atomic():
                result = import_service.customer_import(
                    actor=bob, file=io.BytesIO(content), owner=owner, skip_failed=True, per_row=per_row
                )
                snapshots[per_row] = _snapshot(result)
                raise Undo
        except Undo:
            pass
    by_row, in_bulk = snapshots[True], snapshots[False]
    assert in_bulk == by_row
    assert in_bulk["created"] == 5 and len(in_bulk["customers"]) == 5 and len(in_bulk["contacts"]) == 4
    assert {(row, column) for row, column, _message in in_bulk["problems"]} == {
        (5, "Mobile"),
        (6, "Customer name"),
        (7, "Customer level"),
        (8, "Unified social credit code"),
    }
    assert "at most 200 characters" in dict((r, m) for r, _c, m in in_bulk["problems"])[6]
    assert {h[0] for h in in_bulk["customer_history"]} == {"+"} and len(in_bulk["customer_history"]) == 5
    assert {h[1] for h in in_bulk["customer_history"] + in_bulk["contact_history"]} == {bob.pk}
    assert {log[1:] for log in in_bulk["logs"]} == {("create", None, owner.pk if owner else None, bob.pk, "")}


def test_a_row_longer_than_the_archive_keeps_is_reported_in_chinese_in_its_column(personas: dict) -> None:
    rows = _rows(3)
    rows[1]["address"] = "路" * 201
    with translation.override("zh-hans"):
        result = import_service.customer_import(actor=personas["lead_bob"].user, file=_file(rows), owner=None)
        [problem] = result.problems
        assert (problem.row, problem.column) == (3, "详细地址") and "200" in problem.message
    assert result.created == 0 and not Customer.objects.exists()


def test_duplicates_within_the_file_keep_the_first_row_only(personas: dict) -> None:
    rows = _rows(5)
    rows[2]["mobile"] = "137-0000-0000"  # row 2's mobile, written differently
    rows[4]["name"] = f" {rows[1]['name'].replace('有限公司', '（有限公司）')} "  # row 3's name, bracketed
    bob = personas["lead_bob"].user
    result = import_service.customer_import(actor=bob, file=_file(rows), owner=bob, skip_failed=True)
    assert {(p.row, p.column) for p in result.problems} == {(4, "Mobile"), (6, "Customer name")}
    assert "row 2" in next(p.message for p in result.problems if p.row == 4)
    assert result.created == 3
    assert Contact.objects.filter(mobile="13700000000").get().customer.name == rows[0]["name"]
    assert Customer.objects.filter(name_key=Customer.objects.get(name=rows[1]["name"]).name_key).count() == 1


@pytest.mark.parametrize("per_row", [True, False])
def test_a_bad_row_in_the_middle_stops_everything_unless_skipped(personas: dict, per_row: bool) -> None:
    rows = _rows(7)
    rows[3]["uscc"] = "91310000MA1K00000X"  # a wrong check character
    bob = personas["lead_bob"].user
    refused = import_service.customer_import(actor=bob, file=_file(rows), owner=bob, per_row=per_row)
    assert refused.created == 0 and refused.failed_rows == [5] and not Customer.objects.exists()
    skipped = import_service.customer_import(actor=bob, file=_file(rows), owner=bob, per_row=per_row, skip_failed=True)
    assert skipped.created == 6 and skipped.failed_rows == [5]
    assert Customer.objects.count() == 6 and OwnershipLog.objects.count() == 6


@pytest.mark.parametrize("per_row", [True, False])
def test_a_key_taken_while_the_import_writes_rolls_every_chunk_back(
    personas: dict, monkeypatch: pytest.MonkeyPatch, per_row: bool
) -> None:
    """A contact typed in by hand (no import lock) takes a mobile of row 6 after the checks: the rows written before
    it, in earlier chunks, are rolled back with it, and the row is named."""
    monkeypatch.setattr(import_service, "REPORT_EVERY", 2)
    rows = _rows(8)
    original = import_service._late_duplicates

    def and_meanwhile(*args: Any, **kwargs: Any) -> Any:
        checked = original(*args, **kwargs)
        ContactFactory(mobile=rows[4]["mobile"])
        return checked

    monkeypatch.setattr(import_service, "_late_duplicates", and_meanwhile)
    bob = personas["lead_bob"].user
    result = import_service.customer_import(actor=bob, file=_file(rows), owner=bob, skip_failed=True, per_row=per_row)
    assert result.created == 0 and result.failed_rows == [6]
    assert not Customer.objects.filter(name__startswith="导入测试").exists()
    assert not OwnershipLog.objects.filter(to_owner=bob).exists()


@pytest.mark.parametrize("per_row", [True, False])
def test_an_owner_the_importer_may_not_assign_is_refused_before_anything_is_written(
    personas: dict, per_row: bool
) -> None:
    with pytest.raises(ValidationError) as refused:
        import_service.customer_import(
            actor=personas["lead_bob"].user, file=_file(_rows(3)), owner=personas["rep_carol"].user, per_row=per_row
        )
    assert refused.value.message_dict["owner"]
    assert not Customer.objects.exists() and not OwnershipLog.objects.exists()


def test_the_bulk_path_reports_progress_per_chunk_and_writes_a_few_statements_per_chunk(
    personas: dict, monkeypatch: pytest.MonkeyPatch, django_assert_max_num_queries: Any
) -> None:
    monkeypatch.setattr(import_service, "REPORT_EVERY", 50)
    calls: list[tuple[int, int]] = []
    content = _file(_rows(120))
    with django_assert_max_num_queries(60):  # not one per row: 3 chunks of a few INSERTs, the checks chunked
        result = import_service.customer_import(
            actor=personas["lead_bob"].user, file=content, owner=None, report=lambda d, t: calls.append((d, t))
        )
    assert result.created == 120 and calls == [(0, 120), (50, 120), (100, 120)]
    assert Customer.objects.filter(owner=None, pooled_at__isnull=False).count() == 120
    assert Contact.history.filter(history_type="+").count() == 120


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_files_imported_at_once_create_each_customer_once(personas: dict) -> None:
    bob = personas["lead_bob"].user
    rows = _rows(30)
    files = [excel.write_workbook(IMPORT_COLUMNS, rows[:20]), excel.write_workbook(IMPORT_COLUMNS, rows[10:])]

    def upload(index: int) -> import_service.ImportResult:
        return import_service.customer_import(actor=bob, file=io.BytesIO(files[index]), owner=bob, skip_failed=True)

    results, errors = run_together(upload, 2)
    assert not errors, errors
    assert Customer.objects.filter(name__startswith="导入测试").count() == 30
    assert Contact.objects.filter(customer__owner=bob).count() == 30
    # Whichever ran second found the ten shared rows in the archive and left them out.
    assert sorted(r.created for r in results) == [10, 20]
    assert sorted(r.failed for r in results) == [0, 10]


def test_a_file_too_large_to_check_while_the_page_waits_is_checked_by_the_job(
    personas: dict, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    from django.urls import reverse

    from apps.core.models import Job
    from apps.customers.views import io as import_views

    monkeypatch.setattr(import_views, "SYNC_CHECK_ROWS", 4)
    rows = _rows(6)
    rows[2]["mobile"] = "123"
    upload = _file(rows)
    upload.name = "customers.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = (
            personas["lead_bob"]
            .client()
            .post(reverse("customers:customer_import"), {"file": upload, "owner_choice": "me"})
        )
    job = Job.objects.get()
    assert response.status_code == 302 and job.status == Job.Status.DONE
    assert job.result["created"] == 0 and job.result["failed"] == 1
    assert [problem["row"] for problem in job.result["problems"]] == [4]  # in bob's language: 手机
    assert not Customer.objects.exists()
