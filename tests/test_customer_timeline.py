"""The customer timeline reads every declared source in one query (``customers.timeline.read_rows``): on a customer
with every kind of entry, the union gives each source exactly the values its own queryset gives (the same rows, in
the same order, converted as the ORM converts them), the merged timeline is newest first, and neither the timeline
nor the customer page grows in queries with the entries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.customers.selectors.archive import customer_timeline
from apps.customers.services import archive as customer_services
from apps.customers.tests.factories import ContactFactory, CustomerFactory, FollowUpFactory, OwnershipLogFactory
from apps.customers.timeline import TimelineRows, read_rows, timeline_sources
from apps.marketing.tests.factories_leads import CampaignFactory, LeadFactory, VisitFactory
from apps.sales.tests.factories_contracts import ContractFactory, PaymentFactory
from apps.sales.tests.factories_pipeline import OpportunityFactory
from apps.service.tests.factories_feedback import make_feedback, make_routing
from apps.service.tests.factories_relationship import make_contact_record
from apps.service.tests.factories_tickets import make_ticket
from apps.surveys.models import Answer, SurveyResponse
from apps.surveys.tests.factories import default_questionnaire, make_campaign, make_invitation

pytestmark = pytest.mark.django_db
KINDS = {
    "follow_up",
    "need",
    "ownership",
    "contact",
    "lead",
    "visit",
    "opportunity",
    "contract",
    "payment",
    "ticket",
    "feedback",
    "relationship_contact",
    "survey_response",
}


def _every_kind(personas: dict, customer: Any, n: int) -> None:
    """``n`` entries of every kind for ``customer`` (owned by Alice, served by Carol), at distinct times."""
    alice, carol, bob = personas["rep_alice"].user, personas["rep_carol"].user, personas["lead_bob"].user
    now = timezone.now()
    questionnaire = default_questionnaire()
    text_question = questionnaire.questions.get(kind="text")
    for i in range(n):
        at = now - dt.timedelta(days=i + 1, minutes=7 * i)
        ContactFactory(customer=customer, is_primary=False)
        FollowUpFactory(customer=customer, author=alice)
        customer_services.need_create(actor=alice, customer=customer, content=f"需求{i}")
        OwnershipLogFactory(customer=customer)
        LeadFactory(
            customer=customer, owner=bob, converted_at=at, converted_by=bob, campaign=CampaignFactory(owner=bob)
        )
        LeadFactory(customer=customer, owner=bob)  # never converted: its creation time, its source's label
        visit = VisitFactory(customer=customer, owner=alice, visited_on=at.date(), outcome="谈妥", next_step="报价")
        visit.visitors.add(alice, bob)
        VisitFactory(customer=customer, owner=bob, visited_on=at.date() - dt.timedelta(days=1))
        OpportunityFactory(customer=customer, owner=alice, amount=Decimal("12345.67"))
        contract = ContractFactory(customer=customer, owner=alice, signed_on=at.date())
        PaymentFactory(contract=contract, received_on=at.date(), amount=Decimal("1000.50"))
        PaymentFactory(contract=contract, received_on=at.date(), amount=Decimal("-200.00"))  # a refund
        make_ticket(alice, customer=customer, title=f"工单{i}")
        make_ticket(alice, customer=customer, title=f"投诉{i}", ticket_type="complaint", complaint_category="delivery")
        feedback = make_feedback(customer=customer, created_by=carol, unit=personas["rep_carol"].unit)
        make_routing(feedback=feedback, department=personas["lead_bob"].unit)
        replied = make_routing(feedback=feedback, department=personas["rep_carol"].unit)
        replied.reply, replied.replied_at = "已安排", at
        replied.save(update_fields=["reply", "replied_at"])
        make_contact_record(
            customer=customer,
            owner=carol,
            unit=personas["rep_carol"].unit,
            occurred_at=at,
            satisfaction=5,
            personal_notes="生日送花",
        )
        invitation = make_invitation(make_campaign(carol, questionnaire), customer=customer)
        response = SurveyResponse.objects.create(
            invitation=invitation, campaign=invitation.campaign, submitted_at=at, csat=Decimal("4.50"), nps_score=9
        )
        Answer.objects.create(response=response, question=text_question, text=f"很满意{i}")


def _by_the_orm(customer: Any, source: TimelineRows) -> dict[str, list[dict[str, Any]]]:
    """What each query of ``source`` reads, by the ORM alone (no union, no slots)."""
    read = {}
    for name, query in source.queries.items():
        exprs = {f"v{i}": F(f) if isinstance(f, str) else f for i, f in enumerate(query.fields.values())}
        qs = query.rows(customer).annotate(**exprs).order_by(*query.order).values(*exprs)
        rows = list(qs[: query.limit] if query.limit is not None else qs)
        names = dict(zip(exprs, query.fields, strict=True))
        read[name] = [{names[k]: v for k, v in row.items()} for row in rows]
    return read


@pytest.fixture
def customer(personas: dict) -> Any:
    customer = CustomerFactory(owner=personas["rep_alice"].user, service_owner=personas["rep_carol"].user)
    _every_kind(personas, customer, 2)
    return customer


def test_the_union_reads_what_each_source_s_queryset_reads(customer: Any) -> None:
    sources = {k: s for k, s in timeline_sources().items() if isinstance(s, TimelineRows)}
    assert set(sources) == KINDS - {"follow_up", "need", "ownership", "contact"}
    read = read_rows(customer, sources)
    for key, source in sources.items():
        expected = _by_the_orm(customer, source)
        assert read[key] == expected, key
        assert all(rows for rows in expected.values()), key  # every query of every source has rows here


def test_every_kind_shows_newest_first_and_equal_to_each_source_alone(customer: Any, personas: dict) -> None:
    alice = personas["rep_alice"].user
    events = customer_timeline(customer=customer, user=alice, limit=500)
    assert {e.kind for e in events} == KINDS
    assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)
    alone = []
    for source in timeline_sources().values():
        alone.extend(source(customer, alice))
    alone.sort(key=lambda e: e.when, reverse=True)
    assert events == alone
    titles = [e.title for e in events]
    assert any("¥12,345.67" in e.body for e in events if e.kind == "opportunity")
    assert any(t.startswith("Refund paid") or "退款" in t for t in titles)
    assert any("、" in e.actor_name for e in events if e.kind == "visit")  # who went, both of them
    assert any(e.icon == "bi-reply" and e.body == "已安排" for e in events if e.kind == "feedback")
    assert any("很满意" in e.body for e in events if e.kind == "survey_response")


@pytest.mark.parametrize("n", [1, 4])
def test_the_timeline_and_the_page_do_not_grow_with_the_entries(personas: dict, n: int) -> None:
    customer = CustomerFactory(owner=personas["rep_alice"].user, service_owner=personas["rep_carol"].user)
    _every_kind(personas, customer, n)
    with CaptureQueriesContext(connection) as captured:
        customer_timeline(customer=customer, user=personas["rep_alice"].user)
    # The archive's contacts, needs, follow-ups and ownership changes (read once with the page's panels) and ONE
    # query for the other nine sources.
    assert len(captured.captured_queries) == 5
    client = personas["lead_bob"].client()
    client.get(reverse("customers:customer_list"))  # the session and the access are warm, as after any page
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("customers:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    # Sessions are in Redis in production (``cached_db``): the tests' database session is left out.
    queries = [q["sql"][:80] for q in captured.captured_queries if "django_session" not in q["sql"]]
    assert len(queries) <= 10, queries
