"""Customer name search helpers: pinyin initials (拼音首字母), so "rfkj" finds 瑞丰科技.

The initials are stored on the customer (``Customer.name_initials``) by the services that write the name
(``customer_create``, ``customer_update``), so the search is a plain indexed column match, not pinyin at query time.
"""

from __future__ import annotations

import re

from django.db.models import F, Func, Q, TextField, Value
from pypinyin import Style, lazy_pinyin

INITIALS_MAX = 200
_LATIN_TERM = re.compile(r"^[A-Za-z]{2,30}$")


def pinyin_initials(name: str) -> str:
    """The first letter of each character's pinyin, lower case; letters and digits are kept as they are
    (深圳瑞丰科技 → szrfkj, ABC电子 → abcdz). Polyphonic characters take pypinyin's most common reading."""
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda chars: list(chars))  # type: ignore[arg-type,return-value]  # pypinyin accepts a list; its stub says str
    return re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:INITIALS_MAX]


def is_initials_term(term: str) -> bool:
    """A search term that may be pinyin initials: 2–30 Latin letters."""
    return bool(_LATIN_TERM.match(term or ""))


def bigrams(term: str) -> list[str]:
    """The distinct two-character pieces of the lower-cased term (瑞丰科技 → 瑞丰, 丰科, 科技), as PostgreSQL's
    ``salesops_bigrams`` computes them for the indexed names (migration customers 0004)."""
    text = (term or "").lower()
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def name_contains(field: str, term: str, vendor: str) -> Q:
    """``field`` contains ``term`` (case-insensitive). On PostgreSQL, for terms of two characters or more, also
    ``salesops_bigrams(field) @> bigrams(term)``: a necessary condition the GIN bigram index answers, so a
    two-character Chinese term is an index lookup instead of a scan of every name (a trigram index cannot help a
    term shorter than three characters)."""
    cond = Q(**{f"{field}__icontains": term})
    pieces = bigrams(term)
    if vendor != "postgresql" or not pieces:
        return cond
    from django.contrib.postgres.fields import ArrayField
    from django.contrib.postgres.lookups import DataContains, Overlap

    array = ArrayField(TextField())
    indexed = Func(F(field), function="salesops_bigrams", output_field=array)
    # One bigram (a two-character term): ``&&`` is the same test and GIN answers it exactly, so PostgreSQL does not
    # recompute the bigrams of every matching row to recheck it (``@>`` is rechecked).
    lookup = Overlap if len(pieces) == 1 else DataContains
    return Q(lookup(indexed, Value(pieces, output_field=array))) & cond
