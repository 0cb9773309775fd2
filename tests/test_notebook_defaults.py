"""Every notebook runs from its own defaults (``year = None``: the latest year), as an analyst opening it in
JupyterLab would: no parameters injected.  The project folder is a temporary copy (``SCITECH_WEEK_HOME``) holding
two demo years and no real year, so the defaults mean the demo's 2024, compared with 2023."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis import paths
from analysis.report import runner


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("home")
    shutil.copytree(paths.REFERENCE, root / "data" / "reference")
    review = root / "data" / "demo" / "review"
    review.mkdir(parents=True)
    for year in (2023, 2024):
        shutil.copytree(paths.DEMO.raw / str(year), root / "data" / "demo" / "raw" / str(year))
        shutil.copy(paths.DEMO.review / f"{year}.xlsx", review / f"{year}.xlsx")
    shutil.copytree(paths.NOTEBOOKS, root / "notebooks")
    return root


@pytest.mark.xdist_group("report")
def test_every_notebook_runs_with_its_defaults(home, monkeypatch):
    import papermill as pm

    monkeypatch.setenv(paths.HOME_VARIABLE, str(home))
    kernel = runner.ensure_kernel()
    out = home / "executed"
    out.mkdir()
    # 01 for 2023 first (02 compares with it), by parameter; then every notebook with no parameter at all
    pm.execute_notebook(
        str(home / "notebooks" / runner.CLEAN_NB),
        str(out / "01-2023.ipynb"),
        parameters={"year": 2023},
        kernel_name=kernel,
        cwd=str(home / "notebooks"),
        progress_bar=False,
    )
    for name in runner.NOTEBOOK_NAMES:
        pm.execute_notebook(
            str(home / "notebooks" / name),
            str(out / name),
            kernel_name=kernel,
            cwd=str(home / "notebooks"),
            progress_bar=False,
        )
    assert (home / "data" / "demo" / "processed" / "2024" / "returns.csv").is_file()  # the latest year, by default
    report = home / "reports" / "demo" / "2024"
    assert (report / "2024年科技活动周统计分析报告.docx").is_file() and (report / "summary.xlsx").is_file()
    assert (report / "figures" / "趋势01_主要指标历年变化.png").is_file()
