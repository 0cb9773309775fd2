"""Past city totals (历年上报数) from history.csv and from last years' city tables in the history/ folder."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from analysis import paths
from analysis.report import history
from analysis.report.digest import trend_table
from analysis.report.model import load_trends, reported_comparison
from tests.fixtures import SAMPLE, write_bytes, write_vertical_docx, write_vertical_xlsx


def _csv(tmp_path, text: str):
    return write_bytes(tmp_path / "history.csv", text.encode("utf-8"))


def test_csv_rows_give_totals_and_blank_is_not_zero(tmp_path):
    path = _csv(
        tmp_path,
        'year,field,total\n2024,events_held,512\n2024,funding_municipal,"1,063.5"\n'
        "2024,media_reports,\n2023,events_held,480\n",
    )
    found = history.load_history(path, tmp_path / "none")
    assert found.years() == [2023, 2024]
    assert found.of(2024)["events_held"] == 512
    assert found.of(2024)["funding_municipal"] == 1063.5
    assert pd.isna(found.of(2024)["media_reports"])  # left blank: unknown, never 0
    assert pd.isna(found.of(2023)["funding_municipal"])
    assert found.of(2022) is None
    assert found.issues == []


@pytest.mark.parametrize(
    "row, words",
    [
        ("24,events_held,5", "不是四位年份"),
        ("2024,events,5", "不是统计表的项目键"),
        ("2024,events_held,五百", "不是数字"),
        ("2024,events_held,-5", "负数"),
    ],
)
def test_bad_csv_rows_become_issues_and_are_left_out(tmp_path, row, words):
    found = history.load_history(_csv(tmp_path, f"year,field,total\n{row}\n2024,media_reports,30\n"), tmp_path / "none")
    assert [i.code for i in found.issues] == ["history_invalid"]
    assert words in found.issues[0].message and found.issues[0].cell == "第2行"
    assert found.of(2024)["media_reports"] == 30
    assert pd.isna(found.of(2024)["events_held"])


def test_csv_without_its_columns_is_not_used(tmp_path):
    found = history.load_history(_csv(tmp_path, "年度,项目,合计\n2024,events_held,5\n"), tmp_path / "none")
    assert found.years() == [] and "缺少列 year、field、total" in found.issues[0].message


def test_city_tables_in_the_folder_are_read_like_returns(tmp_path):
    folder = tmp_path / "history"
    write_vertical_docx(folder / "2024年全市科技活动周开展情况统计表.docx", SAMPLE, year=2024, stamp="随州市")
    write_vertical_xlsx(folder / "随州市2023年汇总.xlsx", {**SAMPLE, "events_held": 9}, year=2023)
    write_bytes(folder / "README.md", "说明".encode())
    write_vertical_xlsx(folder / "往年汇总.xlsx", SAMPLE)  # no year in the name
    found = history.load_history(tmp_path / "none.csv", folder)
    assert found.years() == [2023, 2024]
    assert found.of(2024)["events_held"] == 12 and found.of(2023)["events_held"] == 9
    assert found.of(2024)["funding_county"] == 8.25 and found.of(2024)["public_online"] == 165200
    assert [(i.source_file, i.code) for i in found.issues] == [("history/往年汇总.xlsx", "history_invalid")]


def test_csv_wins_over_the_folder(tmp_path):
    folder = tmp_path / "history"
    write_vertical_docx(folder / "2024年全市科技活动周开展情况统计表.docx", SAMPLE, year=2024)
    found = history.load_history(_csv(tmp_path, "year,field,total\n2024,events_held,500\n"), folder)
    assert found.of(2024)["events_held"] == 500 and found.of(2024)["media_reports"] == 25


def test_comparison_takes_the_latest_earlier_year(tmp_path):
    found = history.load_history(
        _csv(tmp_path, "year,field,total\n2022,events_held,400\n2024,events_held,512\n2026,events_held,1\n"),
        tmp_path / "none",
    )
    totals = pd.Series({"events_held": 640})
    comparison = reported_comparison(totals, 2025, found)
    assert (comparison.year, comparison.source, comparison.totals["events_held"]) == (2024, "历年上报数", 512)
    assert comparison.change_pct["events_held"] == 25.0  # 640 against 512
    assert reported_comparison(totals, 2022, found) is None


def test_shipped_history_has_no_invented_figures():
    assert paths.REFERENCE.joinpath("history.csv").read_text(encoding="utf-8").strip() == "year,field,total"
    assert (paths.REFERENCE / "history" / "README.md").is_file()


@pytest.fixture
def real_processed(demo_processed, tmp_path):
    """Demo 2022 and 2023 relabelled as real years (meta.json without the demo flag), in a temporary root."""
    root = tmp_path / "processed"
    for year in (2022, 2023):
        shutil.copytree(demo_processed / str(year), root / str(year))
        meta = json.loads((root / str(year) / "meta.json").read_text(encoding="utf-8"))
        (root / str(year) / "meta.json").write_text(json.dumps({**meta, "demo": False}), encoding="utf-8")
        (root / str(year) / paths.DEMO_MARKER).unlink(missing_ok=True)
    return root


def test_trends_of_real_years_start_with_past_totals(real_processed, tmp_path, monkeypatch):
    monkeypatch.setattr(
        history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,300\n2023,events_held,1\n")
    )
    monkeypatch.setattr(history, "HISTORY_DIR", tmp_path / "none")
    trends = load_trends(None, real_processed, 2023)
    assert trends.years == [2021, 2022, 2023] and trends.history_years == [2021]
    assert trends.yearly.loc[2021, "events_held"] == 300
    assert trends.yearly.loc[2023, "events_held"] == 496  # a processed year is never replaced by history
    assert list(trend_table(trends).index) == ["2021（历年上报数）", "2022", "2023"]


def test_demo_trends_never_use_past_totals(demo_processed, tmp_path, monkeypatch):
    monkeypatch.setattr(history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,300\n"))
    trends = load_trends(None, demo_processed, 2023)
    assert trends.history_years == [] and 2021 not in trends.yearly.index


def test_first_real_year_is_compared_with_past_totals_in_the_word_report(real_processed, tmp_path, monkeypatch):
    from docx import Document

    from analysis.report import word_report
    from analysis.report.model import load_week

    monkeypatch.setattr(
        history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,292\n2021,most_tasks,x\n")
    )
    monkeypatch.setattr(history, "HISTORY_DIR", tmp_path / "none")
    week = load_week(2022, real_processed / "2022")
    assert week.yoy is None and not week.demo
    path = word_report.write_week_report(week, tmp_path / "r", figures=[])
    text = "\n".join(p.text for p in Document(path).paragraphs)
    assert "与2021年（历年上报数）相比，举办活动次数同比增长25.0%" in text  # 365 against 292
    assert "2021年对比数为历年上报数" in text and "历年上报数中有1处未能使用" in text
    assert "示例数据" not in text


def test_first_real_year_tables_compare_with_past_totals(real_processed, tmp_path, monkeypatch):
    """Notebook 02's own 全市汇总 table and headline use the same past totals as the Word report."""
    from analysis.report.digest import headline, totals_table
    from analysis.report.model import load_week

    monkeypatch.setattr(
        history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,292\n2021,funding_central,10\n")
    )
    monkeypatch.setattr(history, "HISTORY_DIR", tmp_path / "none")
    week = load_week(2022, real_processed / "2022")
    assert week.yoy is None and week.comparison is not None and week.comparison.year == 2021
    table = totals_table(week).set_index("项目")
    assert table.loc["举办活动次数", "2021年（历年上报数）"] == "292"
    assert table.loc["举办活动次数", "同比"] == "+25.0%"  # 365 against 292
    assert table.loc["中央财政经费投入情况", "2021年（历年上报数）"] == "10.00"
    assert table.loc["承接科技部活动任务个数", "同比"] == "—"  # history has no figure for it: no change shown
    assert "对比：2021年（历年上报数，全市合计）" in headline(week)
    compared = load_week(2023, real_processed / "2023")  # 2022 is processed: the unit returns, not the history
    assert compared.comparison.source == "" and compared.compare_year == 2022
    assert "2022年" in totals_table(compared).columns


def test_demo_weeks_never_use_past_totals(demo_processed, tmp_path, monkeypatch):
    from analysis.report.digest import totals_table
    from analysis.report.model import load_week

    monkeypatch.setattr(history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,292\n"))
    week = load_week(2022, demo_processed / "2022")
    assert week.comparison is None and not any("历年上报数" in c for c in totals_table(week).columns)


def test_what_of_the_past_totals_could_not_be_used_is_listed_for_the_notebooks(real_processed, tmp_path, monkeypatch):
    from analysis.report.digest import history_problems
    from analysis.report.model import load_trends, load_week

    monkeypatch.setattr(
        history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,292\n2021,most_tasks,x\n")
    )
    monkeypatch.setattr(history, "HISTORY_DIR", tmp_path / "none")
    for seen in (load_week(2022, real_processed / "2022"), load_trends(None, real_processed, 2023)):
        table = history_problems(seen)
        assert len(table) == 1 and "不是数字" in table.iloc[0]["说明及修改要求"]
    monkeypatch.setattr(history, "HISTORY_CSV", _csv(tmp_path, "year,field,total\n2021,events_held,292\n"))
    assert history_problems(load_week(2022, real_processed / "2022")).empty
    assert load_week(2023, real_processed / "2023").history_issues.empty  # compared with 2022's returns
