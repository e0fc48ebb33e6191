"""Validation of Chinese identifiers (CONVENTIONS-CN §3), with messages in the user's language."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidFormat
from stdnum.exceptions import ValidationError as StdnumError

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
MOBILE_INVALID = _("Enter a valid mainland mobile number: 11 digits starting with 13–19.")
USCC_INVALID = _("Enter a valid unified social credit code: 18 characters with a correct check character.")
RIC_INVALID = _(
    "Enter a valid resident identity card number: 18 characters with a correct birth date and check character."
)

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def normalize_mobile(value: str) -> str:
    """Strip spaces, dashes and a +86/0086 prefix, so that the same number always compares equal."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(normalize_mobile(value)):
        raise ValidationError(MOBILE_INVALID, code="invalid_mobile")


def uscc_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (mod 31) of the first 17 characters of a code."""
    return uscc.calc_check_digit(first17)


def validate_uscc(value: str) -> None:
    """GB 32100-2015 (python-stdnum's ``stdnum.cn.uscc``): 18 characters from the code alphabet, the last a mod-31
    check character.

    The value is taken as typed apart from surrounding spaces and case: a code with separators inside is refused
    (stdnum would strip them), since it is stored as entered. stdnum also wants the first two characters to be
    digits, while the standard lets the registering authority and the kind of organisation be letters (N…
    for rural collective organisations, Y… for "other"): such a code passes when the rest of it is well formed.
    """
    code = (value or "").strip().upper()
    if len(code) != 18 or uscc.compact(code) != code:
        raise ValidationError(USCC_INVALID, code="invalid_uscc")
    try:
        uscc.validate(code)
    except InvalidFormat:
        if not (set(code) <= set(_USCC_ALPHABET) and code[2:8].isdigit() and uscc_check_char(code) == code[17]):
            raise ValidationError(USCC_INVALID, code="invalid_uscc") from None
    except StdnumError:
        raise ValidationError(USCC_INVALID, code="invalid_uscc") from None


def validate_ric(value: str) -> None:
    """GB 11643-1999 resident identity card number (python-stdnum's ``stdnum.cn.ric``): 17 digits and a check
    character (0–9 or X), a real birth date and a known birth place."""
    number = (value or "").strip().upper()
    if len(number) != 18 or ric.compact(number) != number or not ric.is_valid(number):
        raise ValidationError(RIC_INVALID, code="invalid_ric")
