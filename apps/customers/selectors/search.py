"""Customer name search helpers: pinyin initials (拼音首字母), so "rfkj" finds 瑞丰科技.

The initials are stored on the customer (``Customer.name_initials``) by the services that write the name
(``customer_create``, ``customer_update``), so the search is a plain indexed column match, not pinyin at query time.
"""

from __future__ import annotations

import re

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
