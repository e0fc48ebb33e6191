"""Mainland mobile numbers, the unified social credit code (GB 32100-2015) and resident ID numbers (GB 11643)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from apps.core.validators import (
    MOBILE_INVALID,
    RIC_INVALID,
    USCC_INVALID,
    normalize_mobile,
    uscc_check_char,
    validate_mobile,
    validate_ric,
    validate_uscc,
)

# Real, published codes; their check characters are verified below with the algorithm itself.
VALID_USCC = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91310000MA1FL1MMXL",
    "914403001922038216",
    "91440300708461136T",
]


class MobileTests:
    @pytest.mark.parametrize(
        "value",
        [
            "13800138000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086 13800138000",
            "86-138-0013-8000",
            "138 0013 8000",
            "19912345678",
            "(+86)13800138000",
        ],
    )
    def test_valid_numbers_pass(self, value: str) -> None:
        validate_mobile(value)

    @pytest.mark.parametrize(
        "value",
        [
            "",
            "12800138000",
            "1380013800",
            "138001380001",
            "2380013800a",
            "+1 415 555 0100",
            "010-12345678",
            "+86 12800138000",
            "abcdefghijk",
        ],
    )
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

    @pytest.mark.parametrize(
        "code",
        [
            "",
            "91350100M000100Y4",  # 17 characters
            "91350100M000100Y433",  # 19 characters
            "91350100M000100Y44",  # wrong check character
            "91110000600037341K",  # wrong check character
            "91350100I000100Y43",  # I is not in the code alphabet
            "91350100O000100Y43",  # O is not either
            "91350100M000100Y4Z",  # nor Z
            "9135010-M000100Y43",
        ],
    )
    def test_invalid_codes_are_refused_with_the_message(self, code: str) -> None:
        with pytest.raises(ValidationError) as info:
            validate_uscc(code)
        assert info.value.messages == [str(USCC_INVALID)]

    def test_a_code_whose_registering_authority_is_a_letter_passes(self) -> None:
        # GB 32100 lets the first character be a letter (N: agriculture, Y: other); python-stdnum alone refuses it.
        first17 = "N2110105MF0000001"
        validate_uscc(first17 + uscc_check_char(first17))
        with pytest.raises(ValidationError):
            validate_uscc(first17 + ("0" if uscc_check_char(first17) != "0" else "1"))

    def test_separators_inside_a_code_are_refused(self) -> None:
        # Stored as typed: "9135 0100M000100Y43" would otherwise pass and be kept with its space.
        for code in ("9135 0100M000100Y43", "91350100-M000100Y43"):
            with pytest.raises(ValidationError):
                validate_uscc(code)


class ResidentIdTests:
    def test_a_valid_number_passes_with_a_lower_case_x(self) -> None:
        validate_ric("11010519491231002X")
        validate_ric(" 11010519491231002x ")

    @pytest.mark.parametrize(
        "number",
        [
            "",
            "11010519491231002",  # 17 characters
            "110105194912310021",  # wrong check character
            "110105194913310029",  # month 13
            "1101051949123100 2X",
            "A1010519491231002X",
        ],
    )
    def test_invalid_numbers_are_refused_with_the_message(self, number: str) -> None:
        with pytest.raises(ValidationError) as info:
            validate_ric(number)
        assert info.value.messages == [str(RIC_INVALID)]
        assert info.value.code == "invalid_ric"
