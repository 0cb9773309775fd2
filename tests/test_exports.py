"""analysis.report.exports: the summary workbook, the city's form in Word and the data paragraph."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm

from analysis import outputs
from analysis.form import COUNT_KEYS, FIELD_KEYS
from analysis.issues import Issue, issues_frame
from analysis.report import exports, stats
from analysis.report.model import compare

DEMO = "示例数据（非真实统计）"
EVIL = '=HYPERLINK("http://evil.example","点我")'
SHEETS = ["全市汇总", "分单位明细", "同比", "数据问题", "核实与更正"]

# The attachment of the notice, row by row: (category, item).  Written out here, not taken from analysis.form.
ATTACHMENT = [
    ("科普活动开展次数", "举办活动次数"),
    ("科普活动开展次数", "承接科技部活动任务个数"),
    ("活动经费投入数量（单位：万元）", "中央财政经费投入情况"),
    ("活动经费投入数量（单位：万元）", "省级、副省级财政经费投入情况"),
    ("活动经费投入数量（单位：万元）", "市级财政经费投入情况"),
    ("活动经费投入数量（单位：万元）", "县级财政经费投入情况"),
    ("活动经费投入数量（单位：万元）", "企业赞助经费情况"),
    ("活动经费投入数量（单位：万元）", "实物投入情况（如：捐赠图书、光盘、创新操作室等）"),
    ("活动经费投入数量（单位：万元）", "其他经费情况"),
    ("科普工作人员参与数量", "科普专职人员数量"),
    ("科普工作人员参与数量", "科技工作者参与数量"),
    ("科普工作人员参与数量", "招募科技志愿者数量"),
    ("科普工作人员参与数量", "其他人员数量"),
    ("科普活动群众参与数量", "线下活动群众参与数量"),
    ("科普活动群众参与数量", "线上活动群众参与数量"),
    ("宣传报道情况", "参与媒体数量"),
    ("宣传报道情况", "宣传报道数量"),
    ("", "活动周期间开放的科普场馆数量"),
    ("", "活动周期间开放活动的科研机构数量"),
    ("", "活动周期间开放活动的大学数量"),
]
CITY_MERGES = {"A1:C1", "A2:C2", "A3:A4", "A5:A11", "A12:A15", "A16:A17", "A18:A19", "A20:B20", "A21:B21", "A22:B22"}
MONEY_ROWS = range(5, 12)  # 万元 items on 全市汇总

# Hand sums of the returns below, by row of 全市汇总 (None = nobody reported it).
EXPECTED_VALUES = {3: 15, 4: None, 5: 1.75, 6: None, 9: 0, 16: 35200, 17: 1000, 20: 1, 22: None}


def returns(rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows).reindex(columns=["source_file", "unit", "unit_kind", *FIELD_KEYS])
    return df.assign(source_file="报表.xlsx", **{k: df[k].astype("float64").astype("Int64") for k in COUNT_KEYS})


CURRENT = returns(
    [
        dict(unit="随县", unit_kind="county", events_held=8, funding_central=1.5, public_offline=1200, open_venues=1),
        dict(unit=EVIL, unit_kind="county", events_held=4, funding_central=0.25, funding_enterprise=0.0),
        dict(unit="市科协", unit_kind="department", events_held=3, public_offline=34000, public_online=1000),
    ]
)
PREVIOUS = returns(
    [
        dict(unit="随县", unit_kind="county", events_held=10, funding_central=2.0, public_offline=40000),
    ]
)
FUNDING_CATEGORY = "活动经费投入数量（单位：万元）"
ISSUES = issues_frame(
    [
        Issue(
            "warning",
            "value_unparsed",
            "=1+1 无法识别，请核对",
            source_file="随县.xlsx",
            sheet="Sheet1",
            cell="C5",
            field="events_held",
            unit="随县",
        ),
        Issue(
            "warning",
            "subtotal_mismatch",
            "小计与分项之和不符，请核对",
            source_file="随县.xlsx",
            sheet="Sheet1",
            cell="C12",
            field=f"subtotal:{FUNDING_CATEGORY}",
            unit="随县",
        ),
        Issue("info", "brand_new_code", "说明", source_file="随县.xlsx"),
    ]
)


def write(path: Path, *, demo: bool, yoy: bool = True, compare_year: int | None = None) -> Path:
    totals = stats.city_totals(CURRENT)
    return exports.write_summary_xlsx(
        path,
        year=2023,
        totals=totals,
        derived=stats.derived(totals),
        unit_table=stats.unit_table(CURRENT),
        yoy=stats.year_over_year(CURRENT, PREVIOUS) if yoy else None,
        issues=ISSUES,
        demo=demo,
        compare_year=compare_year,
    )


def all_values(ws) -> list:
    return [c.value for row in ws.iter_rows() for c in row if c.value is not None]


def test_city_sheet_layout(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=False))
    assert wb.sheetnames == SHEETS
    ws = wb["全市汇总"]
    assert ws["A1"].value == "2023年全市科技活动周开展情况统计表"
    assert ws["A2"].value == "地方/部门（盖章）：随州市"
    assert {str(r) for r in ws.merged_cells.ranges} == CITY_MERGES
    for i, (category, item) in enumerate(ATTACHMENT):
        row = 3 + i
        if category:
            assert ws.cell(row, 2).value == item
        else:
            assert ws.cell(row, 1).value == item
    for first, category in [
        (3, "科普活动开展次数"),
        (5, "活动经费投入数量（单位：万元）"),
        (12, "科普工作人员参与数量"),
        (16, "科普活动群众参与数量"),
        (18, "宣传报道情况"),
    ]:
        assert ws.cell(first, 1).value == category
    for row, expected in EXPECTED_VALUES.items():
        value = ws.cell(row, 3).value
        assert value is None if expected is None else value == pytest.approx(expected), row
    assert ws["C9"].value == 0  # reported as 0 stays 0, not blank
    for row in range(3, 23):
        assert ws.cell(row, 3).number_format == ("#,##0.00" if row in MONEY_ROWS else "#,##0")
    assert ws.max_row == 22  # nothing under the table without the demo label
    assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "portrait"  # A4


def test_other_sheets(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=False))
    units = wb["分单位明细"]
    headers = [c.value for c in units[2]]
    assert headers[:3] == ["单位", "单位类型", "来源文件"]
    assert "举办活动次数（次）" in headers and "中央财政经费投入情况（万元）" in headers
    assert "每家媒体报道数（篇/家）" in headers and "每人次经费投入（元/人次）" in headers
    assert units.freeze_panes == "B3"
    last = [c.value for c in units[units.max_row]]
    assert last[0] == "全市合计" and last[headers.index("举办活动次数（次）")] == 15

    yoy = wb["同比"]  # no compare_year given: the year before
    assert yoy["A1"].value == "2023年与2022年对比"
    assert [c.value for c in yoy[2]] == [
        "项目",
        "本年（2023年）",
        "2022年",
        "较2022年增减",
        "增减率（%）",
        "主要变动单位",
    ]
    events = [c.value for c in yoy[3]]
    assert events[:5] == ["举办活动次数（次）", 15, 10, 5, pytest.approx(50.0)]

    issues = wb["数据问题"]
    assert [c.value for c in issues[2]] == [
        "严重程度",
        "问题",
        "问题代码",
        "单位",
        "文件",
        "工作表",
        "单元格",
        "项目",
        "说明及修改要求",
        "核实状态",
    ]
    rows = {r[2]: r for r in ([c.value for c in row] for row in issues.iter_rows(min_row=3))}
    assert rows["value_unparsed"][:8] == [
        "警告",
        "数值无法识别",
        "value_unparsed",
        "随县",
        "随县.xlsx",
        "Sheet1",
        "C5",
        "举办活动次数",
    ]
    assert rows["subtotal_mismatch"][1] == "小计与分项不符"
    assert rows["subtotal_mismatch"][7] == "小计：活动经费投入数量（单位：万元）"
    assert rows["brand_new_code"][:3] == ["提示", "brand_new_code", "brand_new_code"]  # no title yet: the code


def test_yoy_sheet_names_the_comparison_year(tmp_path: Path) -> None:
    yoy = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=False, compare_year=2021))["同比"]
    assert yoy["A1"].value == "2023年与2021年对比"
    assert [c.value for c in yoy[2]] == [
        "项目",
        "本年（2023年）",
        "2021年",
        "较2021年增减",
        "增减率（%）",
        "主要变动单位",
    ]
    assert [c.value for c in yoy[3]][:4] == ["举办活动次数（次）", 15, 10, 5]
    assert "上年" not in "".join(str(v) for v in all_values(yoy))


def test_no_previous_year(tmp_path: Path) -> None:
    yoy = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=False, yoy=False))["同比"]
    assert yoy["A1"].value == "2023年与上年对比"
    assert [c.value for c in yoy[2]] == ["项目", "本年", "上年", "增减", "增减率（%）", "主要变动单位"]
    assert "无上年数据，未作同比。" in all_values(yoy)
    named = openpyxl.load_workbook(write(tmp_path / "named.xlsx", demo=False, yoy=False, compare_year=2021))["同比"]
    assert named["A1"].value == "2023年与2021年对比" and "无2021年数据，未作对比。" in all_values(named)


def test_issue_field_names() -> None:
    from analysis.issues import issue_field

    assert issue_field("public_online") == "线上活动群众参与数量"
    assert issue_field("subtotal:科普工作人员参与数量") == "小计：科普工作人员参与数量"
    assert issue_field("") == "" and issue_field(float("nan")) == ""
    assert issue_field("某项") == "某项"


@pytest.mark.parametrize("demo", [True, False])
def test_demo_label_on_every_sheet(tmp_path: Path, demo: bool) -> None:
    wb = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=demo))
    for ws in wb:
        assert (DEMO in all_values(ws)) is demo, ws.title


def test_text_from_returns_cannot_become_a_formula(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(write(tmp_path / "summary.xlsx", demo=False))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + EVIL in all_values(wb["分单位明细"])
    assert "'=1+1 无法识别，请核对" in all_values(wb["数据问题"])


def test_two_writes_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = write(tmp_path / "a.xlsx", demo=True).read_bytes()
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    second = write(tmp_path / "b.xlsx", demo=True).read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "b.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}


def city_docx(path: Path, demo: bool) -> docx.document.Document:
    exports.write_city_table_docx(path, year=2023, totals=stats.city_totals(CURRENT), demo=demo)
    return docx.Document(str(path))


@pytest.mark.parametrize("demo", [True, False])
def test_city_table_docx(tmp_path: Path, demo: bool) -> None:
    doc = city_docx(tmp_path / "city.docx", demo)
    texts = [p.text for p in doc.paragraphs]
    assert "2023年全市科技活动周开展情况统计表" in texts
    assert "地方/部门（盖章）：随州市" in texts
    assert (DEMO in texts) is demo
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    table = doc.tables[0]
    assert len(table.rows) == 20
    for i, (category, item) in enumerate(ATTACHMENT):
        if category:
            assert table.cell(i, 0).text == category and table.cell(i, 1).text == item
        else:
            assert table.cell(i, 0).text == item
    values = {i: table.cell(i, 2).text for i in range(20)}
    assert (values[0], values[1], values[2], values[6], values[13], values[14], values[17]) == (
        "15",
        "",
        "1.75",
        "0.00",
        "35,200",
        "1,000",
        "1",
    )
    # vertical merges of the category column; the last three items span the first two columns
    first_tc = [row._tr.tc_lst[0] for row in table.rows]
    assert [tc.vMerge for tc in first_tc[:4]] == ["restart", "continue", "restart", "continue"]
    assert [tc.vMerge for tc in first_tc[9:13]] == ["restart", "continue", "continue", "continue"]
    assert all(tc.grid_span == 2 and tc.vMerge is None for tc in first_tc[17:])
    assert all(len(row._tr.tc_lst) == 2 for row in table.rows[17:])
    run = table.cell(0, 1).paragraphs[0].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体"


def test_city_table_docx_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    city_docx(tmp_path / "a.docx", True)
    later = time.time() + 400 * 86400
    monkeypatch.setattr(time, "time", lambda: later)
    city_docx(tmp_path / "b.docx", True)
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def paragraph(*, demo: bool, yoy: bool = True, compare_year: int | None = None) -> str:
    totals = stats.city_totals(CURRENT)
    return exports.data_paragraph(
        year=2023,
        totals=totals,
        derived=stats.derived(totals),
        completeness=stats.completeness(CURRENT, ["随县", EVIL, "市科协", "广水市"]),
        comparison=compare(totals, compare_year or 2022, stats.city_totals(PREVIOUS)) if yoy else None,
        demo=demo,
    )


def test_data_paragraph_numbers() -> None:
    text = paragraph(demo=False)
    assert text.startswith("2023年科技活动周期间，全市共收到3家单位的统计表（应报4家，1家未报送）。")
    assert "全市共举办科普活动15场（次），同比增长50.0%" in text  # 15 vs 10
    # 1.75 万元 vs 2.00 → −12.5 %; all of it government money
    assert "投入经费合计1.75万元，同比下降12.5%，其中财政经费占100.0%" in text
    # 35,200 + 1,000 = 36,200 vs 40,000 → −9.5 %
    assert "线下参与3.52万人次、线上参与1,000人次，合计3.62万人次，同比下降9.5%" in text
    assert "开放场馆1个" in text
    assert text.endswith("。") and "科普工作人员" not in text  # nobody reported staff


def test_data_paragraph_variants() -> None:
    assert paragraph(demo=True).startswith("【示例数据（非真实统计）】2023年")
    assert "同比" not in paragraph(demo=False, yoy=False) and "较" not in paragraph(demo=False, yoy=False)
    assert "全市共举办科普活动15场（次），较2021年增长50.0%" in paragraph(demo=False, compare_year=2021)


def test_write_paragraph(tmp_path: Path) -> None:
    md, word = exports.write_paragraph(
        tmp_path / "p.md",
        tmp_path / "p.docx",
        "全市共举办科普活动15场（次）。",
        title="2023年科技活动周数据摘要",
        demo=True,
    )
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# 2023年科技活动周数据摘要\n") and DEMO in text and "全市共举办科普活动15场（次）。" in text
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert paragraphs == ["2023年科技活动周数据摘要", DEMO, "全市共举办科普活动15场（次）。"]
    exports.write_paragraph(tmp_path / "q.md", tmp_path / "q.docx", "正文。", title="摘要", demo=False)
    assert DEMO not in (tmp_path / "q.md").read_text(encoding="utf-8")
    assert [p.text for p in docx.Document(str(tmp_path / "q.docx")).paragraphs] == ["摘要", "正文。"]


def test_normalize_zip_keeps_content(tmp_path: Path) -> None:
    path = tmp_path / "x.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("b.txt", "乙")
        z.writestr("a.txt", "甲")
    path.write_bytes(outputs.normalize_zip(path.read_bytes()))
    with zipfile.ZipFile(path) as z:
        assert z.namelist() == ["b.txt", "a.txt"] and z.read("a.txt").decode() == "甲"
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
