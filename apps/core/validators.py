"""Validation of Chinese identifiers (CONVENTIONS-CN §3), with messages in the user's language."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MOBILE_INVALID = _("Enter a valid mainland mobile number: 11 digits starting with 13–19.")
USCC_INVALID = _("Enter a valid unified social credit code: 18 characters with a correct check character.")

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def normalize_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix, so that the same number always compares equal."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(MOBILE_INVALID, code="invalid_mobile")


def uscc_check_char(first17: str) -> str:
    total = sum(_USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """GB 32100-2015: 18 characters from the code alphabet, the last a mod-31 check character."""
    code = (value or "").strip().upper()
    if len(code) != 18 or any(ch not in _USCC_ALPHABET for ch in code):
        raise ValidationError(USCC_INVALID, code="invalid_uscc")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError(USCC_INVALID, code="invalid_uscc")
