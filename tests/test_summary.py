"""The notebook-facing layer: loading processed years, the comparison year, and the tables the notebooks show."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.form import BY_KEY, FIELD_KEYS
from analysis.intake.records import RETURN_COLUMNS, IngestResult, typed_returns
from analysis.intake.store import processed_years, write_result
from analysis.issues import Issue, issues_frame
from analysis.report import digest, model, tables


def _returns(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{**{k: np.nan for k in RETURN_COLUMNS}, **r} for r in rows], columns=list(RETURN_COLUMNS))
    return typed_returns(frame)


def _write_year(root, year, rows, issues=(), demo=False, expected=()):
    files = pd.DataFrame(
        {
            "source_file": [r["source_file"] for r in rows],
            "kind": "form",
            "status": "accepted",
            "unit": [r["unit"] for r in rows],
            "sha256": "0" * 64,
        },
        dtype="str",
    )
    values = pd.DataFrame(
        columns=["source_file", "unit", "field", "value", "raw_text", "sheet", "cell", "status", "note"]
    )
    meta = {"year": year, "demo": demo, "units_expected": list(expected)}
    write_result(IngestResult(_returns(rows), values, issues_frame(issues), files, meta), root / str(year))


@pytest.fixture()
def processed(tmp_path):
    a = {"source_file": "a.xlsx", "unit": "随县", "unit_kind": "county"}
    b = {"source_file": "b.docx", "unit": "市科协", "unit_kind": "department"}
    _write_year(tmp_path, 2021, [{**a, "events_held": 10, "funding_county": 5.0}], demo=True)
    _write_year(
        tmp_path,
        2022,
        [{**a, "events_held": 20, "funding_county": 8.0}, {**b, "events_held": 5, "funding_county": 1.0}],
        demo=True,
    )
    suspect = Issue("warning", "money_in_yuan_suspect", "疑似元", "a.xlsx", "表格1", "C6", "funding_county", "随县")
    _write_year(
        tmp_path,
        2023,
        [{**a, "events_held": 30, "funding_county": 50000.0}, {**b, "events_held": 6, "funding_county": 2.0}],
        issues=[suspect],
        demo=True,
        expected=["随县", "市科协", "广水市"],
    )
    return tmp_path


def test_processed_years_and_default_comparison(processed):
    assert processed_years(processed) == {2021: True, 2022: True, 2023: True}
    week = model.load_week(2023, processed / "2023")
    assert week.compare_year == 2022
    assert week.yoy.loc["events_held", "change"] == 36 - 25
    assert model.load_week(2023, processed / "2023", compare_year=2021).yoy.loc["events_held", "previous"] == 10
    assert model.load_week(2021, processed / "2021").yoy is None


def test_headline_names_missing_units_and_demo(processed):
    text = digest.headline(model.load_week(2023, processed / "2023"))
    assert "应报 3 家，收到 2 家" in text and "未报送：广水市" in text and "示例数据" in text and "2022年" in text


def test_yuan_corrections_show_both_totals(processed):
    table = model.load_week(2023, processed / "2023").yuan
    assert list(table["涉及单位"]) == ["随县"]
    assert table.loc[0, "按原值合计（万元）"] == pytest.approx(50002.0)
    assert table.loc[0, "按建议更正后合计（万元）"] == pytest.approx(5.0 + 2.0)


def test_flagged_values_only_concern_accepted_returns(processed):
    flagged = digest.flagged_values(model.load_week(2023, processed / "2023"))
    assert list(flagged["问题代码"]) == ["money_in_yuan_suspect"]
    assert list(flagged["单元格"]) == ["C6"]


def test_totals_table_has_every_item_with_change(processed):
    table = digest.totals_table(model.load_week(2023, processed / "2023"))
    assert len(table) == len(FIELD_KEYS)
    row = table[table["项目"] == "举办活动次数"].iloc[0]
    assert row["2023年"] == "36" and row["2022年"] == "25" and row["同比"] == "+44.0%"
    nobody = table[table["项目"] == "线上活动群众参与数量"].iloc[0]
    assert nobody["2023年"] in ("—", "") and nobody["填报单位数"] == 0


def test_totals_table_names_a_comparison_year_that_is_not_the_year_before(processed):
    table = digest.totals_table(model.load_week(2023, processed / "2023", compare_year=2021))
    row = table[table["项目"] == "举办活动次数"].iloc[0]
    assert row["2021年"] == "10" and row["较2021年"] == "+260.0%"  # 36 against 10
    assert "同比" not in table.columns and "2022年" not in table.columns


def test_unit_overview_sorted_by_activities(processed):
    overview = digest.unit_overview(model.load_week(2023, processed / "2023"))
    assert list(overview["单位"]) == ["随县", "市科协"]


def test_trends_cover_processed_years_only(processed):
    trends = model.load_trends([2020, 2021, 2022, 2023], processed)
    assert trends.years == [2021, 2022, 2023] and trends.demo
    assert list(trends.yearly["events_held"]) == [10, 25, 36]
    assert list(digest.trend_table(trends).index) == [2021, 2022, 2023]


def test_issue_tables_in_chinese():
    issues = issues_frame(
        [
            Issue("warning", "value_unknown", "值为“不详”", "a.xlsx", "S", "C3", "events_held", "随县"),
            Issue("info", "value_approx", "约数", "a.xlsx", "S", "C4", "events_held", "随县"),
        ]
    )
    counts = tables.issue_counts(issues)
    assert list(counts.columns) == ["问题", "问题代码", "错误", "警告", "提示", "合计"]
    assert counts.set_index("问题代码").loc["value_unknown", "警告"] == 1
    shown = tables.issues_table(issues)
    assert list(shown["问题"]) == ["数值不详"] and list(shown["项目"]) == ["举办活动次数"]
    assert len(shown) == 1


def test_unprocessed_year_gives_a_clear_chinese_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="尚未处理"):
        model.load_week(2030, tmp_path / "2030")
    with pytest.raises(FileNotFoundError, match="没有任何已处理的年度"):
        model.load_trends([2030], tmp_path)


def test_unit_changes_sorted_by_contribution(processed):
    table = digest.unit_changes(model.load_week(2023, processed / "2023"), "events_held")
    assert list(table["单位"]) == ["随县", "市科协"]
    assert list(table["增减"]) == [10, 1]
    assert table.loc[0, "增减率（%）"] == pytest.approx(50.0)
    assert digest.unit_changes(model.load_week(2021, processed / "2021"), "events_held").empty


def test_a_real_year_is_not_compared_with_demo_years_by_default(processed):
    _write_year(processed, 2024, [{"source_file": "c.xlsx", "unit": "随县", "unit_kind": "county", "events_held": 40}])
    week = model.load_week(2024, processed / "2024")
    assert week.compare_year is None and not week.demo
    assert model.load_trends(None, processed, 2024).years == [2024]
    asked = model.load_week(2024, processed / "2024", compare_year=2023)
    assert asked.compare_year == 2023 and asked.demo, "an explicit demo comparison is labelled as demo"
    missing = model.load_week(2024, processed / "2024", compare_year=2019)
    assert missing.compare_year is None and "2019" in missing.note


def test_data_paragraph_warns_about_suspected_yuan_values(processed, tmp_path):
    files = digest.write_week_exports(model.load_week(2023, processed / "2023"), tmp_path / "report")
    assert "疑似把“元”填作“万元”" in files["paragraph"] and "随县" in files["paragraph"]
    assert "待核实" in (tmp_path / "report" / "数据摘要.md").read_text(encoding="utf-8")


def test_distribution_by_kind(processed):
    table = digest.distribution_table(model.load_week(2023, processed / "2023"), ("events_held",))
    assert list(table["单位类别"]) == ["县市区", "市直部门"]
    assert list(table["中位数"]) == [30, 6] and list(table["单位数"]) == [1, 1]


def test_trend_table_shows_an_item_a_years_form_lacked_as_not_asked(tmp_path, monkeypatch):
    """2025's form (a data file) drops 承接科技部活动任务个数: its trend cell reads 未设此项, 2024's keeps the number."""
    import shutil

    import analysis.form as form_module

    folder = tmp_path / "forms"
    folder.mkdir()
    shutil.copy(form_module.FORMS_DIR / "2023.csv", folder / "2023.csv")
    lines = (form_module.FORMS_DIR / "2023.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / "2025.csv").write_text("".join(line for line in lines if ",most_tasks," not in line), encoding="utf-8")
    monkeypatch.setattr(form_module, "FORMS_DIR", folder)
    yearly = pd.DataFrame({k: [1.0, 2.0] for k in FIELD_KEYS}, index=[2024, 2025]).assign(
        most_tasks=[3.0, float("nan")]
    )
    table = digest.trend_table(model.Trends([2024, 2025], False, yearly, pd.DataFrame()))
    header = BY_KEY["most_tasks"].headed
    assert table.loc[2024, header] == 3 and table.loc[2025, header] == "未设此项"
    assert table.loc[2025, BY_KEY["events_held"].headed] == 2
