"""Ingest speed: the project's reader against a plain pandas/openpyxl loop (issue 2, "Speed").

Generates 1,000 vertical-template .xlsx forms and 300 .docx forms in a
temporary folder (one template each, written once with the test builders; the
numbers and the unit are then patched into the sheet/document XML, so
generating is cheap), and prints:

* ms per .xlsx form for ``analysis.intake.ingest.ingest`` on one core and on all cores;
* ms per .docx form on one core;
* ms per form for ``pandas.read_excel(engine="openpyxl", header=None)`` plus a
  label lookup (row whose column A or B is the label → column C) on a subset;
* the speed-up, the share of forms read back exactly, and peak memory.

Each figure is the best of ``--repeat`` runs (default 3), to damp the noise of a shared machine.

It prints, it never asserts.  Run: ``make bench`` or ``.venv/bin/python bench/bench_ingest.py``.

pandas, the test builders and the pipeline are imported inside the functions: the reader processes are new
interpreters, and each runs the top level of the script that started them again (Python's ``spawn``), so a
script that calls ``ingest`` should keep its top level light, as this one does.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.form import FIELDS

if TYPE_CHECKING:
    import pandas as pd

ROOT = Path(__file__).resolve().parent.parent

GOAL_XLSX_MS = 1.0
GOAL_SPEEDUP = 10.0
GOAL_DOCX_MS = 3.0
# Placeholders written into the template, one per field, then replaced per form.
PLACEHOLDER = {f.key: 900_000 + f.order for f in FIELDS}
UNIT_PLACEHOLDER = "UNITPLACEHOLDER"  # ASCII: openpyxl writes CJK text as character references
MEMBERS = {".xlsx": ("xl/worksheets/sheet1.xml",), ".docx": ("word/document.xml",)}


def form_values(rng: random.Random) -> dict[str, float]:
    """One unit's numbers: money with two decimals, counts whole."""
    return {f.key: round(rng.uniform(0, 50), 2) if f.is_money else rng.randint(0, 5000) for f in FIELDS}


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def make_template(folder: Path, ext: str) -> dict[str, bytes]:
    """The template's zip members, with placeholders for the numbers and the unit."""
    sys.path.insert(0, str(ROOT / "tests"))
    import fixtures  # the tests' builders: one template per format

    path = folder / f"template{ext}"
    writer = fixtures.write_vertical_xlsx if ext == ".xlsx" else fixtures.write_vertical_docx
    writer(path, PLACEHOLDER, stamp=UNIT_PLACEHOLDER)
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def write_forms(folder: Path, ext: str, count: int, seed: int) -> dict[str, dict[str, float]]:
    """``count`` forms of one format; returns file name → the numbers written."""
    template = make_template(folder.parent, ext)
    rng = random.Random(seed)
    pattern = re.compile("|".join(str(p) for p in PLACEHOLDER.values()).encode())
    by_text = {str(p).encode(): key for key, p in PLACEHOLDER.items()}
    truth = {}
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        values = form_values(rng)
        unit = f"测试单位{i:04d}".encode()
        name = f"{i:04d}号统计表{ext}"
        with zipfile.ZipFile(folder / name, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for member, data in template.items():
                if member in MEMBERS[ext]:
                    data = pattern.sub(lambda m, values=values: number_text(values[by_text[m.group()]]).encode(), data)
                    data = data.replace(UNIT_PLACEHOLDER.encode(), unit)
                zf.writestr(member, data)
        truth[name] = values
    return truth


def timed_ingest(folder: Path, workers: int, repeat: int) -> tuple[float, pd.DataFrame]:
    """Best of ``repeat`` ingest runs (seconds) and the returns read."""
    from analysis.intake.ingest import ingest

    best, returns = math.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        returns = ingest(folder, year=2023, workers=workers).returns
        best = min(best, time.perf_counter() - start)
    return best, returns


def exact_share(returns: pd.DataFrame, truth: dict[str, dict[str, float]]) -> float:
    """Share of forms whose 20 numbers came back exactly as written."""
    rows = returns.set_index("source_file")
    good = sum(
        1
        for name, values in truth.items()
        if name in rows.index and all(abs(float(rows.loc[name, k]) - v) < 1e-9 for k, v in values.items())
    )
    return good / len(truth)


def pandas_loop(paths: list[Path], repeat: int) -> float:
    """Best of ``repeat`` runs (seconds) of read_excel(openpyxl) + a label lookup over ``paths``."""
    import pandas as pd

    labels = [f.label for f in FIELDS]
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for path in paths:
            frame = pd.read_excel(path, engine="openpyxl", header=None)
            found = {}
            for label in labels:
                hit = frame.index[(frame[1] == label) | (frame[0] == label)]
                found[label] = frame.at[hit[0], 2] if len(hit) else None
        best = min(best, time.perf_counter() - start)
    return best


def peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child, in MB (Linux reports KiB)."""
    return (
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingest speed benchmark")
    parser.add_argument("--xlsx", type=int, default=1000, help="number of .xlsx forms")
    parser.add_argument("--docx", type=int, default=300, help="number of .docx forms")
    parser.add_argument("--pandas", type=int, default=200, help="forms read by the pandas/openpyxl loop")
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the best is kept")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        base = Path(tmp)
        start = time.perf_counter()
        xlsx_truth = write_forms(base / "xlsx" / "2023", ".xlsx", args.xlsx, seed=1)
        docx_truth = write_forms(base / "docx" / "2023", ".docx", args.docx, seed=2)
        made = time.perf_counter() - start
        one, returns_one = timed_ingest(base / "xlsx" / "2023", 1, args.repeat)
        many, _ = timed_ingest(base / "xlsx" / "2023", cores, args.repeat)
        word, returns_word = timed_ingest(base / "docx" / "2023", 1, args.repeat)
        subset = sorted((base / "xlsx" / "2023").glob("*.xlsx"))[: args.pandas]
        loop = pandas_loop(subset, args.repeat)
        xlsx_ms, many_ms = one / args.xlsx * 1000, many / args.xlsx * 1000
        docx_ms, loop_ms = word / args.docx * 1000, loop / len(subset) * 1000
        self_mb, child_mb = peak_mb()
        print(
            f"生成 {args.xlsx} 份 .xlsx 和 {args.docx} 份 .docx 统计表：{made:.1f} 秒；每项取 {args.repeat} 次中最快一次"
        )
        rows = [
            (f"{xlsx_ms:.2f}", f"≤ {GOAL_XLSX_MS:g}", "项目读取 .xlsx，1 个核心（毫秒/份）"),
            (f"{many_ms:.2f}", "", f"项目读取 .xlsx，{cores} 个核心（毫秒/份）"),
            (f"{docx_ms:.2f}", f"≤ {GOAL_DOCX_MS:g}", "项目读取 .docx，1 个核心（毫秒/份）"),
            (f"{loop_ms:.2f}", "", f"pandas.read_excel(openpyxl) + 按标签查找（毫秒/份，{len(subset)} 份）"),
            (f"{loop_ms / xlsx_ms:.1f}×", f"≥ {GOAL_SPEEDUP:g}×", "加速比（pandas 循环 ÷ 项目 1 核）"),
            (f"{exact_share(returns_one, xlsx_truth):.0%}", "100%", "读取正确率 .xlsx"),
            (f"{exact_share(returns_word, docx_truth):.0%}", "100%", "读取正确率 .docx"),
            (f"{self_mb:.0f}/{child_mb:.0f}", "< 1024", "峰值内存 MB（主进程/最大子进程）"),
        ]
        print(f"{'实测':>10}  {'目标':<8}  指标")
        for measured, goal, label in rows:
            print(f"{measured:>12}  {goal:<10}  {label}")


if __name__ == "__main__":
    main()
