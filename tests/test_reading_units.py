"""Issue 11: money declared in 元 (a value column headed 数量（元）, a line 单位：元 above the table, an item
labelled （元）), and number formats that display another number than the stored one, through real files.

In 元: 0, 15000, 30000, 82500, 20000, 5000, 0 are SAMPLE's 0, 1.5, 3, 8.25, 2, 0.5, 0 万元 (÷ 10000 by hand).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fixtures import (
    SAMPLE,
    Form,
    ingest_folder,
    issues_of,
    numbers,
    return_of,
    transposed_form,
    value_of,
    vertical_form,
    write_docx,
    write_xlsx,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from analysis.intake.readers.excel import render_number, scaling_formats
from analysis.intake.readers.grid import Shown
from analysis.intake.values import Declared, parse_value

EXPECTED = {k: float(v) for k, v in SAMPLE.items()}
IN_YUAN = {
    **SAMPLE,
    "funding_provincial": 15000,
    "funding_municipal": 30000,
    "funding_county": 82500,
    "funding_enterprise": "20,000",
    "funding_in_kind": 5000,
}  # text with a separator, too
CONVERTED = ["funding_provincial", "funding_municipal", "funding_county", "funding_enterprise", "funding_in_kind"]


def with_header(form: Form, value_header: str) -> Form:
    """The form with a header row 类别 | 项目 | ``value_header`` over the table."""
    merges = tuple((r0 + 1, c0, r1 + 1, c1) for r0, c0, r1, c1 in form.merges)
    return replace(form, table=[["类别", "项目", value_header], *form.table], merges=merges)


def ingest_one(tmp_path: Path, name: str, write) -> tuple:
    write(tmp_path / "raw" / name)
    result = ingest_folder(tmp_path / "raw")
    return result, numbers(return_of(result, name))


def assert_converted(result, name: str, said: str) -> None:
    notes = issues_of(result, name, "value_converted_yuan")
    assert sorted(notes["field"]) == sorted(CONVERTED)  # one info note on each money field converted
    assert set(notes["severity"]) == {"info"}
    assert notes["message"].str.contains(said, regex=False).all()
    county = value_of(result, name, "funding_county")
    assert (county["value"], county["raw_text"]) == (8.25, "82500")
    assert said in county["note"]


@pytest.mark.parametrize("header", ["数量（元）", "金额（元）", "数量(元)"])
def test_value_column_headed_in_yuan(tmp_path: Path, header: str):
    form = with_header(vertical_form(IN_YUAN, stamp="随县"), header)
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED
    assert_converted(result, "随县.xlsx", f"表中注明“{header}”")


def test_line_above_the_table_in_yuan(tmp_path: Path):
    form = vertical_form(IN_YUAN, stamp="随县")
    form = replace(form, head=[*form.head, ["单位：元"]])
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED
    assert_converted(result, "随县.xlsx", "表中注明“单位：元”")


def test_word_line_above_the_table_in_yuan(tmp_path: Path):
    form = vertical_form(IN_YUAN, stamp="随县")
    form = replace(form, head=[*form.head, ["金额单位：元"]])
    result, got = ingest_one(tmp_path, "随县.docx", lambda p: write_docx(p, form))
    assert got == EXPECTED
    assert_converted(result, "随县.docx", "表上方注明“金额单位：元”")


def test_one_item_labelled_in_yuan(tmp_path: Path):
    form = transposed_form({**SAMPLE, "funding_county": 82500}, stamp="随县")
    header = ["县级财政经费投入情况（元）" if v == "县级财政经费投入情况" else v for v in form.table[0]]
    form = replace(form, table=[header, *form.table[1:]])
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED  # only that item is converted: 82500 元 = 8.25 万元; 1.5, 3 … stay 万元
    notes = issues_of(result, "随县.xlsx", "value_converted_yuan")
    assert list(notes["field"]) == ["funding_county"]
    assert "项目名称注明“县级财政经费投入情况（元）”" in notes["message"].iloc[0]


def test_explicit_unit_in_a_cell_beats_the_declaration(tmp_path: Path):
    form = with_header(vertical_form({**IN_YUAN, "funding_county": "8.25万"}, stamp="随县"), "金额（元）")
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED
    assert "funding_county" not in set(issues_of(result, "随县.xlsx", "value_converted_yuan")["field"])


def test_multipliers_inside_a_block_declared_in_yuan(tmp_path: Path):
    # 5千 under 金额（元） is 5千元 = 0.5 万元 (not 5,000 万元); 1.2万 is 1.2万元 = 1.2 万元
    values = {**IN_YUAN, "funding_in_kind": "5千", "funding_provincial": "1.5万", "funding_enterprise": "2万"}
    form = with_header(vertical_form(values, stamp="随县"), "金额（元）")
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED
    kind = value_of(result, "随县.xlsx", "funding_in_kind")
    assert (kind["value"], kind["raw_text"]) == (0.5, "5千")
    assert "由5千元换算为0.5万元" in kind["note"]
    converted = issues_of(result, "随县.xlsx", "value_converted_yuan")
    assert sorted(converted["field"]) == ["funding_county", "funding_in_kind", "funding_municipal"]


@pytest.mark.parametrize("header", ["数量（万元）", "数量", "金额（万元）"])
def test_header_in_wan_yuan_converts_nothing(tmp_path: Path, header: str):
    form = with_header(vertical_form(SAMPLE, stamp="随县"), header)
    result, got = ingest_one(tmp_path, "随县.xlsx", lambda p: write_xlsx(p, form))
    assert got == EXPECTED
    assert issues_of(result, "随县.xlsx", "value_converted_yuan").empty


# ---------------------------------------------------------------- number formats


def formatted(path: Path, formats: dict[str, str]) -> Path:
    """Give cells number formats (as a person would in Excel's 设置单元格格式 → 自定义)."""
    wb = load_workbook(path)
    for address, code in formats.items():
        wb.active[address].number_format = code
    wb.save(path)
    return path


def test_cell_shown_in_wan_yuan_by_its_format_is_read_as_seen(tmp_path: Path):
    values = {**SAMPLE, "funding_county": 82500, "funding_enterprise": 20000, "public_online": 165200}
    # C8 = funding_county, C9 = funding_enterprise, C17 = public_online (title, stamp, then the items from row 3)
    write = lambda p: formatted(
        write_xlsx(p, vertical_form(values, stamp="随县")),
        {"C8": '0!.0,"万元"', "C9": '[>=10000]0!.0,"万";0', "C17": '0!.0,"万"'},
    )
    result, got = ingest_one(tmp_path, "随县.xlsx", write)
    assert got == EXPECTED  # 82500 shown as 8.3万元 is 8.25 万元; 165200 shown as 16.5万 stays 165200 人次
    notes = issues_of(result, "随县.xlsx", "value_number_format")
    assert sorted(zip(notes["cell"], notes["severity"])) == [("C8", "info"), ("C9", "info")]
    county = value_of(result, "随县.xlsx", "funding_county")
    assert county["raw_text"] == "8.3万元"
    assert county["note"] == '单元格存储值为82500，数字格式“0!.0,"万元"”显示为“8.3万元”，按显示的单位计为8.25万元'


def test_small_value_a_scaling_format_shows_as_zero_is_read(tmp_path: Path):
    # 400 元 under 0!.0,"万元" shows as 0.0万元: it is 0.04 万元, not dropped; 400 人次 under 0!.0,"万" stays 400
    values = {**SAMPLE, "funding_county": 400, "public_online": 400}
    write = lambda p: formatted(
        write_xlsx(p, vertical_form(values, stamp="随县")),
        {"C8": '0!.0,"万元"', "C17": '0!.0,"万"'},
    )
    result, got = ingest_one(tmp_path, "随县.xlsx", write)
    assert got == {**EXPECTED, "funding_county": 0.04, "public_online": 400.0}
    county = value_of(result, "随县.xlsx", "funding_county")
    assert (county["raw_text"], county["note"]) == (
        "0.0万元",
        '单元格存储值为400，数字格式“0!.0,"万元"”显示为“0.0万元”，按显示的单位计为0.04万元',
    )
    found = issues_of(result, "随县.xlsx")
    assert not found["code"].isin(["value_unparsed", "value_parse_error"]).any()
    assert list(issues_of(result, "随县.xlsx", "value_number_format")["cell"]) == ["C8"]


def test_display_of_zero_without_a_unit_is_a_warning():
    parsed = parse_value(Shown("0", 400, "0,,"), "funding_county")
    assert parsed.value == 400.0  # kept, but flagged: the display does not say in what unit
    assert [(f.severity, f.code) for f in parsed.findings] == [("warning", "value_number_format")]
    assert "无法判断显示的单位" in parsed.findings[0].message


def test_plain_formats_keep_the_fast_path(tmp_path: Path):
    write = lambda p: formatted(
        write_xlsx(p, vertical_form(SAMPLE, stamp="随县")),
        {"C16": "#,##0", "C8": "0.00"},
    )
    result, got = ingest_one(tmp_path, "随县.xlsx", write)
    assert got == EXPECTED
    assert issues_of(result, "随县.xlsx", "value_number_format").empty


@pytest.mark.parametrize(
    "styles, found",
    [
        (b'<numFmts><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>', {}),
        (b'<cellXfs><xf numFmtId="3"/></cellXfs>', {}),
        (
            b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>'
            b'<numFmt numFmtId="164" formatCode="0!.0,&quot;\xe4\xb8\x87&quot;"/><numFmt numFmtId="165" formatCode="0.0"/>'
            b'</numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="165"/><xf numFmtId="164"/></cellXfs></styleSheet>',
            {2: '0!.0,"万"'},
        ),
    ],
)
def test_only_scaling_custom_formats_are_looked_at(styles: bytes, found: dict):
    assert scaling_formats(styles) == found


@pytest.mark.parametrize(
    "value, code, shown",
    [
        (126000, '0!.0,"万"', "12.6万"),
        (126000, '0!.0,"万元"', "12.6万元"),
        (82500, '0!.0,"万元"', "8.3万元"),  # 82.5 rounds half up to 83
        (126000, '0.0,"千元"', "126.0千元"),
        (126000, '[>=10000]0!.0,"万";0', "12.6万"),
        (500, '[>=10000]0!.0,"万";0', "500"),
        (1234567, "#,##0", "1,234,567"),
        (12.6, '0.00"万元"', "12.60万元"),
        (0, '0!.0,"万"', "0.0万"),
        (0.25, "0%", "25%"),
        (-5, "0", "-5"),
        (44000, "yyyy-mm-dd", None),
        (1.5, "0.00E+00", None),
    ],
)
def test_render_number(value: float, code: str, shown: str | None):
    assert render_number(value, code) == shown


# ---------------------------------------------------------------- never raises

format_parts = st.sampled_from([*'0#?.,!\\"_*;[]<>=%万元千@Ee+-yms ', "0!.0,", '"万元"', "[>=10000]"])


@settings(max_examples=300, deadline=None)
@given(value=st.floats(allow_nan=True, allow_infinity=True), code=st.lists(format_parts, max_size=10).map("".join))
def test_render_number_never_raises(value: float, code: str):
    shown = render_number(value, code)
    assert shown is None or isinstance(shown, str)


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=12),
    stored=st.floats(allow_nan=True, allow_infinity=True),
    key=st.sampled_from(["funding_county", "public_online", "events_held"]),
    declared=st.booleans(),
)
def test_shown_and_declared_cells_never_raise(text: str, stored: float, key: str, declared: bool):
    parsed = parse_value(Shown(text, stored, "0!.0,"), key, Declared("表中注明“单位：元”") if declared else None)
    assert parsed.value is None or isinstance(parsed.value, float)
    if parsed.value is None and not parsed.blank:
        assert any(f.severity == "warning" for f in parsed.findings)
