"""Numbers and phrases in Chinese (analysis.chinese): exact strings, the one style every text uses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import chinese


@pytest.mark.parametrize(
    "value, text",
    [
        (1_234_567, "1,234,567"),
        (1_234_567.0, "1,234,567"),
        (30.4, "30.4"),
        (0.0005, "0.0005"),
        (0.00004, "0"),
        (-2.5, "-2.5"),
        (0, "0"),
        (1e12, "1,000,000,000,000"),
        (12.345678, "12.3457"),
        (304000.0, "304,000"),
    ],
)
def test_number_never_in_exponent_form(value, text):
    assert chinese.number(value) == text


def test_number_with_fixed_decimals_and_sign():
    assert chinese.number(1234.5, 2) == "1,234.50"
    assert chinese.number(7, 1) == "7.0"
    assert chinese.number(1200, 0, signed=True) == "+1,200"
    assert chinese.number(-3.25, 2, signed=True) == "-3.25"
    assert chinese.number(0.5, signed=True) == "+0.5"


@pytest.mark.parametrize(
    "value, text",
    [
        (709_615, "70.96万"),
        (264_000, "26.40万"),
        (10_000, "1.00万"),
        (9_999, "9,999"),
        (2143, "2,143"),
        (496, "496"),
        (0, "0"),
        (123_456_789, "1.23亿"),
        (100_000_000, "1.00亿"),
        (99_994_999, "9,999.50万"),
    ],
)
def test_counts_in_wan_and_yi_with_two_decimals(value, text):
    assert chinese.count(value) == text


def test_money_has_two_decimals_and_separators():
    assert chinese.money(63.5) == "63.50万元"
    assert chinese.money(0) == "0.00万元"
    assert chinese.money(303229.905) == "303,229.91万元"


def test_percentages():
    assert chinese.percent(35.94) == "35.9%"
    assert chinese.percent(94.12, 0) == "94%"
    assert chinese.signed_percent(35.94) == "+35.9%"
    assert chinese.signed_percent(-4) == "-4.0%"


@pytest.mark.parametrize(
    "pct, compare_year, text",
    [
        (10, 2022, "同比增长10.0%"),
        (-10, 2022, "同比下降10.0%"),
        (0.04, 2022, "同比持平"),
        (10, 2021, "较2021年增长10.0%"),
        (-4, 2020, "较2020年下降4.0%"),
        (0, 2021, "较2021年持平"),
        (np.nan, 2022, ""),
        (None, 2022, ""),
        (pd.NA, 2022, ""),
    ],
)
def test_change_names_the_comparison_year_unless_it_is_the_year_before(pct, compare_year, text):
    assert chinese.change(pct, 2023, compare_year) == text


def test_counts_with_measure_words():
    assert chinese.counted(3, "个单位") == "3个单位"
    assert chinese.counted(1200, "人次") == "1,200人次"
    assert chinese.counted(np.int64(2), "篇") == "2篇"


def test_the_same_number_reads_the_same_in_prose_and_in_the_digest():
    from analysis.report import exports, prose  # both route through analysis.chinese

    assert prose.amount("public_offline", 709_615) == "70.96万人次"
    totals = pd.Series({"public_offline": 709_615.0})
    assert exports._item(totals, "public_offline") == "线下参与70.96万人次"
