"""Reruns and one year's report, as processes, next to the peer (the code before reruns were skipped).

For each tree (this one, and the peer: ``git archive PEER`` unpacked into a temporary folder, run with
``PYTHONPATH`` pointing at it), on a fresh copy of the demo's raw returns and ledgers:

1. the first ``python -m analysis report --all`` (every year built);
2. the second one, nothing changed (this tree: checks the inputs and builds nothing);
3. one year's report, ``report --year YEAR`` (this tree with ``--force``, so that it is really built).

Each is timed with ``/work/shared/tools/measured.py`` (wall time including Python's start-up, peak of the summed
RSS of all its processes).  Peer and this tree run back to back, alternating, so that the load of a shared machine
hits both alike; ``--repeat`` repeats the whole round.  Prints the first lines of this tree's second run.  Never
asserts.  Run: ``.venv/bin/python bench/bench_reruns.py [--peer 4c9563a] [--year 2024] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from peer import unpack

ROOT = Path(__file__).resolve().parent.parent
MEASURED = Path("/work/shared/tools/measured.py")
DEMO = ROOT / "data" / "demo"
GOALS = {"second": 5.0, "year": 8.0}
LABELS = {"first": "首次 report --all", "second": "再次 report --all（无变化）", "year": "单个年度 report --year"}


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_mb: int
    rc: int


def measured(tree: Path, args: list[str]) -> Run:
    """One command of ``tree``'s package, as a process."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("SCITECH_WEEK_HOME", None)
    done = subprocess.run(
        [sys.executable, str(MEASURED), "--cwd", str(tree), "--", sys.executable, "-m", "analysis", *args],
        capture_output=True,
        text=True,
        env=env,
    )
    fields = dict(part.split("=") for part in done.stdout.strip().splitlines()[-1].split())
    if fields.get("rc") != "0":
        print(done.stdout[-2000:], file=sys.stderr)
    return Run(float(fields["wall_s"]), int(fields["peak_total_rss_mb"]), int(fields["rc"]))


def workspace(base: Path) -> list[str]:
    """A fresh copy of the demo's returns and ledgers; the report options that point at it."""
    shutil.copytree(DEMO / "raw", base / "raw")
    shutil.copytree(DEMO / "review", base / "review")
    return ["--raw", str(base / "raw"), "--processed", str(base / "processed"), "--reports", str(base / "reports")]


def round_of(trees: dict[str, Path], year: int, tmp: Path, index: int) -> dict[tuple[str, str], Run]:
    options = {name: workspace(tmp / f"{name}{index}") for name in trees}
    runs: dict[tuple[str, str], Run] = {}

    def run(name: str, step: str, args: list[str]) -> None:
        runs[name, step] = measured(trees[name], args)
        print(f"  第 {index + 1} 轮 {name} {LABELS[step]}：{runs[name, step].wall_s:.1f} s", flush=True)

    for step in ("first", "second"):
        for name in trees:
            run(name, step, ["report", "--all", *options[name]])
    for name in trees:
        force = ["--force"] if name == "本分支" else []
        run(name, "year", ["report", "--year", str(year), *force, *options[name]])
    if index == 0:
        env = {**os.environ, "PYTHONPATH": str(trees["本分支"])}
        again = subprocess.run(
            [sys.executable, "-m", "analysis", "report", "--all", *options["本分支"]],
            capture_output=True,
            text=True,
            env=env,
            cwd=trees["本分支"],
        )
        print("本分支再次运行（无变化）打印：\n  " + "\n  ".join(again.stdout.strip().splitlines()[:3]))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", default="4c9563a", help="the peer's commit (default 4c9563a)")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_reruns_") as name:
        tmp = Path(name)
        peer = unpack(args.peer, tmp / "peer")
        trees = {f"对照 {args.peer}": peer, "本分支": ROOT}
        rounds = [round_of(trees, args.year, tmp, i) for i in range(args.repeat)]
    print(f"示例数据 2021–2024 年；对照与本分支交替运行，共 {args.repeat} 轮；墙钟秒（峰值内存合计 MB）")
    for step, label in LABELS.items():
        goal = f"（目标 ≤ {GOALS[step]:g} s）" if step in GOALS else ""
        cells = []
        for tree in trees:
            runs = [r[tree, step] for r in rounds]
            walls = "、".join(f"{r.wall_s:.1f}" for r in runs)
            failed = "，有失败" if any(r.rc for r in runs) else ""
            cells.append(f"{tree} {walls} s（{max(r.peak_mb for r in runs)} MB{failed}）")
        print(f"  {label}{goal}：" + "；".join(cells))


if __name__ == "__main__":
    main()
