"""Reruns: a year is rebuilt only when one of its inputs (or an earlier year's) changed, or its outputs are gone."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import paths
from analysis.report import rebuilds, runner
from analysis.review.ledger_file import ledger_path


@pytest.fixture
def workspace(tmp_path) -> paths.Workspace:
    """Three demo years (2021–2023) with a few raw files each, and a real year 2025."""
    raw = tmp_path / "data" / "raw"
    for year in (2021, 2022, 2023, 2025):
        folder = raw / str(year) / "随县"
        folder.mkdir(parents=True)
        (folder / "统计表.csv").write_text(f"项目,数值\n举办科普活动次数,{year - 2000}\n", encoding="utf-8")
        if year != 2025:
            (raw / str(year) / paths.DEMO_MARKER).write_text("示例", encoding="utf-8")
    (tmp_path / "data" / "review").mkdir()
    return paths.Workspace(
        "测试", raw, tmp_path / "data" / "processed", tmp_path / "data" / "review", tmp_path / "reports"
    )


@pytest.fixture
def reference(tmp_path) -> Path:
    folder = tmp_path / "reference"
    (folder / "history").mkdir(parents=True)
    (folder / "units.csv").write_text("name,kind,aliases,since,until\n随县,county,,,\n", encoding="utf-8")
    (folder / "weeks.csv").write_text("year,start,end,deadline\n", encoding="utf-8")
    (folder / "history.csv").write_text("year,field,total\n2020,events_held,100\n", encoding="utf-8")
    (folder / "report_template.docx").write_bytes(b"PK template")
    return folder


def _inputs(workspace, reference) -> dict[int, rebuilds.YearInputs]:
    return rebuilds.workspace_inputs(workspace, rebuilds.SharedInputs.read(reference, paths.NOTEBOOKS))


def _built(workspace, reference, years=(2021, 2022, 2023, 2025)) -> None:
    """Pretend each year was built: one output file per folder, and the record."""
    inputs = _inputs(workspace, reference)
    for year in years:
        report_dir, processed = workspace.reports / str(year), workspace.processed / str(year)
        for folder in (report_dir, processed):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "out.txt").write_text("x", encoding="utf-8")
        rebuilds.write_record(report_dir, inputs[year], rebuilds.built_files([report_dir, processed]))


def _decisions(workspace, reference, force=False) -> dict[int, list[str]]:
    inputs = _inputs(workspace, reference)
    dirs = {y: workspace.reports / str(y) for y in inputs}
    return {d.year: d.reasons for d in rebuilds.decide(dirs, inputs, force)}


def test_nothing_built_yet_builds_every_year(workspace, reference):
    assert _decisions(workspace, reference) == {
        y: ["尚无构建记录（首次生成，或上次未完成）"] for y in (2021, 2022, 2023, 2025)
    }


def test_unchanged_inputs_rebuild_nothing_and_say_so(workspace, reference):
    _built(workspace, reference)
    decisions = _decisions(workspace, reference)
    assert decisions == {2021: [], 2022: [], 2023: [], 2025: []}
    lines = rebuilds.announcement(
        rebuilds.decide({y: workspace.reports / str(y) for y in decisions}, _inputs(workspace, reference))
    )
    assert lines == [
        "输入均未变化，2021、2022、2023、2025年报告已是最新，未重新生成"
        "（如需全部重新生成：python -m analysis report --all --force）。"
    ]


def test_a_changed_return_rebuilds_its_year_and_the_later_years_of_its_kind(workspace, reference):
    _built(workspace, reference)
    form = workspace.raw / "2022" / "随县" / "统计表.csv"
    stat = form.stat()
    form.write_text("项目,数值\n举办科普活动次数,23\n", encoding="utf-8")  # same size, same time: content counts
    os.utime(form, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert form.stat().st_size == stat.st_size
    assert _decisions(workspace, reference) == {
        2021: [],
        2022: ["报送文件有变化（修改 1 个）"],
        2023: ["此前年度 2022年 有变化"],
        2025: [],
    }


def test_added_and_removed_files_and_the_ledger_count(workspace, reference):
    _built(workspace, reference)
    (workspace.raw / "2023" / "随县" / "总结.docx").write_bytes(b"new")
    (workspace.raw / "2021" / "随县" / "统计表.csv").unlink()
    (workspace.review / "2021.xlsx").write_bytes(b"ledger")
    assert _decisions(workspace, reference) == {
        2021: ["报送文件有变化（删除 1 个）", "核实台账有变化（新增 1 个）"],
        2022: ["此前年度 2021年 有变化"],
        2023: ["报送文件有变化（新增 1 个）", "此前年度 2021年 有变化"],
        2025: [],
    }


def test_a_files_date_counts_as_its_received_date(workspace, reference):
    _built(workspace, reference)
    form = workspace.raw / "2025" / "随县" / "统计表.csv"
    os.utime(form, (form.stat().st_atime, form.stat().st_mtime - 3 * 86400))
    assert _decisions(workspace, reference)[2025] == ["报送文件有变化（修改 1 个）"]


def test_shared_inputs_rebuild_every_year_but_history_only_real_ones(workspace, reference):
    _built(workspace, reference)
    (reference / "history" / "2019年全市汇总表.xlsx").write_bytes(b"past")
    assert _decisions(workspace, reference) == {2021: [], 2022: [], 2023: [], 2025: ["历年上报数有变化（新增 1 个）"]}
    (reference / "units.csv").write_text("name,kind,aliases,since,until\n广水市,county,,,\n", encoding="utf-8")
    assert {y: r[0] for y, r in _decisions(workspace, reference).items()} == {
        y: "单位名录有变化（修改 1 个）" for y in (2021, 2022, 2023, 2025)
    }


def test_a_missing_output_rebuilds_that_year_only(workspace, reference):
    _built(workspace, reference)
    (workspace.processed / "2022" / "out.txt").unlink()
    assert _decisions(workspace, reference) == {
        2021: [],
        2022: ["上次生成的文件缺失 1 个（如 out.txt）"],
        2023: [],
        2025: [],
    }


def test_force_rebuilds_everything(workspace, reference):
    _built(workspace, reference)
    assert _decisions(workspace, reference, force=True) == {
        y: ["按 --force 要求全部重新生成"] for y in (2021, 2022, 2023, 2025)
    }


def test_a_record_of_another_format_or_broken_is_no_record(workspace, reference):
    _built(workspace, reference)
    (workspace.reports / "2021" / rebuilds.RECORD).write_text("{", encoding="utf-8")
    assert _decisions(workspace, reference)[2021] == ["尚无构建记录（首次生成，或上次未完成）"]


def test_the_ledger_is_where_ingest_looks_for_it(workspace):
    raw = workspace.raw / "2023"
    assert rebuilds.ledger_files(raw, 2023)[0] == ledger_path(raw, 2023)


def test_run_reports_builds_changed_years_and_records_only_successes(workspace, monkeypatch, capsys):
    built: list[int] = []
    failing = [2023]  # fails the first time only

    def run_year(plan, announce=None, lanes=None):
        built.append(plan.year)
        if plan.year in failing:
            failing.remove(plan.year)
            raise runner.NotebookFailed("2023年 笔记本出错")
        for folder in (plan.report_dir, plan.processed_dir):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "out.txt").write_text("x", encoding="utf-8")

    monkeypatch.setattr(runner, "run_year", run_year)
    monkeypatch.setattr(runner, "ensure_compared_year", lambda plan: None)
    assert runner.run_reports(None, workspace) == 1
    assert built == [2021, 2022, 2023, 2025]
    assert capsys.readouterr().out.splitlines()[0] == "重新生成：2021、2022、2023、2025年。"
    built.clear()
    assert runner.run_reports(None, workspace) == 0  # only the failed year again
    assert built == [2023]
    assert capsys.readouterr().out.splitlines()[:2] == [
        "重新生成：2023年；未变化、不重新生成：2021、2022、2025年。",
        "  2023年：尚无构建记录（首次生成，或上次未完成）",
    ]
    built.clear()
    assert runner.run_reports(None, workspace) == 0
    assert built == []
    assert capsys.readouterr().out.startswith("输入均未变化，2021、2022、2023、2025年报告已是最新")
    assert runner.run_reports([2022], workspace, force=True) == 0
    assert built == [2022]


def test_deciding_loads_no_heavy_library():
    """The check of a rerun with nothing changed must stay cheap: no pandas, matplotlib or papermill."""
    code = (
        "import sys; from analysis import cli; from analysis.report import runner, rebuilds; import analysis.form; "
        "rebuilds.workspace_inputs(runner.paths.DEMO, rebuilds.SharedInputs.read()); "
        "print(sorted(m for m in ('pandas', 'matplotlib', 'papermill', 'numpy') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(paths.ROOT)},
    )
    assert done.stdout.strip() == "[]"
