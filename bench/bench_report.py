"""One year's report as the user runs it, ``python -m analysis report --year YEAR``, next to the peer, and where
its time goes.

For each tree (this one, and the peer: ``git archive PEER`` unpacked into a temporary folder and run with
``PYTHONPATH`` pointing at it), in a workspace of its own holding two demo years: the comparison year is processed
first (by that tree, not timed), then the year's report is built from scratch and timed as a process with
``/work/shared/tools/measured.py`` (start-up included; wall time and the peak of the summed RSS of all its
processes).  Peer and this tree alternate, round after round, so that the load of the shared machine hits both
alike.

The split of this tree's last run comes from the executed notebooks (papermill records each notebook's start and end
and each cell's duration):

* before 01 = from the command's start until 01's first cell (Python's start-up, the decision what to rebuild,
  starting the kernels and loading the notebooks' imports into them);
* per notebook: execution (cells other than the figures) and figures (the cells that lay the charts out and save
  them as PNG 300 dpi, SVG and PDF);
* after = from the last notebook's end until the command ends (the last HTML export, the build record, stopping
  the kernels).

02 and 03 run side by side.  Prints, never asserts.
Run: ``.venv/bin/python bench/bench_report.py [--peer 181025a] [--year 2024] [--repeat 2]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from peer import unpack

ROOT = Path(__file__).resolve().parent.parent
MEASURED = Path("/work/shared/tools/measured.py")
DEMO_RAW = ROOT / "data" / "demo" / "raw"
GOAL_S = 8.0
THIS = "本分支"
NOTEBOOKS = ("01_清洗与核查.ipynb", "02_周后统计分析.ipynb", "03_多年趋势.ipynb")


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_mb: int
    rc: int
    started: float  # epoch seconds, just before the command was launched


@dataclass(frozen=True)
class NotebookTimes:
    notebook: str
    start: float  # epoch seconds
    end: float
    execution: float
    figures: float


def _env(tree: Path) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("SCITECH_WEEK_HOME", None)
    return env


def prepare(tree: Path, base: Path, year: int) -> list[str]:
    """A workspace with the demo's ``year - 1`` and ``year``, the comparison year processed by ``tree``; return the
    report options that point at it."""
    for y in (year - 1, year):
        shutil.copytree(DEMO_RAW / str(y), base / "raw" / str(y))
    previous = str(year - 1)
    subprocess.run(
        [sys.executable, "-m", "analysis", "ingest", str(base / "raw" / previous)]
        + ["--out", str(base / "processed" / previous), "--year", previous],
        env=_env(tree),
        cwd=tree,
        capture_output=True,
        check=True,
    )
    return ["--raw", str(base / "raw"), "--processed", str(base / "processed"), "--reports", str(base / "reports")]


def timed(tree: Path, base: Path, year: int, options: list[str]) -> Run:
    """Build ``year``'s report from scratch (its processed and report folders removed first)."""
    for folder in (base / "processed" / str(year), base / "reports" / str(year)):
        shutil.rmtree(folder, ignore_errors=True)
    cmd = [sys.executable, "-m", "analysis", "report", "--year", str(year), *options]
    started = time.time()
    done = subprocess.run(
        [sys.executable, str(MEASURED), "--cwd", str(tree), "--", *cmd], capture_output=True, text=True, env=_env(tree)
    )
    fields = dict(part.split("=") for part in done.stdout.strip().splitlines()[-1].split())
    if fields.get("rc") != "0":
        print(done.stdout[-2000:], file=sys.stderr)
    return Run(float(fields["wall_s"]), int(fields["peak_total_rss_mb"]), int(fields["rc"]), started)


def _epoch(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def notebook_times(executed: Path) -> NotebookTimes:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    meta = nb["metadata"]["papermill"]
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    duration = [(c["metadata"].get("papermill", {}).get("duration") or 0.0) for c in code]
    figure = ["show_figures" in "".join(c["source"]) for c in code]
    return NotebookTimes(
        executed.name,
        _epoch(meta["start_time"]),
        _epoch(meta["end_time"]),
        sum(d for d, f in zip(duration, figure) if not f),
        sum(d for d, f in zip(duration, figure) if f),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", default="181025a", help="the peer's commit (default 181025a)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    peer_name = f"对照 {args.peer}"
    with tempfile.TemporaryDirectory(prefix="bench_report_") as name:
        tmp = Path(name)
        peer = unpack(args.peer, tmp / "peer")
        trees = {peer_name: peer, THIS: ROOT}
        options = {tree: prepare(path, tmp / f"w{i}", args.year) for i, (tree, path) in enumerate(trees.items())}
        runs: dict[str, list[Run]] = {tree: [] for tree in trees}
        for index in range(args.repeat):
            for i, (tree, path) in enumerate(trees.items()):
                runs[tree].append(timed(path, tmp / f"w{i}", args.year, options[tree]))
                print(f"  第 {index + 1} 轮 {tree}：{runs[tree][-1].wall_s:.1f} s", flush=True)
        executed = tmp / f"w{list(trees).index(THIS)}" / "reports" / str(args.year) / "notebooks"
        times = [notebook_times(executed / nb) for nb in NOTEBOOKS]
        figures = len(list(executed.parent.joinpath("figures").glob("*.png")))
    last = runs[THIS][-1]
    print(
        f"python -m analysis report --year {args.year}（示例数据，从零生成，整个进程含启动）；"
        f"对照与本分支交替运行，共 {args.repeat} 轮；墙钟秒（峰值内存合计 MB）；目标 ≤ {GOAL_S:g} s"
    )
    for tree, done in runs.items():
        failed = "，有失败" if any(r.rc for r in done) else ""
        walls = "、".join(f"{r.wall_s:.1f}" for r in done)
        print(f"  {tree}：{walls} s（{max(r.peak_mb for r in done)} MB{failed}）")
    print(f"本分支最后一轮的时间分布（秒；图表 {figures} 张 × PNG/SVG/PDF；02、03 并行）：")
    print(f"  01 开始前（启动、判断、启动内核并载入模块）{times[0].start - last.started:6.2f}")
    for t in times:
        print(
            f"  {t.notebook:<20}{t.start - last.started:6.2f} → {t.end - last.started:6.2f}"
            f"   执行 {t.execution:5.2f}   图表 {t.figures:5.2f}"
        )
    print(
        f"  最后一个笔记本结束后（HTML 导出、构建记录、关闭内核）{last.wall_s - (max(t.end for t in times) - last.started):6.2f}"
    )


if __name__ == "__main__":
    main()
