"""The report runner: execute the parameterised notebooks with papermill, year by year.

For each year: ``01`` (ingest and checks) first, then ``02`` (the week's
statistics and the Word report) and ``03`` (the multi-year view) side by side; each executed
notebook is kept under ``reports/<year>/notebooks/`` and exported to HTML
without code.  Notebooks run on a kernel registered for this very interpreter,
so papermill never picks another Python.
"""

from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from analysis import catalog
from analysis import paths
from analysis.outputs import write_text

KERNEL_NAME = "scitech-week"
KERNEL_DISPLAY = "科技活动周分析（本项目环境）"
# Batch runs: the kernel's own log (start-up warnings, "KeyboardInterrupt caught in kernel" at shutdown) is noise on
# the console; a failing cell is reported by papermill, not by this log.
QUIET = "--IPKernelApp.log_level=CRITICAL"
CLEAN_NB = "01_清洗与核查.ipynb"
SUMMARY_NB = "02_周后统计分析.ipynb"
TRENDS_NB = "03_多年趋势.ipynb"
NOTEBOOK_NAMES = (CLEAN_NB, SUMMARY_NB, TRENDS_NB)


class NotebookFailed(RuntimeError):
    """A cell of a notebook failed; the message names the notebook and the cell."""


@dataclass(frozen=True)
class YearPlan:
    year: int
    raw_dir: Path
    processed_dir: Path
    report_dir: Path
    compare_year: int | None

    def parameters(self, notebook: str) -> dict:
        """Parameters for one notebook: plain data (str, int, list), never code."""
        common = {"year": self.year}
        if notebook == CLEAN_NB:
            return {**common, "raw_dir": str(self.raw_dir), "processed_dir": str(self.processed_dir)}
        if notebook == SUMMARY_NB:
            return {**common, "processed_dir": str(self.processed_dir), "report_dir": str(self.report_dir),
                    "compare_year": self.compare_year}
        return {**common, "years": None, "processed_root": str(self.processed_dir.parent),
                "report_dir": str(self.report_dir)}


def ensure_kernel() -> str:
    """Register (or refresh) the project's kernel spec inside this environment; return its name."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and Path(spec.argv[0]).resolve() == Path(sys.executable).resolve() and QUIET in spec.argv:
            return KERNEL_NAME
    except Exception:  # not registered yet (jupyter_client raises NoSuchKernel)
        pass
    from ipykernel.kernelspec import install

    folder = Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY, prefix=sys.prefix))
    spec_file = folder / "kernel.json"
    spec_json = json.loads(spec_file.read_text(encoding="utf-8"))
    spec_json["argv"].append(QUIET)
    write_text(json.dumps(spec_json, ensure_ascii=False, indent=1), spec_file)
    found = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    if Path(found.argv[0]).resolve() != Path(sys.executable).resolve():
        raise RuntimeError(f"另有一个同名内核“{KERNEL_NAME}”（{found.resource_dir}）指向其他 Python，会被优先使用："
                           f"请运行 jupyter kernelspec remove {KERNEL_NAME} 删除它后重试。")
    return KERNEL_NAME


def plan_years(years: list[int] | None, workspace: paths.Workspace) -> list[YearPlan]:
    """One plan per year of ``workspace`` (all its years when none are given), oldest first; each compares with
    :func:`analysis.paths.comparison_year` among the workspace's raw year folders."""
    kinds = {int(p.name): paths.is_demo(p) for p in paths.year_dirs(workspace.raw)}
    chosen = sorted(set(years)) if years else sorted(kinds)
    plans = []
    for year in chosen:
        demo = paths.is_demo(workspace.raw / str(year))
        plans.append(YearPlan(year, workspace.raw / str(year), workspace.processed / str(year),
                              workspace.reports / str(year), paths.comparison_year(year, kinds, demo)))
    return plans


def ensure_compared_year(plan: YearPlan) -> None:
    """Process the comparison year first when only its raw returns exist (``report --year`` on a fresh clone)."""
    from analysis.intake.store import is_processed
    from analysis.pipeline import process_year

    if plan.compare_year is None:
        return
    processed = plan.processed_dir.parent / str(plan.compare_year)
    if not is_processed(processed):
        process_year(plan.raw_dir.parent / str(plan.compare_year), processed, year=plan.compare_year)


def run_notebook(notebook: str, plan: YearPlan, kernel: str = KERNEL_NAME, notebooks_dir: Path = paths.NOTEBOOKS) -> Path:
    """Execute one notebook for one year; export HTML without code; return the executed notebook's path."""
    import papermill as pm

    out_dir = plan.report_dir / catalog.NOTEBOOKS_FOLDER
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / notebook
    try:
        pm.execute_notebook(str(notebooks_dir / notebook), str(output), parameters=plan.parameters(notebook),
                            kernel_name=kernel, cwd=str(notebooks_dir), progress_bar=False, log_output=False)
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(f"{plan.year}年 {notebook} 代码单元 In [{exc.exec_count}] 出错：{exc.ename}: {exc.evalue}。"
                             f"已执行部分保存在 {output}，可在 JupyterLab 中打开查看。") from exc
    export_html(output, plan.report_dir / (Path(notebook).stem + ".html"))
    return output


def export_html(notebook_path: Path, target: Path) -> Path:
    """The executed notebook as HTML without code cells or prompts."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    nb = nbformat.read(notebook_path, as_version=4)
    body, _ = exporter.from_notebook_node(nb)
    return write_text(body, target)


def run_year(plan: YearPlan, announce: Callable[[str], None] | None = None) -> list[Path]:
    """01 first (it writes the processed folder), then 02 (which also writes the Word report) and 03 in parallel.

    ``announce`` receives one Chinese line per finished notebook.
    """
    kernel = ensure_kernel()

    def run(notebook: str) -> Path:
        start = time.perf_counter()
        output = run_notebook(notebook, plan, kernel)
        if announce is not None:
            announce(f"  {plan.year}年 {Path(notebook).stem}：完成（{time.perf_counter() - start:.0f} 秒）")
        return output

    done = [run(CLEAN_NB)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done += list(pool.map(run, (SUMMARY_NB, TRENDS_NB)))
    return done


def _say(line: str) -> None:
    print(line, flush=True)


def run_reports(years: list[int] | None = None, workspace: paths.Workspace | None = None) -> int:
    """Run every planned year in order, one line per notebook; return a process exit code (0 when all succeeded).

    Without a workspace: real years when ``data/raw`` has any, otherwise the bundled demo (and it says which).
    """
    if workspace is None:
        workspace = paths.default_workspace()
        _say(f"数据：{workspace.name}" + ("（data/raw 下还没有真实年度，运行自带的示例数据）" if workspace is paths.DEMO else ""))
    os.environ[paths.HOME_VARIABLE] = str(paths.ROOT)  # the notebooks' kernels see the same project folder
    plans = plan_years(years, workspace)
    if not plans:
        print(f"没有找到年度文件夹：{workspace.raw}/<年份>/", file=sys.stderr)
        return 2
    failed = 0
    for plan in plans:
        if not plan.raw_dir.is_dir():
            print(f"{plan.year}年：报送文件夹不存在：{plan.raw_dir}", file=sys.stderr)
            failed += 1
            continue
        try:
            ensure_compared_year(plan)
            run_year(plan, _say)
        except NotebookFailed as exc:
            failed += 1
            print(f"错误：{exc}", file=sys.stderr)
            continue
        except Exception as exc:  # noqa: BLE001 - one broken year (kernel died, disk full …) must not stop the rest
            failed += 1
            print(f"错误：{plan.year}年报告未完成（{type(exc).__name__}: {exc}）。", file=sys.stderr)
            continue
        _say(f"{plan.year}年报告已生成：{plan.report_dir / catalog.word_report(plan.year)}")
    return 1 if failed else 0
