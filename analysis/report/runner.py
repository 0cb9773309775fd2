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
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import catalog, paths
from analysis.outputs import write_text
from analysis.report import rebuilds

if TYPE_CHECKING:
    from concurrent.futures import Future

    from jupyter_client.manager import AsyncKernelManager
    from nbconvert import HTMLExporter

# jsonschema (under nbformat, which papermill and nbconvert read notebooks with) imports rfc3987_syntax when it is
# installed, and that module compiles a grammar on import: 2 s of every report run before any notebook starts
# (python-jsonschema/jsonschema#1392, #1521).  Notebooks never check IRI formats, so the runner goes without it.
sys.modules.setdefault("rfc3987_syntax", None)

KERNEL_NAME = "scitech-week"
KERNEL_DISPLAY = "科技活动周分析（本项目环境）"
# Batch runs: the kernel's own log (start-up warnings, "KeyboardInterrupt caught in kernel" at shutdown) is noise on
# the console; a failing cell is reported by papermill, not by this log.
QUIET = "--IPKernelApp.log_level=CRITICAL"
CLEAN_NB = "01_清洗与核查.ipynb"
SUMMARY_NB = "02_周后统计分析.ipynb"
TRENDS_NB = "03_多年趋势.ipynb"
NOTEBOOK_NAMES = (CLEAN_NB, SUMMARY_NB, TRENDS_NB)
HTML_TEMPLATE = Path(__file__).resolve().parent / "html_template" / "scitech"  # JupyterLab's, with Chinese alt texts
# What each lane's notebooks import, loaded into its kernel as soon as it starts (the second lane's while the first
# runs 01): the namespace is cleared before every notebook, the loaded modules stay.
TRENDS_IMPORTS = "import analysis.report.digest, analysis.report.display\nanalysis.report.fonts.setup_fonts()\n"
CLEAN_IMPORTS = "import analysis.pipeline, analysis.report.tables, analysis.report.word_report\n" + TRENDS_IMPORTS


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
            return {
                **common,
                "processed_dir": str(self.processed_dir),
                "report_dir": str(self.report_dir),
                "compare_year": self.compare_year,
            }
        return {
            **common,
            "years": None,
            "processed_root": str(self.processed_dir.parent),
            "report_dir": str(self.report_dir),
        }


@cache
def ensure_kernel() -> str:
    """Register (or refresh) the project's kernel spec inside this environment, once per process; return its name."""
    from jupyter_client.kernelspec import KernelSpecManager

    try:
        spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
        if spec.argv and Path(spec.argv[0]).resolve() == Path(sys.executable).resolve() and QUIET in spec.argv:
            return KERNEL_NAME
    except Exception:  # noqa: BLE001 - not registered yet (jupyter_client raises NoSuchKernel)
        pass
    from ipykernel.kernelspec import install

    folder = Path(install(kernel_name=KERNEL_NAME, display_name=KERNEL_DISPLAY, prefix=sys.prefix))
    spec_file = folder / "kernel.json"
    spec_json = json.loads(spec_file.read_text(encoding="utf-8"))
    spec_json["argv"].append(QUIET)
    write_text(json.dumps(spec_json, ensure_ascii=False, indent=1), spec_file)
    found = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    if Path(found.argv[0]).resolve() != Path(sys.executable).resolve():
        raise RuntimeError(
            f"另有一个同名内核“{KERNEL_NAME}”（{found.resource_dir}）指向其他 Python，会被优先使用："
            f"请运行 jupyter kernelspec remove {KERNEL_NAME} 删除它后重试。"
        )
    return KERNEL_NAME


def plan_years(years: list[int] | None, workspace: paths.Workspace) -> list[YearPlan]:
    """One plan per year of ``workspace`` (all its years when none are given), oldest first; each compares with
    :func:`analysis.paths.comparison_year` among the workspace's raw year folders."""
    kinds = {int(p.name): paths.is_demo(p) for p in paths.year_dirs(workspace.raw)}
    chosen = sorted(set(years)) if years else sorted(kinds)
    plans = []
    for year in chosen:
        demo = paths.is_demo(workspace.raw / str(year))
        plans.append(
            YearPlan(
                year,
                workspace.raw / str(year),
                workspace.processed / str(year),
                workspace.reports / str(year),
                paths.comparison_year(year, kinds, demo),
            )
        )
    return plans


def ensure_compared_year(plan: YearPlan) -> None:
    """Process the comparison year first when only its raw returns exist (``report --year`` on a fresh clone)."""
    if plan.compare_year is None:
        return
    processed = plan.processed_dir.parent / str(plan.compare_year)
    if not catalog.is_processed(processed):
        from analysis.pipeline import process_year  # pandas and the readers: loaded only when there is work

        process_year(plan.raw_dir.parent / str(plan.compare_year), processed, year=plan.compare_year)


def execute_notebook(
    notebook: str,
    plan: YearPlan,
    kernel: str = KERNEL_NAME,
    notebooks_dir: Path = paths.NOTEBOOKS,
    lane: KernelLane | None = None,
) -> Path:
    """Execute one notebook for one year with papermill; return the executed notebook's path
    (``reports/<year>/notebooks/<notebook>``)."""
    import papermill as pm

    out_dir = plan.report_dir / catalog.NOTEBOOKS_FOLDER
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / notebook
    reused = {} if lane is None else {"km": lane.manager(out_dir)}
    try:
        pm.execute_notebook(
            str(notebooks_dir / notebook),
            str(output),
            parameters=plan.parameters(notebook),
            kernel_name=kernel,
            cwd=str(out_dir),
            progress_bar=False,
            log_output=False,
            **reused,
        )
    except pm.PapermillExecutionError as exc:
        raise NotebookFailed(
            f"{plan.year}年 {notebook} 代码单元 In [{exc.exec_count}] 出错：{exc.ename}: {exc.evalue}。"
            f"已执行部分保存在 {output}，可在 JupyterLab 中打开查看。"
        ) from exc
    return output


def html_path(plan: YearPlan, notebook: str) -> Path:
    """Where the notebook's HTML export goes: ``reports/<year>/<notebook stem>.html``."""
    return plan.report_dir / (Path(notebook).stem + ".html")


# Run on a reused kernel before each notebook: a clean namespace and cells numbered from 1, as in a new kernel.  The
# namespace is ``__main__``'s: its own dunder names (``__spec__``, which multiprocessing reads to start the readers'
# workers) are put back.
_RESET = """
def _reset(main=__import__("sys").modules["__main__"], shell=get_ipython()):
    kept = {k: v for k, v in vars(main).items() if k.startswith("__") and k.endswith("__")}
    shell.reset(new_session=True)
    for k, v in kept.items():
        vars(main).setdefault(k, v)
_reset()
"""


class KernelLane:
    """A kernel of the project's spec started once and reused notebook after notebook, year after year (starting a
    kernel and importing pandas and matplotlib into it is a large part of a notebook's time).  Each notebook
    starts on a clean namespace; a kernel that died is replaced by a new one.

    :meth:`warm_up` starts the kernel and loads the notebooks' imports in the background, so that a lane waiting for
    01 to finish is ready when its notebook comes."""

    def __init__(self, kernel: str = KERNEL_NAME) -> None:
        self.kernel = kernel
        self.km: AsyncKernelManager | None = None
        self.used = False
        self._warming: threading.Thread | None = None

    def warm_up(self, code: str) -> None:
        """Start the kernel and run ``code`` in it, in a background thread; the next :meth:`manager` waits for it
        (and moves the kernel to the notebook's folder).  A warm-up that fails leaves the lane as if it had not been
        tried (the notebook reports the problem)."""
        from jupyter_core.utils import run_sync

        def warm() -> None:
            try:
                self._manager(Path.cwd())
                run_sync(self._execute)(code)
            except Exception:  # noqa: BLE001 - the notebook that follows starts or restarts the kernel itself
                self.close()

        self._warming = threading.Thread(target=warm, name=f"warm-up {self.kernel}", daemon=True)
        self._warming.start()

    def manager(self, cwd: Path) -> AsyncKernelManager:
        """The kernel's manager, ready for the next notebook, working in ``cwd`` (the executed notebook's folder, which
        its relative links are written for)."""
        if self._warming is not None:
            self._warming.join()
            self._warming = None
        return self._manager(cwd)

    def _manager(self, cwd: Path) -> AsyncKernelManager:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.km is not None and not run_sync(self.km.is_alive)():
            self.close()
        if self.km is None:
            self.km = AsyncKernelManager(kernel_name=self.kernel)
            run_sync(self.km.start_kernel)(cwd=str(cwd))
        elif self.used:
            run_sync(self._execute)(_RESET + f"__import__('os').chdir({str(cwd)!r})\n")
        self.used = True
        return self.km

    async def _execute(self, code: str, timeout: float = 120) -> None:
        """Run ``code`` silently and wait for its reply; a kernel that dies meanwhile ends the wait at once."""
        import queue

        client = self.km.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            msg_id = client.execute(code, silent=True, store_history=False)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                try:
                    reply = await client.get_shell_msg(timeout=0.5)
                except queue.Empty:
                    if not await self.km.is_alive():
                        raise RuntimeError("内核已退出") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    return
            raise TimeoutError(f"内核 {timeout:.0f} 秒内没有执行完毕")
        finally:
            client.stop_channels()

    def close(self) -> None:
        """Stop the kernel (after its warm-up, when one is running: a kernel being started is stopped too)."""
        from jupyter_core.utils import run_sync

        warming, self._warming = self._warming, None
        if warming is not None and warming is not threading.current_thread():
            warming.join()
        if self.km is not None:
            km, self.km, self.used = self.km, None, False
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # noqa: BLE001 - a kernel that died is gone already: nothing left to stop
                pass


@cache
def _html_exporter() -> HTMLExporter:
    """One exporter per process (building one compiles its templates: about 0.3 s)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name=HTML_TEMPLATE.name,
        extra_template_basedirs=[str(HTML_TEMPLATE.parent)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def export_html(notebook_path: Path, target: Path, year: int | None = None) -> Path:
    """The executed notebook as HTML without code cells or prompts, titled with the notebook's own title and the
    year; its relative links (written for the notebook's folder) rewritten for the HTML's folder."""
    import nbformat

    from analysis.report.display import page_title, rebase_links

    nb = nbformat.read(notebook_path, as_version=4)
    nb.metadata["title"] = page_title(nb.cells, year)
    body, _ = _html_exporter().from_notebook_node(nb)
    return write_text(rebase_links(body, Path(notebook_path).parent, Path(target).parent), target)


def run_year(
    plan: YearPlan, announce: Callable[[str], None] | None = None, lanes: tuple[KernelLane, KernelLane] | None = None
) -> list[Path]:
    """01 first (it writes the processed folder), then 02 (which also writes the Word report) on the same kernel
    and 03 on the other, in parallel.  Two kernels in all: ``lanes`` (reused across years) or two of its own,
    warmed up at once.  Each notebook's HTML export runs in this process while the kernels go on.

    ``announce`` receives one Chinese line per finished notebook.
    """
    kernel = ensure_kernel()
    own = lanes is None
    first, second = lanes or _warm_lanes(kernel)
    exports: list[Future] = []

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="html") as html:

        def run(notebook: str, lane: KernelLane) -> Path:
            start = time.perf_counter()
            output = execute_notebook(notebook, plan, kernel, lane=lane)
            exports.append(html.submit(export_html, output, html_path(plan, notebook), plan.year))
            if announce is not None:
                announce(f"  {plan.year}年 {Path(notebook).stem}：完成（{time.perf_counter() - start:.0f} 秒）")
            return output

        try:
            done = [run(CLEAN_NB, first)]
            with ThreadPoolExecutor(max_workers=2) as pool:
                done += list(pool.map(run, (SUMMARY_NB, TRENDS_NB), (first, second)))
        finally:
            if own:
                first.close()
                second.close()
        for export in exports:
            export.result()
    return done


def _warm_lanes(kernel: str) -> tuple[KernelLane, KernelLane]:
    """Two lanes, started and warmed up at once: the first for 01 and 02, the second for 03."""
    first, second = KernelLane(kernel), KernelLane(kernel)
    first.warm_up(CLEAN_IMPORTS)
    second.warm_up(TRENDS_IMPORTS)
    return first, second


def _say(line: str) -> None:
    print(line, flush=True)


def run_reports(years: list[int] | None = None, workspace: paths.Workspace | None = None, force: bool = False) -> int:
    """Run every planned year whose inputs changed since its last build (every one with ``force``), in order, one
    line per notebook; return a process exit code (0 when all succeeded).

    The first lines say which years are rebuilt and why (:mod:`analysis.report.rebuilds`).  Without a workspace:
    real years when ``data/raw`` has any, otherwise the bundled demo (and it says which).
    """
    if workspace is None:
        workspace = paths.default_workspace()
        _say(
            f"数据：{workspace.name}"
            + ("。data/raw 下还没有真实年度，运行自带的示例数据。" if workspace is paths.DEMO else "")
        )
    plans = plan_years(years, workspace)
    if not plans:
        print(f"没有找到年度文件夹：{workspace.raw}/<年份>/", file=sys.stderr)
        return 2
    inputs = rebuilds.workspace_inputs(workspace, rebuilds.SharedInputs.read())
    known = [p for p in plans if p.year in inputs]
    decisions = {d.year: d for d in rebuilds.decide({p.year: p.report_dir for p in known}, inputs, force)}
    for line in rebuilds.announcement(list(decisions.values())):
        _say(line)
    chosen = [p for p in plans if p.year not in decisions or decisions[p.year].rebuild]
    return _build(chosen, inputs) if chosen else 0


def _build(plans: list[YearPlan], inputs: dict[int, rebuilds.YearInputs]) -> int:
    """Build the years on two kernels, recording each success (and forgetting each failure) for the next run."""
    os.environ[paths.HOME_VARIABLE] = str(paths.ROOT)  # the notebooks' kernels see the same project folder
    lanes = _warm_lanes(ensure_kernel())
    try:
        return _build_years(plans, inputs, lanes)
    finally:
        for lane in lanes:
            lane.close()


def _build_years(
    plans: list[YearPlan], inputs: dict[int, rebuilds.YearInputs], lanes: tuple[KernelLane, KernelLane]
) -> int:
    failed = 0
    for plan in plans:
        if not plan.raw_dir.is_dir():
            print(f"{plan.year}年：报送文件夹不存在：{plan.raw_dir}", file=sys.stderr)
            failed += 1
            continue
        rebuilds.forget(plan.report_dir)
        try:
            ensure_compared_year(plan)
            run_year(plan, _say, lanes)
        except NotebookFailed as exc:
            failed += 1
            print(f"错误：{exc}", file=sys.stderr)
            continue
        except Exception as exc:  # noqa: BLE001 - one broken year (kernel died, disk full …) must not stop the rest
            failed += 1
            print(f"错误：{plan.year}年报告未完成（{type(exc).__name__}: {exc}）。", file=sys.stderr)
            continue
        rebuilds.write_record(
            plan.report_dir, inputs[plan.year], rebuilds.built_files([plan.report_dir, plan.processed_dir])
        )
        _say(f"{plan.year}年报告已生成：{plan.report_dir / catalog.word_report(plan.year)}")
    return 1 if failed else 0
