"""Money in Chinese capitals (大写金额), as printed on contracts and receipts.

``rmb_upper(Decimal("12000000"))`` → 壹仟贰佰万元整; ``rmb_upper(Decimal("123456.78"), prefix=True)`` →
人民币壹拾贰万叁仟肆佰伍拾陆元柒角捌分. Zeros follow the banking convention: one 零 for a run of zeros inside
the number, none at the end of a section; an amount with 角 but no 分 ends without 整.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")
CENT = Decimal("0.01")


def _section(value: int) -> str:
    """Write a number below 10 000 (one 4-digit section); an inner run of zeros becomes one 零."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += DIGITS[digit] + SMALL_UNITS[position]
    return text


def _integer(value: int) -> str:
    """Write the yuan part; a section below 1000 after a higher one is preceded by 零 (e.g. 壹万零伍)."""
    if value == 0:
        return ""
    sections: list[int] = []
    while value:
        sections.append(value % 10000)
        value //= 10000
    if len(sections) > len(BIG_UNITS):
        raise ValueError("amount too large")
    text = ""
    need_zero = False
    for index in range(len(sections) - 1, -1, -1):
        section = sections[index]
        if section == 0:
            need_zero = bool(text)
            continue
        if text and (need_zero or section < 1000):
            text += "零"
        text += _section(section) + BIG_UNITS[index]
        need_zero = False
    return text


def rmb_upper(amount: Decimal | int | float | str, *, prefix: bool = False) -> str:
    """Return ``amount`` (CNY, rounded half-up to 分) in Chinese capitals, optionally prefixed 人民币."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    value = abs(value)
    fen_total = int(value * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    text = _integer(yuan)
    if text:
        text += "元"
    if jiao == 0 and fen == 0:
        text = (text or "零元") + "整"
    else:
        if jiao:
            text += DIGITS[jiao] + "角"
        elif text:
            text += "零"
        if fen:
            text += DIGITS[fen] + "分"
    return ("人民币" if prefix else "") + sign + text


def format_cny(amount: Decimal | int | float | str) -> str:
    """Return ``amount`` as ¥12,345.00 (thousands separators, two decimals)."""
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"¥{value:,.2f}"
