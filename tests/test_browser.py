"""The HTML report in a real browser (Debian's chromium driven by Playwright): tables interactive, sortable and
filterable by 单位类别, nothing wider than a 1366 px screen, links to the exports resolving; screenshots saved.

Skipped, with the reason, where Playwright or Chromium is not installed (``apt-get install chromium``)."""

from __future__ import annotations

import shutil

import pytest

from analysis import paths
from analysis.report import runner
from tests.browser_check import check_report, chromium

pytest.importorskip("playwright.sync_api", reason="Playwright 未安装（pip install playwright）")
EXECUTABLE = chromium()
pytestmark = [
    pytest.mark.skipif(EXECUTABLE is None, reason="没有 Chromium（apt-get install chromium，或用 CHROMIUM 指定）"),
    pytest.mark.xdist_group("report"),
]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    """Demo 2024's report (compared with 2023), as ``make report`` writes it."""
    from analysis.pipeline import process_year

    base = tmp_path_factory.mktemp("browser")
    for year in (2023, 2024):
        shutil.copytree(paths.DEMO.raw / str(year), base / "raw" / str(year))
    plans = runner.plan_years(
        [2023, 2024], paths.Workspace("测试", base / "raw", base / "processed", base / "review", base / "reports")
    )
    process_year(plans[0].raw_dir, plans[0].processed_dir, year=2023, workers=1)
    runner.run_year(plans[1])
    return plans[1].report_dir


def test_html_report_works_in_a_browser(report_dir):
    checks = {c.page: c for c in check_report(report_dir, report_dir / "截图", EXECUTABLE)}
    assert sorted(checks) == sorted(f"{name[: -len('.ipynb')]}.html" for name in runner.NOTEBOOK_NAMES)
    for page, c in checks.items():
        assert c.tables == c.static_tables > 0, f"{page}: every table a DataTable"
        assert c.errors == [] and c.too_wide == [] and c.broken_links == [], page
        assert c.sorted_ascending is True, f"{page}: clicking a column of numbers sorts it"
        assert c.screenshot.is_file() and c.screenshot.stat().st_size > 10_000
    clean, week = checks["01_清洗与核查.html"], checks["02_周后统计分析.html"]
    assert clean.filtered is True and week.filtered is True, "the 单位类别 filter keeps only the chosen kind"
    assert {"summary.xlsx", "全市汇总表.docx", "数据摘要.docx", "2024年科技活动周统计分析报告.docx"} <= set(week.links)
