"""Customer search: the name, its pinyin initials (拼音首字母, so "rfkj" finds 瑞丰科技), the USCC, and the
contacts' names and mobiles.

The initials are stored on the customer (``Customer.name_initials``) by the services that write the name
(``customer_create``, ``customer_update``), so the search is a plain indexed column match, not pinyin at query time.

Two forms of the same test (issue 14, search at scale):

- ``customer_search_q``, what the list, the API and the export filter with. On PostgreSQL an ``OR`` of index
  lookups only (the GIN bigram indexes of migration 0004, the USCC's unique index, and ``id = ANY(ARRAY(contacts))``
  for the contacts), which the planner answers with one BitmapOr over the customers — no union to de-duplicate,
  and a capped count stops after ``SEARCH_COUNT_CAP`` rows. Where the bigram test is only necessary (a term longer
  than two characters, or one with upper/lower case), the exact substring test is a second, cheap condition.
- ``customer_match_q``, the same test row by row (``ILIKE``, no bigram function): what a wide search's first pages
  use to read the list in its own order and stop at the page (``walk_page``) instead of sorting every match.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.db import connections
from django.db.models import Exists, F, Func, Lookup, OuterRef, Q, QuerySet, Subquery, TextField, Value
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

from apps.core.validators import normalize_mobile
from apps.customers.models import Contact, Customer
from apps.customers.selectors.dedupe import normalize_uscc

INITIALS_MAX = 200
# A search counts its matches up to here; past it the list says "more than 1,000 records" (a narrower term or a
# filter gives the exact figure). Counting stops after this many rows, whatever the term matches.
SEARCH_COUNT_CAP = 1_000
# A wide search's page walks only the customers at or before this one of all customers in the list's order, then
# falls back to sorting the matches (``walk_page``).
WALK_ROWS = 2_000
# The sorts whose index delivers the list in order (migration 0002: updated_at DESC, id DESC).
WALK_SORTS = ("-updated_at",)
_LATIN_TERM = re.compile(r"^[A-Za-z]{2,30}$")


def pinyin_initials(name: str) -> str:
    """The first letter of each character's pinyin, lower case; letters and digits are kept as they are
    (深圳瑞丰科技 → szrfkj, ABC电子 → abcdz). Polyphonic characters take pypinyin's reading in context (its phrase
    segmentation: 银行 → yh, 行业 → hy).

    What ``lazy_pinyin(name, style=FIRST_LETTER)`` gives, computed the way it does — pypinyin's own segmentation of
    the name, then each segment converted on its own — with the segments' letters remembered: company names share
    most of their words (有限公司, 科技, 贸易), so an import of 100,000 names costs a third of calling it per name."""
    letters = "".join(_segment_initials(segment) for segment in _PINYIN.seg(name or ""))
    return re.sub(r"[^a-z0-9]", "", letters.lower())[:INITIALS_MAX]


_PINYIN = Pinyin(UltimateConverter())  # what ``pypinyin.lazy_pinyin`` builds on each call, with its defaults


def _keep(chars: str) -> list[str]:
    return list(chars)


@lru_cache(maxsize=65_536)
def _segment_initials(segment: str) -> str:
    letters = _PINYIN.lazy_pinyin([segment], style=Style.FIRST_LETTER, errors=_keep)  # type: ignore[arg-type]  # a list is accepted; the stub says str
    return "".join(letters)


def is_initials_term(term: str) -> bool:
    """A search term that may be pinyin initials: 2–30 Latin letters."""
    return bool(_LATIN_TERM.match(term or ""))


def bigrams(term: str) -> list[str]:
    """The distinct two-character pieces of the lower-cased term (瑞丰科技 → 瑞丰, 丰科, 科技), as PostgreSQL's
    ``salesops_bigrams`` computes them for the indexed names (migration customers 0004)."""
    text = (term or "").lower()
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def _bigram_test(field: str, term: str) -> Q:
    """PostgreSQL: the bigrams of ``field`` include those of ``term`` (the GIN index's own condition). One bigram (a
    two-character term): ``&&``, which GIN answers exactly, so PostgreSQL does not recompute the bigrams of a
    matching row to recheck it (``@>`` is rechecked)."""
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.lookups import DataContains, Overlap

    pieces = bigrams(term)
    array = ArrayField(TextField())
    indexed = Func(F(field), function="salesops_bigrams", output_field=array)
    lookup = Overlap if len(pieces) == 1 else DataContains
    return Q(lookup(indexed, Value(pieces, output_field=array)))


def name_contains(field: str, term: str, vendor: str) -> Q:
    """``field`` contains ``term`` (case-insensitive). On PostgreSQL, for terms of two characters or more, also
    ``salesops_bigrams(field) @> bigrams(term)``: a necessary condition the GIN bigram index answers, so a
    two-character Chinese term is an index lookup instead of a scan of every name (a trigram index cannot help a
    term shorter than three characters)."""
    cond = Q(**{f"{field}__icontains": term})
    if vendor != "postgresql" or not bigrams(term):
        return cond
    return _bigram_test(field, term) & cond


def _index_is_exact(term: str) -> bool:
    """Whether ``salesops_bigrams(field) && {term}`` is the whole substring test: a two-character term whose
    characters have no upper and lower case (Chinese, digits), so the lower-cased bigram is what ``ILIKE`` compares."""
    return len(term) == 2 and term.lower() == term.upper()


class _AnyOf(Lookup):
    """``lhs = ANY(rhs)`` for an array expression: an index condition PostgreSQL can put into a BitmapOr (``IN
    (subquery)`` inside an ``OR`` becomes a filter of every row instead)."""

    lookup_name = "salesops_any_of"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _contact_exact(term: str) -> Q:
    """A contact's name contains ``term`` (any case), or its mobile the term's digits (four or more)."""
    cond = Q(name__icontains=term)
    digits = normalize_mobile(term)
    if digits.isdigit() and len(digits) >= 4:
        cond |= Q(mobile__contains=digits)
    return cond


def _contacts(term: str, vendor: str) -> QuerySet[Contact]:
    """The contacts that match (``_contact_exact``). On PostgreSQL the bigram lookups ORed, then the exact test: a
    separate condition, so the bigrams of a candidate are not computed again to check it."""
    contacts = Contact.objects.filter(_contact_exact(term))
    if vendor != "postgresql" or not bigrams(term):
        return contacts
    indexed = _bigram_test("name", term)
    digits = normalize_mobile(term)
    if digits.isdigit() and len(digits) >= 4:
        indexed |= _bigram_test("mobile", digits)
    return contacts.filter(indexed)


def customer_match_q(term: str, vendor: str) -> Q:
    """The search as a test of each row: the name contains the term (any case), the initials contain it (Latin
    terms), the USCC is it, or a contact matches. The reference for every other form, and SQLite's search."""
    cond = Q(name__icontains=term) | Q(uscc=normalize_uscc(term))
    if is_initials_term(term):
        cond |= Q(name_initials__contains=term.lower())
    return cond | Q(pk__in=_contacts(term, vendor).values("customer_id"))


def customer_search_q(term: str, vendor: str) -> Q:
    """The search for filtering (see the module): on PostgreSQL, index lookups ORed together, and the exact test
    as a second condition where the bigram lookup alone is not the whole test (its contact part asks the row's own
    contacts, so the contacts' lookup runs once); elsewhere ``customer_match_q``."""
    if vendor != "postgresql" or not bigrams(term):
        return customer_match_q(term, vendor)
    from django.contrib.postgres.expressions import ArraySubquery

    contacts = ArraySubquery(_contacts(term, vendor).order_by().values("customer_id"))
    uscc = Q(uscc=normalize_uscc(term))
    indexed = Q(_bigram_test("name", term)) | uscc | Q(_AnyOf(F("pk"), contacts))
    own_contacts = Contact.objects.filter(_contact_exact(term), customer=OuterRef("pk"))
    exact = Q(name__icontains=term) | uscc
    if is_initials_term(term):
        indexed |= Q(_bigram_test("name_initials", term.lower()))
        exact |= Q(name_initials__contains=term.lower())
    return indexed if _index_is_exact(term) else indexed & (exact | Q(Exists(own_contacts)))


def walk_page(unsearched: QuerySet[Customer], term: str, sort: str, bottom: int, top: int) -> list[Customer] | None:
    """Rows ``bottom``–``top`` of a wide search, read by walking the list (``unsearched``: in scope and filtered, not
    searched) in its order and testing each row, so the page costs the rows before it, not a sort of every match.

    The walk is bounded: it reads only the customers at or before the ``WALK_ROWS``-th of all customers in the sort
    order (an index-only look-up). Those form a prefix of every list in that order, so the matches among them are the
    first matches of the user's list, in order. When they do not hold the page (matches further down, or a user who
    sees few of them), the answer is None and the caller sorts the matches as usual. Only for ``WALK_SORTS``."""
    if sort not in WALK_SORTS:
        return None
    field = sort.lstrip("-")
    everyone = Customer.objects.using(unsearched.db).order_by(sort, "-pk")
    cutoff = everyone.values(field)[WALK_ROWS - 1 : WALK_ROWS]
    rows = unsearched.filter(customer_match_q(term, connections[unsearched.db].vendor))
    rows = rows.filter(**{f"{field}__gte": Subquery(cutoff)}).order_by(sort, "-pk")
    page = list(rows[bottom:top])
    return page if len(page) == top - bottom else None


def sorted_page(unsearched: QuerySet[Customer], term: str, sort: str, bottom: int, top: int) -> list[Customer]:
    """Rows ``bottom``–``top`` of a search, the matches sorted: a narrow search's page, or a wide one's past the
    walk. The matches come from a subquery (``customer_search_q``: index lookups), so the list is sorted over them;
    the same condition on the list itself lets PostgreSQL walk the list computing each row's bigrams (the planner
    takes the function for cheap)."""
    vendor = connections[unsearched.db].vendor
    matching = unsearched.filter(customer_search_q(term, vendor)).order_by().values("pk")
    if vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        # ``id = ANY(ARRAY(matches))``: the matches are found once, by their own plan, before the list is read.
        matches = Q(_AnyOf(F("pk"), ArraySubquery(matching)))
    else:
        matches = Q(pk__in=matching)
    # The page's keys are picked on the bare rows; the list's joins and annotations are read for those rows only.
    keys = unsearched.filter(matches).order_by(sort, "-pk").values("pk")[bottom:top]
    return list(unsearched.filter(pk__in=keys).order_by(sort, "-pk"))
