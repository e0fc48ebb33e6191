"""Money in Chinese capitals (大写金额), as printed on contracts and receipts.

``rmb_upper(Decimal("12000000"))`` → 壹仟贰佰万元整; ``rmb_upper(Decimal("123456.78"), prefix=True)`` →
人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分. Zeros follow the banking convention: one 零 for a run of zeros inside
the number, none at the end of a section; an amount with 角 but no 分 ends without 整.

The writing itself is cn2an's (``an2cn(..., "rmb")``). Two things are done here around it: the amount is rounded
half-up to 分 first (cn2an cuts the extra digits off), and one omission of cn2an is put right — when the whole 万
section of an amount of 亿 or more is zero and the yuan below it reach the thousands (500,002,008), cn2an writes
伍亿贰仟零捌元 where the banking rule wants 伍亿零贰仟零捌元.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
_YI = 10**8
_WAN_YI = 10**12


def rmb_upper(amount: Decimal | int | float | str, *, prefix: bool = False) -> str:
    """Return ``amount`` (CNY, rounded half-up to 分) in Chinese capitals, optionally prefixed 人民币."""
    import cn2an  # imported on first use: loading it takes a few tenths of a second

    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    text = cn2an.an2cn(f"{value:f}", "rmb")
    yuan = int(value)
    if _YI <= yuan < _WAN_YI and yuan // 10**4 % 10**4 == 0 and yuan % 10**4 >= 1000:
        head, _, tail = text.rpartition("亿")
        text = f"{head}亿零{tail}"
    return ("人民币" if prefix else "") + sign + text


def format_cny(amount: Decimal | int | float | str) -> str:
    """Return ``amount`` as ¥12,345.00 (thousands separators, two decimals)."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"¥{value:,.2f}"
