"""Benchmark: wall time of one year's report (all notebooks, figures, exports) on the demo returns.

Prints, never asserts.  Goal from the report issue: ≤ 15 s per year after set-up on a 2-core machine.
Run: .venv/bin/python bench/bench_report.py [YEAR]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from analysis import paths

from analysis.report import runner as report
from analysis.pipeline import process_year


def main() -> None:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2023
    seconds: dict[str, float] = {}
    run_notebook = report.run_notebook

    def timed(notebook, plan, *args, **kwargs):
        t0 = time.perf_counter()
        try:
            return run_notebook(notebook, plan, *args, **kwargs)
        finally:
            seconds[notebook] = time.perf_counter() - t0

    report.run_notebook = timed
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for y in (year - 1, year):
            shutil.copytree(paths.DEMO.raw / str(y), base / "raw" / str(y))
        plans = report.plan_years([year - 1, year], paths.Workspace("基准", base / "raw", base / "processed",
                                                                     base / "review", base / "reports"))
        process_year(plans[0].raw_dir, plans[0].processed_dir, year=year - 1)  # the comparison year, not timed
        report.ensure_kernel()
        start = time.perf_counter()
        report.run_year(plans[1])
        total = time.perf_counter() - start
        figures = len(list((plans[1].report_dir / "figures").glob("*.png")))
    print(f"一年报告（{year}年，示例数据，2 核）：")
    for name, value in seconds.items():
        print(f"  {name:<20} {value:6.2f} s")
    print(f"  合计（02、03 并行）     {total:6.2f} s   目标 ≤ 15 s；图表 {figures} 张 × PNG/SVG/PDF")


if __name__ == "__main__":
    main()
