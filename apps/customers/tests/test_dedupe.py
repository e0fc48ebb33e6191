"""The duplicate check as the archive uses it: spellings of the same identifiers are found, hits are masked."""

from __future__ import annotations

import pytest

from apps.customers.selectors.dedupe import find_duplicates, mask_mobile, name_key
from apps.customers.tests.factories import ContactFactory, CustomerFactory, make_uscc

pytestmark = pytest.mark.django_db


class DedupeTests:
    @pytest.mark.parametrize(
        ("a", "b"),
        [
            ("上海华信智能科技有限公司", "上海华信智能科技"),
            ("上海华信智能科技（集团）有限公司", "上海华信智能科技(集团)"),
            ("ＡＢＣ贸易有限公司", "abc贸易"),
            ("上海 华信·智能科技", "上海华信智能科技有限公司"),
        ],
    )
    def test_name_variants_share_a_key(self, a, b) -> None:
        assert name_key(a) == name_key(b)

    def test_a_hit_names_the_owner_only(self, personas) -> None:
        customer = CustomerFactory(owner=personas["rep_alice"].user, uscc=make_uscc(5))
        ContactFactory(customer=customer, mobile="13800138000")
        hits = find_duplicates(uscc=make_uscc(5).lower(), mobiles=["+86 138-0013-8000"])
        assert {h.matched_on for h in hits} == {"uscc", "mobile"}
        assert all(h.owner_name == "艾丽" and h.exact for h in hits)
        assert not any(hasattr(h, "mobile") for h in hits)

    def test_mask_mobile(self) -> None:
        assert mask_mobile("13800138000") == "138****8000"
