"""Numbers and phrases in Chinese: one style for every text people read (issue messages, prose, the 数据摘要, the
Word report, ledger notes, feedback files).  Pure functions.

- a number as written in a message or table: thousands separators, the decimals it has (at most four), never in
  exponent form: ``1,234,567``, ``30.4``, ``0.0005`` (:func:`number`); with fixed decimals ``1,234.50``;
- a count in prose: ``9,999``; from 10,000 on in 万 with two decimals, ``70.96万``; from 100,000,000 on in 亿,
  ``1.23亿`` (:func:`count`);
- money (already in 万元) with two decimals: ``1,234.50万元`` (:func:`money`);
- a percentage with one decimal: ``35.9%`` (:func:`percent`), signed ``+35.9%`` (:func:`signed_percent`);
- a change: ``同比增长35.9%`` / ``较2021年下降4.0%`` / ``同比持平`` (:func:`change`);
- a count with its measure word: ``3个单位``, ``1,200人次`` (:func:`counted`).
"""

from __future__ import annotations

import math

WAN = 10_000
YI = 100_000_000
LARGE_DECIMALS = 2  # 万 and 亿 in prose
MONEY_DECIMALS = 2
PERCENT_DECIMALS = 1
MAX_DECIMALS = 4  # a number in a message


def missing(value: object) -> bool:
    """None, NaN or pandas' NA: nothing to write."""
    if value is None:
        return True
    try:
        return bool(value != value) or (isinstance(value, float) and math.isnan(value))
    except (TypeError, ValueError):  # pandas.NA refuses bool()
        return True


def number(value: float, decimals: int | None = None, *, signed: bool = False) -> str:
    """``1,234,567`` / ``30.4`` / ``-0.5``: thousands separators, never exponent form.  Without ``decimals``, the
    decimals the value has (at most four, trailing zeros dropped); with ``decimals``, exactly that many;
    ``signed`` writes ``+`` before a positive number."""
    value = float(value)
    sign = "+" if signed else ""
    if decimals is not None:
        return f"{value:{sign},.{decimals}f}"
    text = f"{value:{sign},.{MAX_DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "+0") else text


def count(value: float) -> str:
    """A count in prose: ``496``, ``9,999``; from 10,000 on ``70.96万``; from 100,000,000 on ``1.23亿``."""
    value = float(value)
    if abs(value) >= YI:
        return f"{value / YI:,.{LARGE_DECIMALS}f}亿"
    if abs(value) >= WAN:
        return f"{value / WAN:,.{LARGE_DECIMALS}f}万"
    return number(round(value))


def money(value: float) -> str:
    """万元 with two decimals: ``63.52万元``, ``1,234.50万元``."""
    return f"{number(value, MONEY_DECIMALS)}万元"


def percent(value: float, decimals: int = PERCENT_DECIMALS) -> str:
    """``35.9%``."""
    return f"{float(value):.{decimals}f}%"


def signed_percent(value: float) -> str:
    """``+35.9%`` / ``-4.0%``."""
    return f"{float(value):+.{PERCENT_DECIMALS}f}%"


def against(year: int, compare_year: int) -> str:
    """How the comparison year is named: ``同比`` for the year before, ``较2021年`` for another."""
    return "同比" if compare_year == year - 1 else f"较{compare_year}年"


def change(pct: object, year: int, compare_year: int) -> str:
    """``同比增长12.3%`` / ``较2021年下降4.0%`` / ``同比持平`` for a change of ``pct`` %; '' when there is none
    (a figure missing in either year, or a base of 0)."""
    if missing(pct):
        return ""
    pct = float(pct)
    base = against(year, compare_year)
    if round(pct, PERCENT_DECIMALS) == 0:
        return f"{base}持平"
    return f"{base}{'增长' if pct > 0 else '下降'}{percent(abs(pct))}"


def counted(n: float, measure: str) -> str:
    """A count with its measure word: ``3个单位``, ``1,200人次``."""
    return f"{number(n)}{measure}"
