"""Table-driven tests of analysis.intake.values: one raw cell → number, blank flag, finding codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from analysis.form import BY_KEY, COUNT_KEYS, MONEY_KEYS
from analysis.intake.values import Finding, ParsedValue, parse_value, raw_text

COUNT = "public_offline"  # 人次
EVENTS = "events_held"  # 次
MONEY = "funding_central"  # 万元
IN_KIND = "funding_in_kind"  # 万元

# (raw, key, expected value, expected finding codes)
CASES: list[tuple[object, str, float | None, tuple[str, ...]]] = [
    # plain numbers and numeric cells
    ("1200", COUNT, 1200, ()),
    ("0", EVENTS, 0, ()),
    ("12.5", MONEY, 12.5, ()),
    (1200, COUNT, 1200, ()),
    (12.0, EVENTS, 12, ()),
    (0.75, MONEY, 0.75, ()),
    (Decimal("3.5"), MONEY, 3.5, ()),
    # thousands separators, full width, spaces
    ("1,200", COUNT, 1200, ()),
    ("1，200", COUNT, 1200, ()),
    ("12,345,678", COUNT, 12345678, ()),
    ("1,234.5", MONEY, 1234.5, ()),
    ("５０００", COUNT, 5000, ()),
    ("１２．５", MONEY, 12.5, ()),
    ("１，２００", COUNT, 1200, ()),
    ("  35  ", EVENTS, 35, ()),
    ("\u00a035\u00a0", EVENTS, 35, ()),
    ("\u300035\u3000", EVENTS, 35, ()),
    ("\t1200\n", COUNT, 1200, ()),
    ("1200。", COUNT, 1200, ()),
    # Chinese numerals
    ("十二", EVENTS, 12, ()),
    ("两千", COUNT, 2000, ()),
    ("三百五十", COUNT, 350, ()),
    ("一万二", COUNT, 12000, ()),
    ("十二万", COUNT, 120000, ()),
    ("五场", EVENTS, 5, ()),
    ("二十万", MONEY, 20, ()),
    ("三千元", MONEY, 0.3, ("value_converted_yuan",)),
    # unit suffixes
    ("35场", EVENTS, 35, ()),
    ("35次", EVENTS, 35, ()),
    ("12场次", EVENTS, 12, ()),
    ("1200人次", COUNT, 1200, ()),
    ("8人", "staff_fulltime", 8, ()),
    ("3个", "most_tasks", 3, ()),
    ("6家", "media_outlets", 6, ()),
    ("15篇", "media_reports", 15, ()),
    ("2所", "open_universities", 2, ()),
    ("4项", "most_tasks", 4, ()),
    ("20名", "staff_volunteers", 20, ()),
    ("20位", "staff_scientists", 20, ()),
    ("1200（人次）", COUNT, 1200, ()),
    ("2.5万元", MONEY, 2.5, ()),
    # approximations
    ("约1200人次", COUNT, 1200, ("value_approx",)),
    ("大约500", COUNT, 500, ("value_approx",)),
    ("近300人", "staff_volunteers", 300, ("value_approx",)),
    ("300余人", "staff_volunteers", 300, ("value_approx",)),
    ("2000多", COUNT, 2000, ("value_approx",)),
    ("500人左右", COUNT, 500, ("value_approx",)),
    ("100以上", COUNT, 100, ("value_approx",)),
    ("超过5000人次", COUNT, 5000, ("value_approx",)),
    ("约两千人", COUNT, 2000, ("value_approx",)),
    ("近千人", COUNT, 1000, ("value_approx",)),
    ("约1.5万元", MONEY, 1.5, ("value_approx",)),
    # 万 multiplier in counts
    ("1.2万", COUNT, 12000, ()),
    ("1.2万人次", COUNT, 12000, ()),
    ("3万余人次", COUNT, 30000, ("value_approx",)),
    ("2千", COUNT, 2000, ()),
    # as typed online (issue 11): 万 as w/W, "+" for 以上, 千余, 两百, suffixes 期 处, Excel's leading apostrophe
    ("10万+", COUNT, 100000, ("value_approx",)),
    ("1.2w", COUNT, 12000, ()),
    ("3.5W", COUNT, 35000, ()),
    ("2w人次", COUNT, 20000, ()),
    ("3.5W", MONEY, 3.5, ()),
    ("5千余", COUNT, 5000, ("value_approx",)),
    ("两百", COUNT, 200, ()),
    ("3期", EVENTS, 3, ()),
    ("4处", "open_venues", 4, ()),
    ("'3", EVENTS, 3, ()),
    ("'1,200", COUNT, 1200, ()),
    ("‘12", EVENTS, 12, ()),
    ("'", EVENTS, None, ("value_unparsed",)),
    ("1.2ww", COUNT, None, ("value_unparsed",)),
    ("5期", MONEY, None, ("value_unit_mismatch",)),
    # money in 万元
    ("50000元", MONEY, 5, ("value_converted_yuan",)),
    ("5000元", MONEY, 0.5, ("value_converted_yuan",)),
    ("1234元", MONEY, 0.1234, ("value_converted_yuan",)),
    ("1.2万元", MONEY, 1.2, ()),
    ("1.2万", MONEY, 1.2, ()),
    ("3千元", MONEY, 0.3, ("value_converted_yuan",)),
    ("50000", MONEY, 50000, ()),  # a big bare number is not guessed to be 元
    ("0.1234567", MONEY, 0.123457, ()),
    (0.1 + 0.2, MONEY, 0.3, ()),
    # bracketed remarks
    ("0.5（捐赠科普图书）", IN_KIND, 0.5, ("value_remark",)),
    ("165200（线上）", "public_online", 165200, ("value_remark",)),
    ("165200(线上)", "public_online", 165200, ("value_remark",)),
    ("3【含县直单位】", EVENTS, 3, ("value_remark",)),
    ("3[含县直单位]", EVENTS, 3, ("value_remark",)),
    ("（线上）165200", "public_online", 165200, ("value_remark",)),
    ("约2万元（企业捐赠）", "funding_enterprise", 2, ("value_remark", "value_approx")),
    # zero markers
    ("无", EVENTS, 0, ()),
    ("没有", EVENTS, 0, ()),
    ("/", EVENTS, 0, ()),
    ("／", EVENTS, 0, ()),
    ("—", EVENTS, 0, ()),
    ("——", EVENTS, 0, ()),
    ("－", EVENTS, 0, ()),
    ("-", EVENTS, 0, ()),
    ("--", EVENTS, 0, ()),
    ("0.0", EVENTS, 0, ()),
    ("零", EVENTS, 0, ()),
    ("暂无", MONEY, 0, ()),
    ("无（未开展）", EVENTS, 0, ("value_remark",)),
    # blank
    (None, EVENTS, None, ()),
    ("", EVENTS, None, ()),
    ("   ", EVENTS, None, ()),
    ("\u00a0\u3000", EVENTS, None, ()),
    (float("nan"), MONEY, None, ()),
    # unknown markers
    ("不详", EVENTS, None, ("value_unknown",)),
    ("待统计", EVENTS, None, ("value_unknown",)),
    ("待核实", EVENTS, None, ("value_unknown",)),
    ("未统计", EVENTS, None, ("value_unknown",)),
    ("不清楚", EVENTS, None, ("value_unknown",)),
    ("暂缺", EVENTS, None, ("value_unknown",)),
    ("未知", EVENTS, None, ("value_unknown",)),
    ("?", EVENTS, None, ("value_unknown",)),
    ("？", EVENTS, None, ("value_unknown",)),
    # ranges
    ("200-300", COUNT, None, ("value_range",)),
    ("200~300", COUNT, None, ("value_range",)),
    ("200～300", COUNT, None, ("value_range",)),
    ("200至300", COUNT, None, ("value_range",)),
    ("200—300", COUNT, None, ("value_range",)),
    ("200-300人次", COUNT, None, ("value_range",)),
    # negative and fractional
    ("-5", EVENTS, None, ("value_negative",)),
    ("－5", EVENTS, None, ("value_negative",)),
    (-5, EVENTS, None, ("value_negative",)),
    (-0.5, MONEY, None, ("value_negative",)),
    ("12.5", EVENTS, None, ("value_fraction",)),
    (12.5, EVENTS, None, ("value_fraction",)),
    ("1.23456万", COUNT, None, ("value_fraction",)),
    # formula errors
    ("#REF!", EVENTS, None, ("value_formula_error",)),
    ("#VALUE!", EVENTS, None, ("value_formula_error",)),
    ("#DIV/0!", MONEY, None, ("value_formula_error",)),
    ("#N/A", EVENTS, None, ("value_formula_error",)),
    ("#NAME?", EVENTS, None, ("value_formula_error",)),
    ("#NUM!", EVENTS, None, ("value_formula_error",)),
    ("#NULL!", EVENTS, None, ("value_formula_error",)),
    ("#div/0!", EVENTS, None, ("value_formula_error",)),
    # not numbers
    (True, EVENTS, None, ("value_unparsed",)),
    (False, MONEY, None, ("value_unparsed",)),
    (dt.date(2023, 5, 20), EVENTS, None, ("value_unparsed",)),
    (dt.datetime(2023, 5, 20, 9, 30), EVENTS, None, ("value_unparsed",)),
    (dt.time(9, 30), EVENTS, None, ("value_unparsed",)),
    (dt.timedelta(days=1), EVENTS, None, ("value_unparsed",)),
    ("15%", EVENTS, None, ("value_unparsed",)),
    ("15％", MONEY, None, ("value_unparsed",)),
    ("abc", EVENTS, None, ("value_unparsed",)),
    ("见附件", EVENTS, None, ("value_unparsed",)),
    ("1,2", COUNT, None, ("value_unparsed",)),
    ("（未开展）", EVENTS, None, ("value_unparsed",)),
    ("1万2", COUNT, None, ("value_unparsed",)),
    (float("inf"), MONEY, None, ("value_unparsed",)),
    (complex(1, 2), MONEY, None, ("value_unparsed",)),
    (b"12", EVENTS, None, ("value_unparsed",)),
    (object(), EVENTS, None, ("value_unparsed",)),
    # a unit that does not fit the field
    ("5人", MONEY, None, ("value_unit_mismatch",)),
    ("5000元", COUNT, None, ("value_unit_mismatch",)),
]


@pytest.mark.parametrize(
    ("raw", "key", "value", "codes"),
    CASES,
    ids=[f"{i}-{type(c[0]).__name__}-{c[0] if isinstance(c[0], str) else ''}"[:32] for i, c in enumerate(CASES)],
)
def test_parse_value(raw: object, key: str, value: float | None, codes: tuple[str, ...]) -> None:
    parsed = parse_value(raw, key)
    assert isinstance(parsed, ParsedValue)
    if value is None:
        assert parsed.value is None
    else:
        assert parsed.value == pytest.approx(value, rel=0, abs=1e-9)
        assert isinstance(parsed.value, float)
    assert sorted(f.code for f in parsed.findings) == sorted(codes)
    for finding in parsed.findings:
        assert isinstance(finding, Finding)
        assert finding.severity == ("info" if finding.code in INFO_CODES else "warning")
        assert any("\u4e00" <= c <= "\u9fff" for c in finding.message)


INFO_CODES = {"value_approx", "value_converted_yuan", "value_remark"}


@pytest.mark.parametrize(
    ("raw", "blank"),
    [(None, True), ("", True), (" \u00a0 ", True), ("0", False), ("无", False), (0, False), ("不详", False)],
)
def test_blank_is_distinct_from_zero(raw: object, blank: bool) -> None:
    assert parse_value(raw, EVENTS).blank is blank


def test_blank_has_no_findings() -> None:
    assert parse_value(None, MONEY) == ParsedValue(None, True, "", "", ())


def test_counts_are_integral_and_money_keeps_decimals() -> None:
    assert parse_value("1.2万", COUNT).value == 12000.0
    assert parse_value("0.123456789", MONEY).value == 0.123457
    assert parse_value(3, MONEY).value == 3.0


@pytest.mark.parametrize(
    ("raw", "key", "note"),
    [
        ("约1200人次", COUNT, "约数，按1200计"),
        ("50000元", MONEY, "由50000元换算为5万元"),
        ("3千元", MONEY, "由3千元换算为0.3万元"),
        ("1.2万人次", COUNT, "由1.2万换算为12000"),
        ("一万二", COUNT, "由一万二换算为12000"),
        ("二十万", MONEY, "由二十万换算为20万元"),
        ("0.5（捐赠科普图书）", IN_KIND, "备注：捐赠科普图书"),
        ("无", EVENTS, "无 → 0"),
        ("／", EVENTS, "/ → 0"),
        ("1200", COUNT, ""),
        ("1,200", COUNT, ""),
        ("1.2万元", MONEY, ""),
        (12.0, EVENTS, ""),
    ],
)
def test_notes(raw: object, key: str, note: str) -> None:
    assert parse_value(raw, key).note == note


def test_remark_is_kept() -> None:
    parsed = parse_value("0.5（捐赠科普图书）", IN_KIND)
    assert parsed.remark == "捐赠科普图书"
    assert parsed.findings == (
        Finding(
            "info", "value_remark", "数值“0.5（捐赠科普图书）”带有备注“捐赠科普图书”，已按0.5万元计入，备注已保留。"
        ),
    )
    assert parse_value("1200", COUNT).remark == ""
    assert parse_value("3（含县直）（不含乡镇）", EVENTS).remark == "含县直；不含乡镇"


@pytest.mark.parametrize(
    ("raw", "key", "words"),
    [
        ("约1200人次", COUNT, ("约1200人次", "约数", "1200", "更正")),
        ("不详", EVENTS, ("不详", "无法统计", "补报")),
        ("200-300", COUNT, ("200-300", "范围", "一个")),
        ("-5", EVENTS, ("-5", "负数")),
        ("12.5", EVENTS, ("12.5", "整数", "次")),
        ("#DIV/0!", EVENTS, ("#DIV/0!", "公式", "计算结果")),
        ("50000元", MONEY, ("50000元", "5万元")),
        ("15%", EVENTS, ("15%", "百分比")),
        ("见附件", EVENTS, ("见附件", "无法识别", "次")),
        (dt.date(2023, 5, 20), EVENTS, ("2023-05-20", "日期")),
        ("5人", MONEY, ("5人", "万元", "不符")),
    ],
)
def test_messages_say_what_and_what_to_do(raw: object, key: str, words: tuple[str, ...]) -> None:
    (finding,) = parse_value(raw, key).findings
    for word in words:
        assert word in finding.message


def test_approx_message_exact() -> None:
    (finding,) = parse_value("约1200人次", COUNT).findings
    assert finding == Finding("info", "value_approx", "数值“约1200人次”为约数，已按1200计入；如有准确数请更正。")


def test_unknown_message_exact() -> None:
    (finding,) = parse_value("不详", EVENTS).findings
    assert finding == Finding("warning", "value_unknown", "值为“不详”，无法统计，请核实后补报具体数值。")


def test_long_text_is_quoted_truncated() -> None:
    text = "这是一段很长的说明文字" * 5
    (finding,) = parse_value(text, EVENTS).findings
    assert finding.code == "value_unparsed"
    assert text[:30] + "…" in finding.message
    assert text not in finding.message


def test_huge_input_returns_quickly() -> None:
    for text in ("1" * 1_000_000, "约" + "1," * 500_000, "(" * 1_000_000, " " * 1_000_000 + "5", "一" * 1_000_000):
        parsed = parse_value(text, COUNT)
        assert parsed.value is None or text.strip() == "5"
    assert parse_value(" " * 1_000_000, COUNT).blank


def test_unknown_key_does_not_raise() -> None:
    assert parse_value("12.5", "no_such_field").value == 12.5


def test_parse_value_accepts_every_form_key() -> None:
    for key in COUNT_KEYS:
        assert parse_value("7", key).value == 7.0
        assert BY_KEY[key].dtype == "int"
    for key in MONEY_KEYS:
        assert parse_value("7元", key).value == 0.0007


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (None, ""),
        ("", ""),
        ("约1200人次", "约1200人次"),
        (12, "12"),
        (12.0, "12"),
        (12.5, "12.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (-0.0, "0"),
        (1e20, "1e+20"),
        (float("nan"), ""),
        (True, "TRUE"),
        (dt.date(2023, 5, 20), "2023-05-20"),
        (dt.datetime(2023, 5, 20, 9, 30), "2023-05-20 09:30:00"),
        (dt.time(9, 30), "09:30:00"),
        (Decimal("1.50"), "1.50"),
    ],
)
def test_raw_text(raw: object, text: str) -> None:
    assert raw_text(raw) == text


def test_raw_text_of_unprintable_object() -> None:
    class Bad:
        def __str__(self) -> str:
            raise RuntimeError("no")

    assert raw_text(Bad()) == "Bad"
    assert parse_value(Bad(), EVENTS).findings[0].code == "value_parse_error"  # a surprise, said as such


@pytest.mark.parametrize("raw", ["12345678901234567890", 12345678901234567890, 1e13, "２０００００００００００００"])
def test_absurdly_large_numbers_are_refused(raw: object) -> None:
    parsed = parse_value(raw, EVENTS)
    assert parsed.value is None and not parsed.blank
    assert [f.code for f in parsed.findings] == ["value_too_large"]


def test_largest_plausible_number_is_kept() -> None:
    assert parse_value("999999999999", EVENTS).value == 999_999_999_999
