"""The whole command, timed as a process: ``python -m analysis ingest`` at several sizes (issue 12).

Each run is ``/work/shared/tools/measured.py -- python -m analysis ingest RAW --out OUT --year 2023 --units U
--weeks W``: wall time including start-up, and the peak of the summed RSS of all its processes.  Forms are
vertical-template returns (``tests/fixtures.py``), written once per format and then patched (numbers, unit) in
the zip, each from its own unit of a registry made for the run (``--units``), with a ``--weeks`` deadline after
the files' dates.  Every run checks that every value of every form came back exactly.

Each .xlsx size runs ``--repeat`` times (median wall time) over one generated batch that is synced to disk first.
The temporary folders are removed only at the end: on ext4, creating files just after thousands were deleted
costs much kernel time (the allocator skips recently freed inodes), a penalty of the benchmark's own clean-up
that a year folder prepared by people does not pay.

Prints, never asserts.  Examples::

    .venv/bin/python bench/bench_cli.py                      # both targets: 200/2,000 .xlsx; 3,000/30,000 mixed
    .venv/bin/python bench/bench_cli.py --mixed 300 3000     # a quicker scale run
    .venv/bin/python bench/bench_cli.py --xlsx 200 2000 --mixed   # only the slope target
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import fixtures  # noqa: E402  (the tests' builders: one template per format)

from analysis.form import FIELDS  # noqa: E402

MEASURED = Path("/work/shared/tools/measured.py")
GOAL_SLOPE_MS = 1.0
GOAL_SPEEDUP = 10.0
GOAL_LINEAR = 1.3
GOAL_RSS_MB = 1024
GOAL_WALL_S = 60
PLACEHOLDER = {f.key: 900_000 + f.order for f in FIELDS}
UNIT_PLACEHOLDER = "UNITPLACEHOLDER"
MEMBERS = {".xlsx": "xl/worksheets/sheet1.xml", ".docx": "word/document.xml"}
_FIRST = "东西南北中上下前后左右青红白黄金银玉石山水河湖江海"
_OTHER = "安平和兴宁康乐泰昌盛华丰源泉林峰桥庄岭川"


@dataclass(frozen=True)
class Run:
    """One measured process."""

    forms: int
    wall_s: float
    peak_mb: float
    exact: float  # share of forms whose 20 numbers and unit came back exactly

    @property
    def ms_per_form(self) -> float:
        return self.wall_s / self.forms * 1000


def unit_names(count: int) -> list[str]:
    """``count`` (≤ 30,000) distinct made-up place names: three characters + 县/镇/乡."""
    names = [f"{a}{b}{c}{d}" for d in "县镇乡" for a in _FIRST for b in _OTHER for c in _OTHER]
    if count > len(names):
        raise SystemExit(f"at most {len(names)} units")
    return names[:count]


def template(folder: Path, ext: str) -> dict[str, bytes]:
    path = folder / f"template{ext}"
    writer = fixtures.write_vertical_xlsx if ext == ".xlsx" else fixtures.write_vertical_docx
    writer(path, PLACEHOLDER, stamp=UNIT_PLACEHOLDER)
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def clean_values(rng: random.Random) -> dict[str, float]:
    """A plausible return: the tests' sample within ±20 % (so no check fires on the numbers themselves)."""
    out = {}
    for f in FIELDS:
        scaled = fixtures.SAMPLE[f.key] * rng.uniform(0.8, 1.2)
        out[f.key] = round(scaled, 2) if f.is_money else max(1, round(scaled)) if fixtures.SAMPLE[f.key] else 0
    out["most_tasks"] = min(out["most_tasks"], out["events_held"])
    return out


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(value)


def write_year(base: Path, count: int, docx_share: float, seed: int) -> tuple[Path, Path, dict[str, dict]]:
    """A raw year folder of ``count`` forms (``docx_share`` of them .docx), its registry and the truth."""
    raw = base / "raw" / "2023"
    raw.mkdir(parents=True)
    templates = {ext: template(base, ext) for ext in MEMBERS}
    pattern = re.compile("|".join(str(p) for p in PLACEHOLDER.values()).encode())
    by_text = {str(p).encode(): key for key, p in PLACEHOLDER.items()}
    rng = random.Random(seed)
    names = unit_names(count)
    truth: dict[str, dict] = {}
    for i, unit in enumerate(names):
        ext = ".docx" if i < round(count * docx_share) else ".xlsx"
        values = clean_values(rng)
        name = f"{i:05d}号统计表{ext}"
        with zipfile.ZipFile(raw / name, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for member, data in templates[ext].items():
                if member == MEMBERS[ext]:
                    data = pattern.sub(lambda m, values=values: number_text(values[by_text[m.group()]]).encode(), data)
                    data = data.replace(UNIT_PLACEHOLDER.encode(), unit.encode())
                zf.writestr(member, data)
        truth[name] = {"unit": unit, **values}
    units = fixtures.write_units_csv(base / "units.csv", [(n, "county", f"{n}科协") for n in names])
    return raw, units, truth


def exact_share(out: Path, truth: dict[str, dict]) -> float:
    returns = pd.read_parquet(out / "returns.parquet").set_index("source_file")
    good = 0
    for name, want in truth.items():
        if name not in returns.index:
            continue
        row = returns.loc[name]
        good += row["unit"] == want["unit"] and all(abs(float(row[k]) - want[k]) < 1e-9 for k in PLACEHOLDER)
    return good / len(truth)


def measured(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak summed RSS in MB) of ``cmd`` run by measured.py."""
    done = subprocess.run(
        [sys.executable, str(MEASURED), "--cwd", str(ROOT), "--", *cmd], capture_output=True, text=True
    )
    last = done.stdout.strip().splitlines()[-1]
    fields = dict(part.split("=") for part in last.split())
    if fields.get("rc") != "0":
        raise SystemExit(f"ingest failed:\n{done.stdout[-3000:]}")
    return float(fields["wall_s"]), float(fields["peak_total_rss_mb"])


def run_ingest(count: int, docx_share: float, seed: int, repeat: int, keep: contextlib.ExitStack) -> Run:
    """``repeat`` runs over one generated batch: the median wall time, the highest peak, the worst exactness."""
    base = Path(keep.enter_context(tempfile.TemporaryDirectory(prefix="bench_cli_")))  # removed at the very end
    raw, units, truth = write_year(base, count, docx_share, seed)
    weeks = base / "weeks.csv"
    weeks.write_text("year,start,end,deadline\n2023,2023-05-20,2023-05-27,2099-12-31\n", encoding="utf-8")
    os.sync()  # the batch on disk, as a year folder is before anyone runs ingest: no write-back during the run
    runs = []
    for n in range(repeat):
        out = base / f"out{n}"
        wall, peak = measured(
            [
                sys.executable,
                "-m",
                "analysis",
                "ingest",
                str(raw),
                "--out",
                str(out),
                "--year",
                "2023",
                "--units",
                str(units),
                "--weeks",
                str(weeks),
            ]
        )
        runs.append(Run(count, wall, peak, exact_share(out, truth)))
    return Run(
        count, statistics.median(r.wall_s for r in runs), max(r.peak_mb for r in runs), min(r.exact for r in runs)
    )


def pandas_loop_ms(count: int) -> float:
    """ms per form of read_excel(engine="openpyxl") + a label lookup, over ``count`` of the same forms."""
    labels = [f.label for f in FIELDS]
    with tempfile.TemporaryDirectory(prefix="bench_loop_") as tmp:
        raw, _, _ = write_year(Path(tmp), count, 0.0, seed=9)
        paths = sorted(raw.glob("*.xlsx"))
        start = time.perf_counter()
        for path in paths:
            frame = pd.read_excel(path, engine="openpyxl", header=None)
            for label in labels:
                hit = frame.index[(frame[1] == label) | (frame[0] == label)]
                _ = frame.at[hit[0], 2] if len(hit) else None
        return (time.perf_counter() - start) / len(paths) * 1000


def row(measured_text: str, goal: str, label: str) -> str:
    return f"{measured_text:>12}  {goal:<12}  {label}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Whole-process ingest benchmark (issue 12)")
    parser.add_argument(
        "--xlsx",
        type=int,
        nargs="*",
        default=[200, 2000],
        help="two sizes of clean .xlsx batches for the slope (none: skip)",
    )
    parser.add_argument(
        "--mixed",
        type=int,
        nargs="*",
        default=[3000, 30000],
        help="two sizes of 70%% .docx / 30%% .xlsx batches, each unit in a registry of that size",
    )
    parser.add_argument("--loop", type=int, default=200, help="forms read by the plain pandas/openpyxl loop")
    parser.add_argument("--repeat", type=int, default=3, help="runs per .xlsx size (the median counts)")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as keep:
        _report(args, keep)


def _report(args: argparse.Namespace, keep: contextlib.ExitStack) -> None:
    if args.xlsx:
        small, large = (run_ingest(n, 0.0, 1, args.repeat, keep) for n in args.xlsx)
        loop = pandas_loop_ms(args.loop)
        slope = (large.wall_s - small.wall_s) / (large.forms - small.forms) * 1000
        print("python -m analysis ingest，整个进程（含启动），干净的 .xlsx 统计表：")
        print(row("实测", "目标", "指标"))
        for r in (small, large):
            print(
                row(
                    f"{r.wall_s:.2f} s",
                    "",
                    f"{r.forms} 份：墙钟时间（峰值内存合计 {r.peak_mb:.0f} MB，正确率 {r.exact:.0%}）",
                )
            )
        print(row(f"{slope:.2f}", f"≤ {GOAL_SLOPE_MS:g}", f"斜率（毫秒/份，{small.forms}→{large.forms} 份）"))
        print(row(f"{loop:.2f}", "", f"pandas.read_excel(openpyxl) + 按标签查找（毫秒/份，{args.loop} 份）"))
        print(row(f"{loop / slope:.1f}×", f"≥ {GOAL_SPEEDUP:g}×", "加速比（pandas 循环 ÷ 斜率）"))
    if args.mixed:
        small, large = (run_ingest(n, 0.7, 2, 1, keep) for n in args.mixed)
        print("python -m analysis ingest，70% .docx + 30% .xlsx，每份一个单位，--units 名录与份数相同：")
        print(row("实测", "目标", "指标"))
        for r in (small, large):
            print(row(f"{r.ms_per_form:.2f}", "", f"{r.forms} 份：毫秒/份（墙钟 {r.wall_s:.1f} s）"))
        print(
            row(
                f"{large.ms_per_form / small.ms_per_form:.2f}×",
                f"≤ {GOAL_LINEAR:g}×",
                f"{large.forms} 份与 {small.forms} 份的每份时间之比",
            )
        )
        print(row(f"{large.wall_s:.1f} s", f"≤ {GOAL_WALL_S} s", f"{large.forms} 份的墙钟时间"))
        print(row(f"{large.peak_mb:.0f} MB", f"≤ {GOAL_RSS_MB}", "峰值内存（所有进程合计）"))
        print(row(f"{min(small.exact, large.exact):.0%}", "100%", "读取正确率（20 项数值和单位）"))


if __name__ == "__main__":
    main()
