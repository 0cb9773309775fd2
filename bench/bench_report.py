"""One year's report as the user runs it, ``python -m analysis report --year YEAR``, and where its time goes.

Copies two demo years to a temporary folder, processes the comparison year (not timed), then times the whole
command as a process with ``/work/shared/tools/measured.py`` (start-up included; wall time and the peak of the
summed RSS of all its processes).  The split comes from the executed notebooks: papermill records each cell's
duration, so per notebook

* kernel start = the notebook's duration minus the sum of its cells' durations (starting the kernel, connecting);
* figures = the cells that draw and save the charts (``show_figures``: PNG 300 dpi, SVG, PDF);
* execution = the other cells (reading the processed tables, statistics, tables, exports);
* HTML export = ``runner.export_html`` of the executed notebook, timed again here (after one untimed export that
  pays for importing nbconvert and loading its templates).

02 and 03 run side by side, so the notebooks' sum exceeds the wall time.  Prints, never asserts.
Run: ``.venv/bin/python bench/bench_report.py [YEAR]``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from analysis import paths
from analysis.pipeline import process_year
from analysis.report import runner

ROOT = Path(__file__).resolve().parent.parent
MEASURED = Path("/work/shared/tools/measured.py")
GOAL_S = 15.0


@dataclass(frozen=True)
class Split:
    """Where one notebook's time went (seconds)."""

    notebook: str
    kernel: float
    execution: float
    figures: float
    html: float


def split(executed: Path) -> Split:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    total = nb["metadata"]["papermill"]["duration"]
    cells = [
        (("show_figures" in "".join(c["source"])), c["metadata"].get("papermill", {}).get("duration") or 0.0)
        for c in nb["cells"]
        if c["cell_type"] == "code"
    ]
    figures = sum(d for is_figure, d in cells if is_figure)
    execution = sum(d for is_figure, d in cells if not is_figure)
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        runner.export_html(executed, Path(tmp) / "x.html")
    return Split(executed.name, total - figures - execution, execution, figures, time.perf_counter() - start)


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2023
    with tempfile.TemporaryDirectory(prefix="bench_report_") as tmp:
        base = Path(tmp)
        for y in (year - 1, year):
            shutil.copytree(paths.DEMO.raw / str(y), base / "raw" / str(y))
        process_year(base / "raw" / str(year - 1), base / "processed" / str(year - 1), year=year - 1)
        runner.ensure_kernel()
        cmd = [
            sys.executable,
            "-m",
            "analysis",
            "report",
            "--year",
            str(year),
            "--raw",
            str(base / "raw"),
            "--processed",
            str(base / "processed"),
            "--reports",
            str(base / "reports"),
        ]
        done = subprocess.run(
            [sys.executable, str(MEASURED), "--cwd", str(ROOT), "--", *cmd], capture_output=True, text=True
        )
        fields = dict(part.split("=") for part in done.stdout.strip().splitlines()[-1].split())
        if fields.get("rc") != "0":
            raise SystemExit(done.stdout[-3000:])
        report_dir = base / "reports" / str(year)
        runner.export_html(report_dir / "notebooks" / runner.CLEAN_NB, base / "warm.html")  # imports, templates
        splits = [split(report_dir / "notebooks" / name) for name in runner.NOTEBOOK_NAMES]
        figures = len(list((report_dir / "figures").glob("*.png")))
    print(
        f"python -m analysis report --year {year}（示例数据，整个进程含启动）：墙钟 {float(fields['wall_s']):.2f} s"
        f"（目标 ≤ {GOAL_S:g} s），峰值内存合计 {fields['peak_total_rss_mb']} MB；图表 {figures} 张 × PNG/SVG/PDF"
    )
    print(f"  {'笔记本':<22}{'内核启动':>8}{'执行':>8}{'图表':>8}{'HTML导出':>10}   （秒；02、03 并行）")
    for s in splits:
        print(f"  {s.notebook:<22}{s.kernel:8.2f}{s.execution:8.2f}{s.figures:8.2f}{s.html:10.2f}")
    print(
        f"  {'合计':<22}{sum(s.kernel for s in splits):8.2f}{sum(s.execution for s in splits):8.2f}"
        f"{sum(s.figures for s in splits):8.2f}{sum(s.html for s in splits):10.2f}"
    )


if __name__ == "__main__":
    main()
