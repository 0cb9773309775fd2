"""The units' own summaries: figures quoted in a 工作总结 .docx, compared with the unit's table (summary_mismatch),
listed in the report's appendix.  Real files in a raw folder, through the real year pipeline."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.catalog import QUOTES_CSV
from analysis.intake.narratives import quotes_in_text
from analysis.pipeline import process_year
from tests.fixtures import SAMPLE, write_docx, write_units_csv, write_vertical_docx

# SAMPLE (the unit's table): 12 activities, 16,520 offline, 165,200 online, 120 volunteers, 25 reports.


def _year(tmp_path, *paragraphs: str):
    raw = tmp_path / "raw" / "2023"
    write_vertical_docx(raw / "随县" / "2023年科技活动周开展情况统计表（随县）.docx", SAMPLE, stamp="随县")
    write_docx(
        raw / "随县" / "随县2023年科技活动周工作总结.docx",
        None,
        paragraphs=("随县2023年科技活动周工作总结", "我县围绕主题开展科技活动周。", *paragraphs),
    )
    out = tmp_path / "processed" / "2023"
    outcome = process_year(
        raw,
        out,
        year=2023,
        workers=1,
        units_csv=write_units_csv(tmp_path / "units.csv"),
        weeks_csv=tmp_path / "no-weeks.csv",
    )
    findings = outcome.result.issues[outcome.result.issues["code"] == "summary_mismatch"]
    return findings, pd.read_csv(out / QUOTES_CSV, encoding="utf-8-sig")


def test_a_clear_difference_is_an_info_finding_quoting_the_sentence(tmp_path):
    findings, quotes = _year(tmp_path, "活动周期间共举办各类科普活动56场，参与群众3500余人次。", "刊发宣传报道25篇。")
    # 56 against 12 activities; 3500余 against both 16,520 offline and 181,720 in all; 25 reports match
    assert sorted(findings["field"]) == ["", "events_held"]
    row = findings[findings["field"] == "events_held"].iloc[0]
    assert row["severity"] == "info" and row["unit"] == "随县"
    assert row["source_file"] == "随县/随县2023年科技活动周工作总结.docx"
    assert "举办各类科普活动56场" in row["message"] and "“举办活动次数”的12" in row["message"]
    assert "原句：活动周期间共举办各类科普活动56场，参与群众3500余人次" in row["message"]
    assert "线下活动群众参与数量" in findings[findings["field"] == ""].iloc[0]["message"]
    assert set(quotes["field"]) == {"events_held", "total_participation", "media_reports"}
    assert quotes.loc[quotes["field"] == "total_participation", "value"].item() == 3500
    assert bool(quotes.loc[quotes["field"] == "total_participation", "approx"].item())


def test_rounded_figures_within_a_fifth_and_exact_matches_give_no_finding(tmp_path):
    # 1.5万 against 16,520 offline is 9% off, rounded: fine; 12 activities and 120 volunteers match
    findings, quotes = _year(tmp_path, "共组织科普活动12场，线下参与群众约1.5万人次，招募科技志愿者120名。")
    assert findings.empty
    assert len(quotes) == 3


def test_no_figures_and_other_years_give_nothing(tmp_path):
    findings, quotes = _year(tmp_path, "较去年举办科普活动56场相比有所增加。", "下一步我们将继续努力。")
    assert findings.empty and quotes.empty


def test_generic_participation_is_compared_with_offline_and_with_the_total():
    # 参与群众 without 线上/线下: either reading of the table may be meant
    assert [q.field for q in quotes_in_text("参与群众181720人次")] == ["total_participation"]
    assert [q.field for q in quotes_in_text("线下参与群众16520人次")] == ["public_offline"]


def test_an_item_quoted_twice_with_different_numbers_is_dropped():
    assert quotes_in_text("举办科普活动12场。另举办科普活动15场。") == []
    assert [q.value for q in quotes_in_text("举办科普活动12场。共举办科普活动12场。")] == [12]


@pytest.mark.parametrize(
    "text, value, approx",
    [
        ("举办科普活动56场", 56, False),
        ("参与群众约2.1万人次", 21000, True),
        ("刊发宣传报道30余篇", 30, True),
        ("开放科普场馆3个", 3, False),
    ],
)
def test_quoted_numbers(text, value, approx):
    (quote,) = quotes_in_text(text)
    assert (quote.value, quote.approx, quote.quote) == (value, approx, text)
