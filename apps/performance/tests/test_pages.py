"""The pages of performance assessment as their users meet them: who sees which buttons, the drill-down from a KPI
to the records it counted (and never a record out of scope), the export, and query counts flat in the data size."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.org.choices import BuiltinRole
from apps.org.testing import make_employee
from apps.performance import services
from apps.performance.models import Assessment, AssessmentCycle
from apps.performance.tests.factories import sales_world
from apps.performance.tests.test_compute import card_of, compute
from apps.policy.choices import KpiCode
from apps.sales.tests.factories_attainment import make_contract

pytestmark = pytest.mark.django_db


def records_url(item: Any) -> str:
    return reverse("performance:item_records", args=[item.assessment_id, item.pk])


def test_alice_drills_from_the_sales_kpi_to_the_contracts_it_counted(personas: dict) -> None:
    world = sales_world(personas)
    cycle = compute(personas)
    alice = personas["rep_alice"]
    card = card_of(cycle, alice.user)
    page = alice.client().get(reverse("performance:assessment_detail", args=[card.pk]))
    assert page.status_code == 200
    item = card.items.get(kpi__code=KpiCode.CONTRACT_AMOUNT_COMPLETION)
    records = alice.client().get(records_url(item))
    body = records.content.decode()
    for contract in world["contracts"]:
        assert contract.number in body and reverse("sales:contract_detail", args=[contract.pk]) in body


def test_a_drill_down_never_shows_a_record_the_viewer_could_not_open(personas: dict) -> None:
    """carol (service staff) cannot see the sales department's contracts; dave sees the department's card and
    its records; a contract moved to another owner after computing stays counted but is no longer listed for a
    viewer who cannot open it."""
    world = sales_world(personas)
    cycle = compute(personas)
    department_card = card_of(cycle, unit=personas["lead_bob"].unit)
    item = department_card.items.get(kpi__code=KpiCode.CONTRACT_AMOUNT_COMPLETION)
    assert personas["rep_carol"].client().get(records_url(item)).status_code == 404
    assert personas["rep_alice"].client().get(records_url(item)).status_code == 404
    page = personas["auditor_dave"].client().get(records_url(item))
    assert all(c.number in page.content.decode() for c in world["contracts"])
    # Alice's own card: a contract handed to carol after computing is no longer hers to open.
    own = card_of(cycle, personas["rep_alice"].user).items.get(kpi__code=KpiCode.CONTRACT_AMOUNT_COMPLETION)
    moved = world["contracts"][0]
    type(moved).objects.filter(pk=moved.pk).update(
        owner=personas["rep_carol"].user, owner_unit=personas["rep_carol"].unit
    )
    body = personas["rep_alice"].client().get(records_url(own)).content.decode()
    assert moved.number not in body and world["contracts"][1].number in body
    assert len(own.sources) == 2  # the snapshot still counts it


def test_buttons_follow_the_role(personas: dict) -> None:
    sales_world(personas)
    cycle = compute(personas)
    alice, bob, dave = personas["rep_alice"], personas["lead_bob"], personas["auditor_dave"]
    url = reverse("performance:assessment_detail", args=[card_of(cycle, alice.user).pk])
    assert 'data-testid="review"' in bob.client().get(url).content.decode()
    assert 'data-testid="review"' not in alice.client().get(url).content.decode()
    assert 'data-testid="appeal-submit"' not in alice.client().get(url).content.decode()  # not reviewed yet
    services.assessment_review(
        actor=bob.user, assessment=card_of(cycle, alice.user), hand_scores={KpiCode.MANAGER_RATING: Decimal("80")}
    )
    mine = alice.client().get(url).content.decode()
    assert 'data-testid="appeal-submit"' in mine and 'data-testid="confirm"' in mine
    assert 'data-testid="confirm"' not in bob.client().get(url).content.decode()
    cycle_url = reverse("performance:cycle_detail", args=[cycle.pk])
    assert 'data-testid="finalise"' in dave.client().get(cycle_url).content.decode()
    assert 'data-testid="finalise"' not in bob.client().get(cycle_url).content.decode()
    assert bob.client().post(reverse("performance:cycle_finalise", args=[cycle.pk])).status_code == 403
    assert type(cycle).objects.get(pk=cycle.pk).status == "computed"


def test_ceo_computes_from_the_page_and_the_progress_shows_100(personas: dict) -> None:
    dave = personas["auditor_dave"]
    client = dave.client()
    response = client.post(reverse("performance:cycle_create"), {"period_key": "2026-Q3"})
    assert response.status_code == 302
    cycle = AssessmentCycle.objects.get(period_key="2026-Q3")
    client.post(reverse("performance:cycle_compute", args=[cycle.pk]))
    progress = client.get(reverse("performance:cycle_progress", args=[cycle.pk])).content.decode()
    assert 'data-progress="100"' in progress and 'data-status="computed"' in progress
    assert personas["rep_alice"].client().post(reverse("performance:cycle_compute", args=[cycle.pk])).status_code == 403


def test_bad_period_is_refused_with_a_message(personas: dict) -> None:
    response = personas["auditor_dave"].client().post(reverse("performance:cycle_create"), {"period_key": "2026-Q5"})
    assert response.status_code == 200
    assert "2026-Q4" in response.content.decode()


def test_export_matches_the_scorecards(personas: dict) -> None:
    sales_world(personas)
    cycle = compute(personas)
    response = personas["auditor_dave"].client().get(reverse("performance:cycle_export", args=[cycle.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    lines = sum(c.items.count() for c in Assessment.objects.filter(cycle=cycle))
    assert len(rows) == lines
    alice_total = card_of(cycle, personas["rep_alice"].user).total
    assert any(r[0] == personas["rep_alice"].user.name and Decimal(str(r[10])) == alice_total for r in rows)


def _queries(client: Any, url: str) -> int:
    client.get(url)  # warm: the user's access is cached after the first page (org.scope)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_scorecard_and_cycle_pages_are_flat_in_the_data_size(personas: dict) -> None:
    world = sales_world(personas)
    cycle = compute(personas)
    dave = personas["auditor_dave"].client()
    card_url = reverse("performance:assessment_detail", args=[card_of(cycle, personas["rep_alice"].user).pk])
    cycle_url = reverse("performance:cycle_detail", args=[cycle.pk])
    small = (_queries(dave, card_url), _queries(dave, cycle_url))
    team = personas["rep_alice"].unit
    for n in range(12):
        person = make_employee(f"extra{n}", f"员工{n}", team, BuiltinRole.STAFF).user
        make_contract(person, "1000", world["contracts"][0].signed_on)
    for _ in range(20):
        make_contract(personas["rep_alice"].user, "100", world["contracts"][0].signed_on)
    services.cycle_compute(actor=personas["auditor_dave"].user, cycle=cycle)
    assert (_queries(dave, card_url), _queries(dave, cycle_url)) == small


def test_a_manager_records_violations_only_of_people_in_scope_and_the_register_filters_by_status(
    personas: dict,
) -> None:
    import datetime as dt

    from django.core.exceptions import PermissionDenied, ValidationError

    from apps.performance.models import Violation

    bob, alice, carol = (personas[p].user for p in ("lead_bob", "rep_alice", "rep_carol"))
    with pytest.raises(ValidationError):  # carol is in customer service, outside bob's scope
        services.violation_report(
            actor=bob, person=carol, article=9, happened_on=dt.date(2026, 8, 1), description="越权"
        )
    with pytest.raises(PermissionDenied):  # staff record no violations
        services.violation_report(
            actor=alice, person=carol, article=9, happened_on=dt.date(2026, 8, 1), description="越权"
        )
    violation = services.violation_report(
        actor=bob, person=alice, article=9, happened_on=dt.date(2026, 8, 1), description="未经审批报价"
    )
    assert Violation.objects.count() == 1
    client = personas["auditor_dave"].client()
    assert violation.description in client.get("/performance/violations/?status=reported").content.decode()
    assert violation.description not in client.get("/performance/violations/?status=confirmed").content.decode()


def test_computing_a_cycle_reads_each_metric_once_whatever_the_number_of_people(
    personas: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The metrics are read per span for everybody and the scorecards written in bulk: a company with a dozen more
    people (in sales, service and market development, with records of their own) costs the same queries."""
    import datetime as dt

    from apps.marketing.models import Lead, Visit
    from apps.performance.tests.factories import at, service_world

    monkeypatch.setattr(services, "COMPUTE_CHUNK", 1000)  # one write per table, whatever the size
    world = sales_world(personas)
    service_world(personas)
    dave = personas["auditor_dave"].user

    def compute_queries() -> int:
        AssessmentCycle.objects.filter(period_key="2026-Q3").delete()
        cycle = services.cycle_create(actor=dave, period_key="2026-Q3")
        with CaptureQueriesContext(connection) as ctx:
            services.cycle_compute(actor=dave, cycle=cycle)
        return len(ctx.captured_queries)

    compute_queries()  # warm the per-process caches (content types)
    small = compute_queries()
    people = Assessment.objects.filter(cycle__period_key="2026-Q3", subject_kind="person").count()
    for n in range(4):
        for persona in ("rep_alice", "rep_carol", "lead_bob"):
            unit = personas[persona].unit
            person = make_employee(f"extra{persona}{n}", f"员工{n}", unit, BuiltinRole.STAFF).user
            make_contract(person, "1000", world["contracts"][0].signed_on)
            Lead.objects.create(
                company_name=f"线索{n}",
                contact_name="联系人",
                owner=person,
                owner_unit=unit,
                status="handed_over",
                handed_at=at(dt.date(2026, 8, 3)),
            )
            Visit.objects.create(
                customer=world["contracts"][0].customer,
                visited_on=dt.date(2026, 8, 4),
                purpose="拜访",
                owner=person,
                owner_unit=unit,
            )
    assert compute_queries() == small
    assert Assessment.objects.filter(cycle__period_key="2026-Q3", subject_kind="person").count() == people + 12
