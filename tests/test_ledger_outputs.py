"""What the ledger changes in the outputs: the 初稿 mark, the 核实与更正 sheet, charts that never let a value in
doubt dominate.  Demo 2024 processed three ways: without a ledger, with its own ledger (one finding left open),
and with that ledger fully settled.  Expected totals come from the demo's truth table, not from the code."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest

from analysis import paths
from analysis.pipeline import process_year
from analysis.report import digest, model

TRUTH = paths.DEMO_TRUTH / "2024.csv"
TYPED = 304000  # 随州高新区 typed 元 into 县级财政经费投入 (the demo's planted problem), 30.4 万元 in truth


def truth_total(key: str) -> float:
    return float(pd.read_csv(TRUTH, encoding="utf-8-sig")[key].sum())


def settle_everything(ledger: Path, target: Path) -> Path:
    """The demo 2024 ledger with its open row (市农业农村局's 待统计) settled as well, as a person would in Excel."""
    wb = openpyxl.load_workbook(ledger)
    ws = wb.worksheets[0]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("处理")].value == "待核实":
            row[header.index("处理")].value = "更正"
            row[header.index("更正值")].value = 3
            row[header.index("依据")].value = "电话补报"
    wb.save(target)
    return target


@pytest.fixture(scope="module")
def weeks(tmp_path_factory) -> dict[str, model.Week]:
    base = tmp_path_factory.mktemp("ledger_outputs")
    raw = base / "raw" / "2024"
    shutil.copytree(paths.DEMO.raw / "2024", raw)
    ledgers = {
        "none": base / "none.xlsx",
        "demo": paths.DEMO.review / "2024.xlsx",
        "settled": settle_everything(paths.DEMO.review / "2024.xlsx", base / "settled.xlsx"),
    }
    out = {}
    for name, ledger in ledgers.items():
        processed = base / name / "2024"
        process_year(raw, processed, year=2024, workers=1, review=ledger)
        week = model.load_week(2024, processed)
        digest.write_week_exports(week, base / name / "report")
        out[name] = week
    return out


def test_totals_follow_the_ledger(weeks):
    as_typed = truth_total("funding_county")
    assert weeks["none"].totals["funding_county"] == pytest.approx(as_typed)
    assert weeks["demo"].totals["funding_county"] == pytest.approx(as_typed - TYPED + 30.4)


@pytest.mark.parametrize(
    "name, mark", [("none", "初稿（尚有 6 项待核实）"), ("demo", "初稿（尚有 1 项待核实）"), ("settled", "")]
)
def test_the_draft_mark_is_on_the_city_table_until_nothing_is_open(weeks, tmp_path_factory, name, mark):
    week = weeks[name]
    assert week.draft_mark == mark
    folder = tmp_path_factory.getbasetemp()
    xlsx = next(folder.glob(f"ledger_outputs*/{name}/report/summary.xlsx"))
    city = openpyxl.load_workbook(xlsx)["全市汇总"]
    assert (city["C2"].value or "") == mark
    assert city["A2"].value == "地方/部门（盖章）：随州市"
    text = [p.text for p in docx.Document(xlsx.parent / "全市汇总表.docx").paragraphs]
    assert (mark in text) == bool(mark)
    paragraph = (xlsx.parent / "数据摘要.md").read_text(encoding="utf-8")
    assert ("含待核实的数值" in paragraph) == bool(mark)


def test_the_audit_sheet_lists_the_decisions_and_the_totals_before_and_after(weeks, tmp_path_factory):
    xlsx = next(tmp_path_factory.getbasetemp().glob("ledger_outputs*/demo/report/summary.xlsx"))
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(xlsx)["核实与更正"].iter_rows()]
    flat = [v for r in rows for v in r if v is not None]
    assert "核实结果" in flat and "更正对全市合计的影响" in flat
    start = next(i for i, r in enumerate(rows) if r[0] == "核实结果") + 1
    header = rows[start]
    decisions = [dict(zip(header, r)) for r in rows[start + 1 : start + 6]]
    assert sorted(d["问题"] for d in decisions) == sorted(
        ["宣传报道少于2篇", "逾期报送", "未报送统计表", "视频超过3分钟", "疑似元填成万元"]
    )
    yuan = next(d for d in decisions if d["问题"] == "疑似元填成万元")
    assert (yuan["单位"], yuan["处理"], yuan["原值"], yuan["更正值"]) == ("随州高新区", "更正", TYPED, 30.4)
    effect_at = next(i for i, r in enumerate(rows) if r[0] == "更正对全市合计的影响") + 1
    effect = dict(zip(rows[effect_at], rows[effect_at + 1]))
    as_typed = truth_total("funding_county")
    assert effect["更正前合计"] == pytest.approx(round(as_typed, 2))
    assert effect["更正后合计"] == pytest.approx(round(as_typed - TYPED + 30.4, 2))


def test_a_value_in_doubt_is_left_out_of_the_charts_with_a_footnote(weeks):
    held = weeks["none"].held_back
    assert held[["unit", "field", "value"]].values.tolist() == [["随州高新区", "funding_county", TYPED]]
    assert weeks["demo"].held_back.empty  # corrected: nothing in doubt
    figures = digest.week_figures(weeks["none"])
    for name, fig in figures.items():
        footer = next(t.get_text() for t in fig.texts if t.get_gid() == "footer")
        assert "图中未计入待核实的数值" in footer and "随州高新区" in footer, name
    funding = figures["图01_全市经费投入来源"]
    shown = [t.get_text() for ax in funding.axes for t in ax.texts]
    assert not any("304" in text.replace(",", "") for text in shown)  # the 304,000 万元 bar is not drawn
    clean = digest.week_figures(weeks["demo"])
    assert all("未计入" not in next(t.get_text() for t in f.texts if t.get_gid() == "footer") for f in clean.values())
