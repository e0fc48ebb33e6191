"""Issue 14, lists at scale: the count stops at a cap and says so, the page's bytes and queries do not grow with
the records, and the two-character Chinese search (a GIN bigram index on PostgreSQL) finds exactly what the plain
substring match finds, within the user's scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import views as core_views
from apps.customers.models import Customer
from apps.customers.selectors.archive import customer_list
from apps.customers.selectors.search import bigrams
from apps.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db
LIST = "/customers/"


def _customers(owner, count: int, start: int = 0) -> None:
    for i in range(count):
        ContactFactory(customer=CustomerFactory(owner=owner, name=f"规模测试{start + i:05d}有限公司"))


def test_the_count_is_exact_up_to_the_cap(personas, monkeypatch) -> None:
    monkeypatch.setattr(core_views.CappedPaginator, "cap", 6)
    alice = personas["rep_alice"]
    _customers(alice.user, 6)
    body = alice.client().get(LIST, {"page_size": 5}).content.decode()
    assert "共 6 条记录" in body and "count-capped" not in body
    assert "第 1 页，共 2 页" in body


def test_past_the_cap_the_count_says_more_than_and_the_pages_stop_at_the_cap(personas, monkeypatch) -> None:
    monkeypatch.setattr(core_views.CappedPaginator, "cap", 6)
    alice = personas["rep_alice"]
    _customers(alice.user, 9)
    client = alice.client()
    body = client.get(LIST, {"page_size": 5}).content.decode()
    assert 'data-testid="count-capped"' in body and "超过 6 条记录" in body
    assert "共 9 条记录" not in body
    assert client.get(LIST, {"page_size": 5, "page": 2}).status_code == 200  # rows 6–10: the cap's last page
    assert client.get(LIST, {"page_size": 5, "page": 3}).status_code == 404
    # The reversed sort reaches the rows past the cap; the records themselves are all there.
    reversed_body = client.get(LIST, {"page_size": 5, "sort": "updated_at"}).content.decode()
    assert "规模测试00000有限公司" in reversed_body
    # Someone who sees fewer rows than the cap gets the exact count.
    carol = personas["rep_carol"]
    _customers(carol.user, 2, start=100)
    assert "共 2 条记录" in carol.client().get(LIST).content.decode()


def test_list_bytes_and_queries_do_not_grow_with_the_records(personas) -> None:
    """The same page (20 rows) at 25 and at 120 customers: equal queries, bytes within a few digits."""
    bob = personas["lead_bob"]
    client = bob.client()
    sizes = {}
    for total in (25, 120):
        _customers(personas["rep_alice"].user, total - Customer.objects.count(), start=Customer.objects.count())
        client.get(LIST)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(LIST, {"page": 2})
        assert response.status_code == 200
        assert response.content.decode().count('data-testid="customer-row"') == (5 if total == 25 else 20)
        sizes[total] = (len(captured.captured_queries), len(response.content))
    (q_small, _), (q_large, _) = sizes[25], sizes[120]
    assert q_small == q_large, sizes
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"page": 3})
    page3 = len(response.content)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(LIST, {"page": 4})
    assert abs(len(response.content) - page3) < 300, (page3, len(response.content))
    assert len(captured.captured_queries) == q_large


def test_bigrams_of_a_term() -> None:
    assert bigrams("瑞丰科技") == sorted(["瑞丰", "丰科", "科技"])
    assert bigrams("AbAb") == ["ab", "ba"]
    assert bigrams("瑞") == []


def test_two_character_search_finds_names_and_contacts_like_the_substring_match(personas) -> None:
    alice = personas["rep_alice"]
    by_name = CustomerFactory(owner=alice.user, name="深圳瑞丰科技有限公司")
    by_contact = CustomerFactory(owner=alice.user, name="广州华信电子有限公司")
    ContactFactory(customer=by_contact, name="瑞丰")
    CustomerFactory(owner=alice.user, name="丰瑞贸易有限公司")  # the same characters in another order
    CustomerFactory(owner=alice.user, name="瑞达丰源有限公司")  # both characters, not adjacent
    CustomerFactory(owner=alice.user, name="ABC电子有限公司")
    assert set(customer_list(user=alice.user, q="瑞丰")) == {by_name, by_contact}
    assert set(customer_list(user=alice.user, q="瑞丰科技")) == {by_name}
    assert set(customer_list(user=alice.user, q="丰科技有")) == {by_name}
    assert {c.name for c in customer_list(user=alice.user, q="abc")} == {"ABC电子有限公司"}  # case does not matter
    assert {c.name for c in customer_list(user=alice.user, q="瑞")} == {
        "深圳瑞丰科技有限公司",
        "广州华信电子有限公司",
        "丰瑞贸易有限公司",
        "瑞达丰源有限公司",
    }
    # Out of scope: the same term finds nothing for a colleague who may not see Alice's customers.
    assert list(customer_list(user=personas["rep_carol"].user, q="瑞丰")) == []


def test_on_postgresql_the_search_asks_the_bigram_index(personas) -> None:
    alice = personas["rep_alice"]
    CustomerFactory(owner=alice.user, name="深圳瑞丰科技有限公司")
    sql = str(customer_list(user=alice.user, q="瑞丰").query)
    if connection.vendor == "postgresql":
        assert sql.count("salesops_bigrams") == 2, sql  # the customer's name and the contacts' names
    else:
        assert "salesops_bigrams" not in sql  # SQLite keeps the plain substring match


@pytest.mark.parametrize("endpoint", ["/api/v1/customers/", "/api/v1/contacts/"])
def test_api_answer_bytes_and_queries_do_not_grow_with_the_records(personas, endpoint) -> None:
    """A page of 20 at 25 and at 80 customers: equal queries, bytes apart by the count's digits and the ids."""
    client = personas["lead_bob"].client()
    client.get(endpoint)
    measured = {}
    for total in (25, 80):
        _customers(personas["rep_alice"].user, total - Customer.objects.count(), start=Customer.objects.count())
        with CaptureQueriesContext(connection) as captured:
            response = client.get(endpoint, {"page_size": 20})
        assert response.status_code == 200 and len(response.json()["results"]) == 20
        assert response.json()["count"] == total
        measured[total] = (len(captured.captured_queries), len(response.content))
    assert measured[25][0] == measured[80][0], measured
    assert abs(measured[80][1] - measured[25][1]) < 200, measured
