"""Next year's form with one more item, end to end as a bureau would do it: one CSV added to the package's
forms, then the commands (template, ingest) and the report's exports, in a copy of the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.paths import REFERENCE, ROOT

EXTRA = "21,science_lectures,科普活动开展次数,举办科普讲座次数,次,int,科普讲座,科普讲座次数|讲座场次\n"
pytestmark = pytest.mark.xdist_group("subprocess")


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done


def _fill(template: Path, target: Path, values: dict[str, object], unit: str) -> None:
    wb = openpyxl.load_workbook(template)
    for name, value in {**values, "unit": unit}.items():
        sheet, ref = next(iter(wb.defined_names[name].destinations))
        wb[sheet][ref.replace("$", "")] = value
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the package with forms/2025.csv = today's form + one item, and the reference data."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "analysis", root / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    forms = root / "analysis" / "forms"
    (forms / "2025.csv").write_text((forms / "2023.csv").read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    shutil.copytree(REFERENCE, root / "data" / "reference")
    base = {
        "events_held": 10,
        "most_tasks": 1,
        "funding_central": 0.5,
        "funding_provincial": 1.0,
        "funding_municipal": 2.0,
        "funding_county": 3.0,
        "funding_enterprise": 0.0,
        "funding_in_kind": 0.0,
        "funding_other": 0.0,
        "staff_fulltime": 5,
        "staff_scientists": 10,
        "staff_volunteers": 20,
        "staff_other": 2,
        "public_offline": 2000,
        "public_online": 5000,
        "media_outlets": 3,
        "media_reports": 6,
        "open_venues": 1,
        "open_institutes": 0,
        "open_universities": 0,
    }
    for year in (2024, 2025):
        _run(root, "-m", "analysis", "template", "--year", str(year), "--out", str(root / "templates" / str(year)))
        template = root / "templates" / str(year) / f"{year}年科技活动周开展情况统计表.xlsx"
        extra = {"science_lectures": 4} if year == 2025 else {}
        _fill(template, root / "data" / "raw" / str(year) / "随县.xlsx", base | extra, "随县")
        _fill(template, root / "data" / "raw" / str(year) / "曾都区.xlsx", base, "曾都区")  # leaves the new item blank
        _run(root, "-m", "analysis", "ingest", f"data/raw/{year}", "--out", f"data/processed/{year}")
    _run(
        root,
        "-c",
        "from pathlib import Path\n"
        "from analysis.report.digest import totals_table, week_figures, write_week_exports\n"
        "from analysis.report.model import load_week\n"
        "week = load_week(2025, Path('data/processed/2025'))\n"
        "assert week.compare_year == 2024\n"
        "write_week_exports(week, Path('reports/2025'))\n"
        "totals_table(week).to_csv('reports/2025/totals.csv', index=False)\n"
        "assert len(week_figures(week)) == 7\n"
        "write_week_exports(load_week(2024, Path('data/processed/2024')), Path('reports/2024'))\n",
    )
    return root


def test_template_of_the_new_year_has_the_item(project):
    wb = openpyxl.load_workbook(project / "templates" / "2025" / "2025年科技活动周开展情况统计表.xlsx")
    assert "science_lectures" in wb.defined_names
    assert (
        "science_lectures"
        not in openpyxl.load_workbook(
            project / "templates" / "2024" / "2024年科技活动周开展情况统计表.xlsx"
        ).defined_names
    )


def test_returns_carry_the_item_only_in_the_year_that_asks_it(project):
    new = pd.read_csv(project / "data/processed/2025/returns.csv", encoding="utf-8-sig").set_index("unit")
    old = pd.read_csv(project / "data/processed/2024/returns.csv", encoding="utf-8-sig")
    assert list(new.columns)[-1] == "science_lectures" and new.loc["随县", "science_lectures"] == 4
    assert pd.isna(new.loc["曾都区", "science_lectures"])
    assert "science_lectures" not in old.columns and len(old.columns) == 23


def test_checks_over_all_items_cover_the_new_one(project):
    issues = pd.read_csv(project / "data/processed/2025/issues.csv", encoding="utf-8-sig")
    blank = issues[(issues["code"] == "field_not_reported") & (issues["field"] == "science_lectures")]
    assert blank["unit"].tolist() == ["曾都区"] and "“举办科普讲座次数”未填写" in blank["message"].iloc[0]
    assert not issues["code"].eq("schema_violation").any()
    old = pd.read_csv(project / "data/processed/2024/issues.csv", encoding="utf-8-sig")
    assert not old["field"].eq("science_lectures").any()


def test_summary_workbook_carries_the_item_in_its_year_only(project):
    city = openpyxl.load_workbook(project / "reports/2025/summary.xlsx")
    rows = [r for r in city["全市汇总"].iter_rows(min_row=3, values_only=True) if r[1] == "举办科普讲座次数"]
    assert rows == [("科普活动开展次数", "举办科普讲座次数", 4)]  # order 21: its own block of that category, last
    headers = [c.value for c in next(r for r in city["分单位明细"].iter_rows() if r[0].value == "单位")]
    assert "举办科普讲座次数（次）" in headers
    old = openpyxl.load_workbook(project / "reports/2024/summary.xlsx")
    texts = [v for r in old["全市汇总"].iter_rows(values_only=True) for v in r if isinstance(v, str)]
    assert "举办科普讲座次数" not in texts and "活动周期间开放活动的大学数量" in texts


def test_the_report_says_the_item_was_not_asked_the_year_before(project):
    table = pd.read_csv(project / "reports/2025/totals.csv", encoding="utf-8").set_index("项目")
    assert table.loc["举办科普讲座次数", "2025年"] == "4" and table.loc["举办科普讲座次数", "2024年"] == "未设此项"
    assert table.loc["举办活动次数", "2024年"] == "20" and len(table) == 21


def test_a_broken_form_file_is_a_clear_error_not_a_traceback(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "analysis", root / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REFERENCE, root / "data" / "reference")
    form_csv = root / "analysis" / "forms" / "2023.csv"
    form_csv.write_text(
        form_csv.read_text(encoding="utf-8").replace(",events_held,", ",events held!,", 1), encoding="utf-8"
    )
    (root / "raw" / "2023").mkdir(parents=True)
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(root / "raw" / "2023"), "--out", str(root / "out")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("错误：表式文件 2023.csv 第 2 行有误") and "Traceback" not in done.stderr
