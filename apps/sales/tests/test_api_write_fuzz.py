"""Every write endpoint of the sales API answers a client error or success, never a 5xx: each route the routers
advertise is called with every write method it accepts, as roles that may write (a salesperson, their manager,
senior management, and the administrator who reaches every handler), with an empty body, wrong types and
out-of-range values. An advertised operation without a service (PATCH on a payment used to answer 500) shows up
here."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver

from apps.sales.api import urls as sales_api_urls
from apps.sales.choices import AdjustmentKind, TargetMetric
from apps.sales.services import refunds as refund_services
from apps.sales.tests.factories_attainment import (
    YEAR,
    make_contract,
    make_payment,
    make_target_set,
    persona_tree,
)
from apps.sales.tests.factories_contracts import PaymentPlanFactory
from apps.sales.tests.factories_pipeline import OpportunityFactory, ProductFactory, SalesPlanFactory

pytestmark = pytest.mark.django_db
WRITE_METHODS = ("post", "put", "patch", "delete")
BODIES: list[dict[str, Any]] = [
    {},
    {
        "amount": "abc",
        "contract": "x",
        "customer": 10**9,
        "signed_on": "2026-13-45",
        "lines": "x",
        "node": "x",
        "instalments": [{"amount": "-1", "due_date": "x"}],
        "months": ["a"] * 12,
        "stage": "nowhere",
        "kind": "x",
        "new_amount": "-5",
        "reason": "",
        "comment": "x" * 600,
        "period_start": "x",
        "payment": -1,
        "plan": "x",
    },
    {
        "amount": "99999999999999999999.99",
        "title": "x" * 300,
        "signed_on": "1900-01-01",
        "discount_pct": "101",
        "lines": [{"product": 10**9, "unit_price": "-1"}],
        "months": [str(10**20)] * 12,
        "period_start": "2026-01-01",
        "period_end": "2025-01-01",
        "kind": AdjustmentKind.TERMINATION,
        "reason": "原因",
        "comment": "原因",
    },
]


def _routes() -> list[tuple[str, str, dict[str, str]]]:
    """(regex, route name, method → action) of every sales API route."""
    found = []

    def walk(patterns: list[Any]) -> None:
        for item in patterns:
            if isinstance(item, URLResolver):
                walk(item.url_patterns)
            elif isinstance(item, URLPattern):
                actions = getattr(item.callback, "actions", None)
                if actions is None:  # a plain APIView: every method it defines
                    view = item.callback.view_class
                    actions = {m: m for m in WRITE_METHODS if hasattr(view, m)}
                found.append((str(item.pattern), item.name or "", dict(actions)))

    walk(sales_api_urls.urlpatterns)
    return found


def _objects(personas: dict) -> dict[str, int]:
    """One record of every resource, owned by alice (in bob's department)."""
    alice = personas["rep_alice"].user
    tree = persona_tree(personas, make_target_set(TargetMetric.CONTRACT_AMOUNT))
    contract = make_contract(alice, "10000.00", dt.date(YEAR, 3, 1))
    payment = make_payment(contract, "3000.00", dt.date(YEAR, 3, 2))
    refund = refund_services.refund_request(actor=alice, contract=contract, amount=Decimal("10"), reason="退款")
    adjustment = refund_services.contract_adjust_request(
        actor=alice, contract=contract, kind=AdjustmentKind.AMENDMENT, new_amount=Decimal("12000"), reason="增购"
    )
    return {
        "contract": contract.pk,
        "payment": payment.pk,
        "paymentplan": PaymentPlanFactory(contract=contract).pk,
        "refundrequest": refund.pk,
        "contractadjustment": adjustment.pk,
        "product": ProductFactory().pk,
        "opportunity": OpportunityFactory(owner=alice).pk,
        "salesplan": SalesPlanFactory(owner=alice).pk,
        "targetset": tree["company"].target_set_id,
        "targetnode": tree["alice"].pk,
        "salesevaluation": 1,
    }


def _url(regex: str, name: str, ids: dict[str, int]) -> str:
    basename = name.split("-")[0]
    path = regex.lstrip("^").rstrip("$")
    path = re.sub(r"\(\?P<pk>[^)]*\)", str(ids.get(basename, 1)), path)
    return "/api/v1/" + path.replace("\\", "")


@pytest.mark.parametrize("persona", ["rep_alice", "lead_bob", "auditor_dave", "admin"])
def test_no_write_endpoint_answers_5xx(personas: dict, persona: str) -> None:
    ids = _objects(personas)
    client = Client(raise_request_exception=False)
    client.force_login(personas[persona].user)
    failures, calls = [], 0
    for regex, name, actions in _routes():
        url = _url(regex, name, ids)
        for method in WRITE_METHODS:
            if method not in actions:
                continue
            for body in BODIES:
                response = getattr(client, method)(url, body, content_type="application/json")
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} {body and list(body)[:3]} → {response.status_code}")
    assert calls > 60  # every router contributed
    assert not failures, "\n".join(failures)


def test_payments_are_not_edited_through_the_api(personas: dict) -> None:
    """PATCH on a payment is not advertised (a payment is corrected by a refund), even for the administrator."""
    ids = _objects(personas)
    client = Client(raise_request_exception=False)
    client.force_login(personas["admin"].user)
    url = f"/api/v1/payments/{ids['payment']}/"
    assert client.patch(url, {"amount": "1"}, content_type="application/json").status_code == 405
    assert client.put(url, {"amount": "1"}, content_type="application/json").status_code == 405
    assert "patch" not in client.options(url).headers.get("Allow", "").lower()


def _floats(value: Any, path: str = "") -> list[str]:
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _floats(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _floats(v, f"{path}[{i}]")]
    return []


def test_money_is_never_a_float_in_a_sales_api_answer(personas: dict) -> None:
    """Every read of the sales API (lists, details, attainment) gives amounts as exact decimal strings."""
    ids = _objects(personas)
    make_payment(make_contract(personas["rep_alice"].user, "10.00", dt.date(YEAR, 1, 5)), "3.33", dt.date(YEAR, 1, 6))
    client = Client(raise_request_exception=False)
    client.force_login(personas["admin"].user)
    urls = {f"/api/v1/attainment/?node={ids['targetnode']}&period={YEAR}"}
    for regex, name, actions in _routes():
        if actions.get("get") in ("list", "retrieve"):
            urls.add(_url(regex, name, ids))
    found = []
    for url in sorted(urls):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        if response.status_code == 200:
            found += [f"{url} {p}" for p in _floats(response.json())]
    assert len(urls) > 15
    assert not found, found
