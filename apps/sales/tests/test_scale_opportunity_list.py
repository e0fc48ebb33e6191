"""Issue 14, the opportunity list at scale: the count shown with the totals is the pagination's too (one query for
both, exact), and the page's queries do not grow with the records."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.sales.models import Opportunity
from apps.sales.tests.factories_pipeline import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_opportunity_list_counts_once_with_its_totals_and_its_queries_do_not_grow(personas) -> None:
    """The totals' count is the pagination's: one query fewer, the same figure in both places; equal queries at
    5 and at 45 opportunities."""
    bob = personas["lead_bob"]
    client = bob.client()
    counts = {}
    for total in (5, 45):
        while Opportunity.objects.count() < total:
            OpportunityFactory(owner=personas["rep_alice"].user, name=f"商机{Opportunity.objects.count()}")
        client.get("/sales/opportunities/")
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/sales/opportunities/", {"page_size": 4})
        body = response.content.decode()
        assert response.status_code == 200 and body.count('data-testid="opportunity-row"') == 4
        assert f"共 {total} 条记录" in body and f"<strong>{total}</strong>" in body
        counted = [q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"]]
        assert not [sql for sql in counted if "sales_opportunity" in sql], counted  # only the totals count them
        counts[total] = len(captured.captured_queries)
    assert counts[5] == counts[45], counts
