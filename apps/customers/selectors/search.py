"""Customer name search helpers: pinyin initials (拼音首字母), so "rfkj" finds 瑞丰科技.

The initials are stored on the customer (``Customer.name_initials``) by the services that write the name
(``customer_create``, ``customer_update``), so the search is a plain indexed column match, not pinyin at query time.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.db.models import F, Func, Q, TextField, Value
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

INITIALS_MAX = 200
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
