"""Should each figure's SVG and PDF be written in another process while the notebook draws the next PNG?

02 and 03 draw their charts side by side (7 and 4 figures for a demo year, each laid out once and saved as PNG
300 dpi, SVG and PDF).  This times the two figure sets as two processes started together, as the two kernels run
them, in two ways:

* ``in-process``: each process lays a figure out and writes its three files, one after the other (what
  :func:`analysis.report.charts.save_figure` does);
* ``vector-worker``: each process lays a figure out, hands it (pickled) to a worker process of its own (forkserver,
  the charts module preloaded) for the SVG and the PDF, and draws the PNG meanwhile.

Wall time of the pair; the two ways alternate, round after round, so that the load of the shared machine hits both
alike.  The demo years are processed first (not timed).  Prints, never asserts.
Run: ``.venv/bin/python bench/bench_figure_formats.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import pickle
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from analysis import paths
from analysis.report import charts, digest, model

YEAR = 2024
WAYS = ("in-process", "vector-worker")
LABELS = {"in-process": "三种格式在本进程依次写出", "vector-worker": "SVG、PDF 交给另一进程"}


def _vector_files(blob: bytes, out_dir: str, name: str) -> None:
    fig = pickle.loads(blob)
    for fmt in ("svg", "pdf"):
        with charts.house_style():
            fig.savefig(Path(out_dir) / f"{name}.{fmt}", format=fmt, dpi=300)


def draw(which: str, way: str, processed: Path, out_dir: Path) -> None:
    """One notebook's figure set (``week`` for 02, ``trends`` for 03), written ``way``."""
    if which == "week":
        figures = digest.week_figures(model.load_week(YEAR, processed / str(YEAR)))
    else:
        figures = digest.trend_figures(model.load_trends(None, processed, year=YEAR))
    if way == "in-process":
        for name, fig in figures.items():
            charts.save_figure(fig, out_dir, name)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["analysis.report.charts"])
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        pending = []
        for name, fig in figures.items():
            charts.lay_out(fig)
            pending.append(pool.submit(_vector_files, pickle.dumps(fig), str(out_dir), name))
            with charts.house_style():
                fig.savefig(out_dir / f"{name}.png", format="png", dpi=300)
        for job in pending:
            job.result()


def pair(way: str, processed: Path, tmp: Path) -> float:
    """Both figure sets as two processes started together: the wall seconds until both are done."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen([sys.executable, __file__, "--draw", which, way, str(processed), str(tmp)])
        for which in ("week", "trends")
    ]
    if any(p.wait() for p in procs):
        raise SystemExit(f"{way}: a figure process failed")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draw", nargs=4, help=argparse.SUPPRESS)  # internal: one process of a pair
    args = parser.parse_args()
    if args.draw:
        which, way, processed, out_dir = args.draw
        draw(which, way, Path(processed), Path(out_dir))
        return
    from analysis.pipeline import process_year

    with tempfile.TemporaryDirectory(prefix="bench_figure_formats_") as name:
        tmp = Path(name)
        for year in range(2021, YEAR + 1):
            process_year(paths.DEMO.raw / str(year), tmp / "processed" / str(year), year=year, workers=1)
        results: dict[str, list[float]] = {way: [] for way in WAYS}
        for _ in range(args.repeat):
            for way in WAYS:
                out = tmp / way
                out.mkdir(exist_ok=True)
                results[way].append(pair(way, tmp / "processed", out))
    print(
        f"{YEAR}年示例数据的图表（02 的 7 张、03 的 4 张，各 PNG/SVG/PDF），两个进程同时画，交替运行 {args.repeat} 轮："
    )
    for way, runs in results.items():
        print(f"  {LABELS[way]:<22}墙钟 {'、'.join(f'{w:.1f}' for w in runs)} s")


if __name__ == "__main__":
    main()
