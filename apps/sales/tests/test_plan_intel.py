"""Policy art. 9: a sales plan cites market intelligence, and only intelligence its author can see. The rule lives in
the service (it used to live in the form and the API serializer only), so the page, the API and any other caller
meet the same refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from apps.marketing.choices import IntelStatus
from apps.marketing.tests.factories_leads import IntelFactory
from apps.org.choices import BuiltinRole, DepartmentKind
from apps.org.models import Employee
from apps.org.testing import make_department, make_employee
from apps.sales.models import SalesPlan
from apps.sales.services import plans as svc

pytestmark = pytest.mark.django_db


def _data(intel: list) -> dict[str, Any]:
    return {
        "title": "华东区上半年销售计划",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2026, 6, 30),
        "strategy": "聚焦制造业",
        "intel": intel,
    }


def _other_seller(personas: dict) -> Any:
    """A salesperson of another sales department (outside alice's scope); plans are the sales department's work."""
    employee = Employee.objects.filter(user__username="erin").first()
    if employee is None:
        unit = make_department("销售部 C", "t-sales-c", DepartmentKind.SALES, personas["auditor_dave"].unit)
        employee = make_employee("erin", "艾琳", unit, BuiltinRole.STAFF)
    return employee.user


@pytest.fixture
def hidden(personas: dict) -> Any:
    """A draft by another sales person: not published, not in alice's scope."""
    return IntelFactory(owner=_other_seller(personas), status=IntelStatus.DRAFT, title="草稿情报")


@pytest.fixture
def published(personas: dict) -> Any:
    return IntelFactory(owner=_other_seller(personas), status=IntelStatus.PUBLISHED)


def test_the_service_refuses_intelligence_the_author_cannot_see(personas: dict, hidden: Any, published: Any) -> None:
    alice = personas["rep_alice"].user
    with pytest.raises(ValidationError) as info:
        svc.salesplan_create(actor=alice, data=_data([published, hidden]))
    assert info.value.message_dict["intel"] == [str(svc.INTEL_NOT_VISIBLE)]
    assert not SalesPlan.objects.exists()


def test_an_edit_may_not_add_hidden_intelligence_but_keeps_what_was_cited(
    personas: dict, hidden: Any, published: Any
) -> None:
    alice, carol = personas["rep_alice"].user, _other_seller(personas)  # "carol": the other salesperson
    plan = svc.salesplan_create(actor=carol, data=_data([hidden]))  # carol sees her own draft
    plan2 = svc.salesplan_create(actor=alice, data=_data([published]))
    with pytest.raises(ValidationError) as info:
        svc.salesplan_update(actor=alice, plan=plan2, data={"intel": [published, hidden]})
    assert "intel" in info.value.message_dict
    assert list(plan2.intel.all()) == [published]
    svc.salesplan_update(actor=carol, plan=plan, data={"title": "改名"})  # what it cited stays citable
    plan.refresh_from_db()
    assert plan.title == "改名"


def test_the_api_answers_the_service_refusal(personas: dict, hidden: Any, published: Any) -> None:
    client = personas["rep_alice"].client()
    body = {**_data([published.pk, hidden.pk]), "period_start": "2026-01-01", "period_end": "2026-06-30"}
    response = client.post("/api/v1/sales-plans/", body, content_type="application/json")
    assert response.status_code == 400 and "intel" in response.json()
    assert not SalesPlan.objects.exists()
    body["intel"] = [published.pk]
    assert client.post("/api/v1/sales-plans/", body, content_type="application/json").status_code == 201


def test_the_form_refuses_it_too(personas: dict, hidden: Any) -> None:
    response = (
        personas["rep_alice"]
        .client()
        .post(
            reverse("sales:plan_create"),
            {
                "title": "计划",
                "period_start": "2026-01-01",
                "period_end": "2026-06-30",
                "strategy": "策略",
                "intel": [hidden.pk],
                "actions-TOTAL_FORMS": "0",
                "actions-INITIAL_FORMS": "0",
            },
        )
    )
    assert response.status_code == 200 and not SalesPlan.objects.exists()
