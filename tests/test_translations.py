"""The Chinese interface is complete: every source string has a translation that is not fuzzy."""

from __future__ import annotations

from pathlib import Path

import polib
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated() -> None:
    catalogue = polib.pofile(str(PO))
    missing = [e.msgid for e in catalogue.untranslated_entries()]
    fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
    assert not missing, f"untranslated: {missing[:20]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:20]}"


def test_compiled_catalogue_is_used() -> None:
    with translation.override("zh-hans"):
        assert translation.gettext("Market development") == "市场开发"
    with translation.override("en"):
        assert translation.gettext("Market development") == "Market development"
