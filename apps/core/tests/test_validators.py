"""Mainland mobile numbers and the unified social credit code (GB 32100-2015)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.core.validators import (
    MOBILE_INVALID,
    USCC_INVALID,
    normalize_mobile,
    uscc_check_char,
    validate_mobile,
    validate_uscc,
)

# Real, published codes; their check characters are verified below with the algorithm itself.
VALID_USCC = ["91350100M000100Y43", "91110000600037341L", "91310000MA1FL1MMXL", "914403001922038216",
              "91440300708461136T"]


class MobileTests:
    @pytest.mark.parametrize("value", ["13800138000", "+86 138 0013 8000", "+8613800138000", "0086 13800138000",
                                       "86-138-0013-8000", "138 0013 8000", "19912345678", "(+86)13800138000"])
    def test_valid_numbers_pass(self, value: str) -> None:
        validate_mobile(value)

    @pytest.mark.parametrize("value", ["", "12800138000", "1380013800", "138001380001", "2380013800a",
                                       "+1 415 555 0100", "010-12345678", "+86 12800138000", "abcdefghijk"])
    def test_invalid_numbers_are_refused_with_the_message(self, value: str) -> None:
        with pytest.raises(ValidationError) as info:
            validate_mobile(value)
        assert info.value.messages == [str(MOBILE_INVALID)]
        assert info.value.code == "invalid_mobile"

    def test_normalize_strips_prefix_and_separators(self) -> None:
        assert normalize_mobile("+86 138-0013-8000") == "13800138000"
        assert normalize_mobile("0086 13800138000") == "13800138000"

    def test_normalize_keeps_a_number_that_only_looks_prefixed(self) -> None:
        # "86" followed by 9 digits is not a prefixed 11-digit number: leave it for the validator to refuse.
        assert normalize_mobile("86123456789") == "86123456789"


class UsccTests:
    @pytest.mark.parametrize("code", VALID_USCC)
    def test_check_character_follows_the_algorithm(self, code: str) -> None:
        alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
        weights = [pow(3, i, 31) for i in range(17)]  # 3^i mod 31: 1, 3, 9, 27, 19, 26, …
        total = sum(alphabet.index(ch) * w for ch, w in zip(code[:17], weights, strict=True))
        assert alphabet[(31 - total % 31) % 31] == code[17] == uscc_check_char(code[:17])

    @pytest.mark.parametrize("code", VALID_USCC)
    def test_valid_codes_pass(self, code: str) -> None:
        validate_uscc(code)

    def test_lower_case_and_surrounding_spaces_pass(self) -> None:
        validate_uscc(" 91350100m000100y43 ")

    @pytest.mark.parametrize("code", [
        "",
        "91350100M000100Y4",      # 17 characters
        "91350100M000100Y433",    # 19 characters
        "91350100M000100Y44",     # wrong check character
        "91110000600037341K",     # wrong check character
        "91350100I000100Y43",     # I is not in the code alphabet
        "91350100O000100Y43",     # O is not either
        "91350100M000100Y4Z",     # nor Z
        "9135010-M000100Y43",
    ])
    def test_invalid_codes_are_refused_with_the_message(self, code: str) -> None:
        with pytest.raises(ValidationError) as info:
            validate_uscc(code)
        assert info.value.messages == [str(USCC_INVALID)]
