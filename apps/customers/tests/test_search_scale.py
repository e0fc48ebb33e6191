"""Issue 14, search at scale: the customer search filters with index lookups ORed together (PostgreSQL), counts a
wide search up to ``SEARCH_COUNT_CAP`` and says so, and reads a wide search's first pages by walking the list in its
order (``search.walk_page``). Whatever the path, the page shows the same customers in the same order as a plain
recomputation: every customer in scope whose name, initials, USCC, contact name or contact mobile matches, in the
list's order (latest change first, then the newest record)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.core.validators import normalize_mobile
from apps.customers.models import Contact, Customer
from apps.customers.selectors import search
from apps.customers.selectors.archive import customer_list
from apps.customers.selectors.dedupe import normalize_uscc
from apps.customers.selectors.search import pinyin_initials
from apps.customers.tests.factories import ContactFactory, CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db
LIST = "/customers/"
# Names with the term in the name, in the initials only (瑞丰 → rf), in neither; contacts and mobiles match too.
NAMES = (
    "深圳瑞丰科技有限公司",
    "广州华信电子有限公司",
    "北京热风机械有限公司",
    "上海瑞达丰源贸易有限公司",
    "RF Tech 有限公司",
)
TERMS = ("瑞丰", "rf", "RF", "瑞丰科技", "华信电子", "有限", "tech", "瑞", "13900077", "王小")


def _make(owner: Any, count: int, start: int = 0) -> None:
    """``count`` customers cycling through ``NAMES``; every seventh has a contact named 王小瑞丰, every fifth a
    mobile 13900077xxx; the change times repeat in threes so that the order leans on the tie-break too."""
    base = timezone.now() - dt.timedelta(days=1)
    for i in range(start, start + count):
        name = f"{NAMES[i % len(NAMES)]}{i:04d}"
        customer = CustomerFactory(owner=owner, name=name, name_initials=pinyin_initials(name), uscc=make_uscc(i + 1))
        contact = "王小瑞丰" if i % 7 == 0 else f"联系人{i}"
        mobile = f"13900077{i:03d}" if i % 5 == 0 else f"13800{i:06d}"
        ContactFactory(customer=customer, name=contact, mobile=mobile)
        Customer.objects.filter(pk=customer.pk).update(updated_at=base + dt.timedelta(minutes=i // 3))


def _expected(user: Any, term: str) -> list[int]:
    """The plain recomputation, in Python from the raw rows: what the search must list, in the list's order."""
    visible = Customer.objects.visible_to(user)
    low = term.lower()
    digits = normalize_mobile(term)
    by_contact = {
        c.customer_id
        for c in Contact.objects.all()
        if low in c.name.lower() or (digits.isdigit() and len(digits) >= 4 and digits in (c.mobile or ""))
    }
    initials = search.is_initials_term(term)
    rows = [
        c
        for c in visible
        if low in c.name.lower()
        or (initials and low in c.name_initials)
        or c.uscc == normalize_uscc(term)
        or c.pk in by_contact
    ]
    rows.sort(key=lambda c: (c.updated_at, c.pk), reverse=True)
    return [c.pk for c in rows]


def _page(client: Any, term: str, page: int, size: int = 5) -> tuple[list[int], Any]:
    response = client.get(LIST, {"q": term, "page": page, "page_size": size})
    assert response.status_code == 200
    return [c.pk for c in response.context["page_obj"].object_list], response


@pytest.fixture
def wide(monkeypatch):
    """A small cap and walk, so that a few dozen customers make a wide search whose walk runs out."""
    monkeypatch.setattr(search, "SEARCH_COUNT_CAP", 6)
    monkeypatch.setattr(search, "WALK_ROWS", 12)


def test_the_search_selector_lists_what_the_recomputation_lists(personas) -> None:
    alice = personas["rep_alice"]
    _make(alice.user, 40)
    for term in (*TERMS, make_uscc(3)):
        assert [c.pk for c in customer_list(user=alice.user, q=term)] == _expected(alice.user, term), term


def test_every_page_of_a_wide_search_is_the_recomputation_in_order(personas, wide, monkeypatch) -> None:
    """Walked pages (within the first WALK_ROWS rows), pages past them (sorted matches) and another sort."""
    walked: list[bool] = []
    walk_page = search.walk_page

    def spy(*args: Any) -> Any:
        rows = walk_page(*args)
        walked.append(rows is not None)
        return rows

    monkeypatch.setattr(search, "walk_page", spy)
    bob = personas["lead_bob"]  # sees the team's customers, not every customer
    _make(personas["rep_alice"].user, 45)
    _make(personas["rep_carol"].user, 10, start=45)
    client = bob.client()
    for term in TERMS:
        expected = _expected(bob.user, term)
        wanted = min(len(expected), search.SEARCH_COUNT_CAP)
        shown: list[int] = []
        while len(shown) < wanted:
            rows, _ = _page(client, term, len(shown) // 3 + 1, size=3)
            assert rows, term
            shown += rows
        assert shown == expected[:wanted], term
    assert True in walked and False in walked, walked  # both paths ran
    # A sort the walk does not take: the matches sorted as usual, the same rows.
    response = client.get(LIST, {"q": "瑞丰", "sort": "name", "page_size": 50})
    names = [c.name for c in response.context["page_obj"].object_list]
    expected_names = sorted(Customer.objects.get(pk=pk).name for pk in _expected(bob.user, "瑞丰"))
    assert names == expected_names[: search.SEARCH_COUNT_CAP]


def test_a_walk_that_runs_out_falls_back_to_the_sorted_matches(personas, wide) -> None:
    """Matches only far down the list: the walk's prefix holds none, the page is still the right one."""
    alice = personas["rep_alice"]
    _make(alice.user, 30)
    old = timezone.now() - dt.timedelta(days=400)
    for i in range(8):
        name = f"江门远古{i}有限公司"
        CustomerFactory(owner=alice.user, name=name, name_initials=pinyin_initials(name), uscc=make_uscc(900 + i))
    Customer.objects.filter(name__startswith="江门远古").update(updated_at=old)
    assert len(_expected(alice.user, "远古")) == 8  # wide (cap 6), all behind the walk's 12 rows
    rows, response = _page(alice.client(), "远古", 2, size=3)
    assert rows == _expected(alice.user, "远古")[3:6]
    assert response.context["page_obj"].paginator.capped


def test_a_wide_search_says_more_than_the_cap_and_a_narrow_one_is_exact(personas, wide) -> None:
    alice = personas["rep_alice"]
    _make(alice.user, 20)
    client = alice.client()
    body = client.get(LIST, {"q": "有限"}).content.decode()
    assert 'data-testid="count-capped"' in body and "超过 6 条记录" in body
    assert len(_expected(alice.user, "华信电子")) == 4
    body = client.get(LIST, {"q": "华信电子"}).content.decode()
    assert "共 4 条记录" in body and "count-capped" not in body
    # Without a search the list keeps its own cap.
    assert "共 20 条记录" in client.get(LIST).content.decode()


def test_a_wide_search_page_runs_the_same_queries_at_two_sizes(personas, wide) -> None:
    bob = personas["lead_bob"]
    client = bob.client()
    counted = {}
    for total in (30, 90):
        _make(personas["rep_alice"].user, total - Customer.objects.count(), start=Customer.objects.count())
        client.get(LIST, {"q": "瑞丰"})
        with CaptureQueriesContext(connection) as captured:
            rows, response = _page(client, "瑞丰", 1)
        assert response.context["page_obj"].paginator.capped and len(rows) == 5
        counted[total] = len(captured.captured_queries)
    assert counted[30] == counted[90], counted


def test_on_postgresql_the_search_is_one_bitmap_of_index_lookups(personas) -> None:
    alice = personas["rep_alice"]
    _make(alice.user, 5)
    sql = str(customer_list(user=alice.user, q="瑞丰").query)
    if connection.vendor != "postgresql":
        assert "salesops_bigrams" not in sql
        return
    assert "UNION" not in sql and "= ANY((ARRAY(SELECT" in sql, sql
    # A two-character Chinese term is the index's own test; a longer one adds the exact test as a second condition.
    name_like = 'UPPER("customers_customer"."name"::text) LIKE'
    assert name_like not in sql, sql
    longer = str(customer_list(user=alice.user, q="瑞丰科技").query)
    assert name_like in longer and "UNION" not in longer, longer
