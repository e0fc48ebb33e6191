from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template

from apps.core.money import format_cny, rmb_upper


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0.5", "伍角"),
        ("0.05", "伍分"),
        ("0", "零元整"),
        ("100", "壹佰元整"),
        ("10005.30", "壹万零伍元叁角"),
        ("12000000", "壹仟贰佰万元整"),
        ("1000000001", "壹拾亿零壹元整"),
        ("123456.78", "壹拾贰万叁仟肆佰伍拾陆元柒角捌分"),
        ("1010", "壹仟零壹拾元整"),
        ("100000", "壹拾万元整"),
        ("100200", "壹拾万零贰佰元整"),
        ("1001.01", "壹仟零壹元零壹分"),
        ("105000", "壹拾万伍仟元整"),
        ("20000000.10", "贰仟万元壹角"),
        # A zero 万 section between 亿 and thousands of yuan keeps its 零 (cn2an alone drops it).
        ("900003740", "玖亿零叁仟柒佰肆拾元整"),
        ("500002008.01", "伍亿零贰仟零捌元零壹分"),
        ("100000001000", "壹仟亿零壹仟元整"),
        ("-12.30", "负壹拾贰元叁角"),
    ],
)
def test_rmb_upper(amount: str, expected: str) -> None:
    assert rmb_upper(Decimal(amount)) == expected


def test_prefix_and_rounding() -> None:
    assert rmb_upper(Decimal("123456.78"), prefix=True) == "人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分"
    assert rmb_upper("0.005") == "壹分"


def test_format_cny_has_thousands_separators() -> None:
    assert format_cny(Decimal("12345")) == "¥12,345.00"
    assert format_cny("1234567.891") == "¥1,234,567.89"


def test_template_filter() -> None:
    html = Template("{% load money_tags %}{{ a|rmb_upper }} {{ a|cny }} [{{ b|rmb_upper }}]").render(
        Context({"a": Decimal("100"), "b": None})
    )
    assert html == "壹佰元整 ¥100.00 []"
