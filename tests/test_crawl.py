"""The page crawler of a before/after check (``scripts/crawl_pages.py``): it finds the routes, fills their ids
from the database, reads the records and numbers a page shows, and ``compare`` flags a changed number."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from apps.customers.tests.factories import CustomerFactory
from apps.org.models import User

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "crawl_pages.py"
spec = importlib.util.spec_from_file_location("crawl_pages", SCRIPT)
assert spec and spec.loader
crawl = importlib.util.module_from_spec(spec)
spec.loader.exec_module(crawl)


@pytest.fixture
def demo(db: Any) -> dict[str, Any]:
    call_command("load_demo", apps="org", stdout=io.StringIO())
    sales1 = User.objects.get(username="sales1")
    mine = CustomerFactory(owner=sales1, owner_unit=sales1.employee.department, name="杭州云杉智能制造有限公司")
    pool = CustomerFactory(owner=None, name="宁波海曙公共池有限公司")
    return {"mine": mine, "pool": pool}


def test_routes_found_with_their_parameters_and_ids_from_the_database(demo: dict[str, Any]) -> None:
    routes = {r.name: r for r in crawl.iter_routes()}
    assert routes["customers:customer_detail"].params == ["pk"]
    assert routes["customers:customer_list"].params == []
    assert not any(r.template.startswith("django-admin/") for r in routes.values())
    api_details = [r for r in routes.values() if r.template.startswith("api/v1/customers/") and r.params == ["pk"]]
    assert api_details, "the API's detail routes are crawled too"

    seeds = crawl.seed_urls(list(routes.values()))
    for customer in (demo["mine"], demo["pool"]):
        assert f"/customers/{customer.pk}/" in seeds["customers:customer_detail"]


def test_crawl_as_a_user_reads_records_statuses_and_numbers(demo: dict[str, Any]) -> None:
    routes = crawl.iter_routes()
    by_name = {r.name: r for r in routes}
    detail = by_name["customers:customer_detail"]
    seeds = {
        "customers:customer_list": {"/customers/"},
        "customers:customer_detail": {detail.url({"pk": demo["mine"].pk}), detail.url({"pk": demo["pool"].pk})},
    }
    pages = crawl.crawl_user("sales1", routes, seeds, set(), per_route=4)

    listing = pages["/customers/"]
    assert listing["status"] == 200
    assert f"/customers/{demo['mine'].pk}/" in listing["refs"]
    assert f"/customers/{demo['pool'].pk}/" not in listing["refs"]  # another's record is not listed
    assert pages[f"/customers/{demo['mine'].pk}/"]["status"] == 200
    assert pages[f"/customers/{demo['pool'].pk}/"]["status"] == 404  # out of sales1's scope


def test_digest_keeps_numbers_and_rows_not_dates_or_markup() -> None:
    body = """<table><thead><tr><th>金额</th></tr></thead><tbody>
      <tr><td><a href="/customers/7/">甲</a></td><td>¥1,234.50</td><td>2026-12-08 10:15</td></tr>
      <tr><td>共12条</td><td>45.5%</td><td>HT20261208001</td></tr></tbody></table>
      <div class="card"><div class="card-body"><span>本月回款</span> <b>3,000</b> 万元</div></div>"""
    digest, _ = crawl.html_digest(body, {})
    assert digest["rows"] == [2]
    assert digest["cells"] == ["12", "45.5%", "1234.50"]
    assert digest["cards"] == ["3000"]
    assert digest["refs"] == ["/customers/7/"]

    same_in_other_markup = body.replace("<b>", "<strong>").replace("</b>", "</strong>")
    assert crawl.html_digest(same_in_other_markup, {})[0] == digest


def test_compare_flags_a_changed_number(tmp_path: Path) -> None:
    page = {"route": "sales:dashboard", "status": 200, "refs": [], "cells": ["12", "1234.50"], "cards": [], "rows": [2]}
    before = {"routes": {"sales:dashboard": "/sales/"}, "pages": {"/sales/": page}}
    after = json.loads(json.dumps(before))
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    a.write_text(json.dumps(before))
    b.write_text(json.dumps(after))
    assert crawl.main(["compare", str(a), str(b)]) == 0

    after["pages"]["/sales/"]["cells"] = ["12", "1234.60"]
    b.write_text(json.dumps(after))
    assert crawl.main(["compare", str(a), str(b)]) == 1
    lines = crawl.compare(before, after)
    assert lines == ["/sales/ [sales:dashboard] cells: -1234.50 +1234.60"]

    refused = {"route": "sales:dashboard", "status": 404, "refs": ["/org/employees/13/"], "cells": [], "rows": []}
    assert crawl.compare({"pages": {"/x/": {**refused, "refs": []}}}, {"pages": {"/x/": refused}}) == []
    lines = crawl.compare({"pages": {"/x/": page}}, {"pages": {"/x/": refused}})
    assert lines[0] == "/x/ [sales:dashboard] status: 200 → 404"  # a page that became a refusal still counts
