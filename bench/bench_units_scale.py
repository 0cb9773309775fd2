"""Exact unit names at scale, and legacy .doc returns side by side (issue 23).

1. A registry of N units named as a province numbers its reporting points (``县级单位00000`` … — names ending
   in digits, which the old folding took for a version marker), and N ``.xlsx`` returns, each stamped with its
   unit's exact registered name (file names ``00012号统计表.xlsx`` say nothing of the unit).  Each size is one run
   of ``/work/shared/tools/measured.py -- python -m analysis ingest RAW --out OUT --year 2023 --units U --weeks W``:
   wall time including start-up and the peak of the summed RSS of every process of the run.  Forms are the
   tests' vertical template (``tests/fixtures.py``), written once and patched per form in the zip (numbers,
   unit; stored, not deflated, so that 30,000 are written in seconds).  Printed: ms per form at each size and
   their ratio (goal ≤ 1.3×), the peak (goal ≤ 1 GB), how many returns came back with the right unit and all 20
   numbers (goal: all) and how many ``unit_ambiguous`` / ``unit_unknown`` issues there were (goal: none).
2. The eight Word 97 returns of ``tests/data/legacy_doc`` in one folder, read by the same command with the normal
   parallel workers: how many came back (goal 8/8).  Skipped, saying so, when LibreOffice is not installed.

Prints, never asserts.  ``.venv/bin/python bench/bench_units_scale.py [--sizes 3000 30000] [--no-doc]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from bench_cli import (
    MEASURED,
    MEMBERS,
    PLACEHOLDER,
    ROOT,
    UNIT_PLACEHOLDER,
    clean_values,
    number_text,
    template,
)

GOAL_LINEAR = 1.3
GOAL_RSS_MB = 1024
UNIT_CODES = ("unit_ambiguous", "unit_unknown")
DOCS = ROOT / "tests" / "data" / "legacy_doc"


@dataclass(frozen=True)
class Run:
    """One measured ingest process."""

    forms: int
    wall_s: float
    peak_mb: float
    exact: int  # returns with the right unit and all 20 numbers
    unit_issues: int  # unit_ambiguous + unit_unknown rows

    @property
    def ms_per_form(self) -> float:
        return self.wall_s / self.forms * 1000


def unit_name(i: int) -> str:
    return f"县级单位{i:05d}"


def write_year(base: Path, count: int, seed: int) -> tuple[Path, Path, dict[str, dict]]:
    """A raw year folder of ``count`` stamped .xlsx returns, its registry of ``count`` units, and the truth."""
    raw = base / "raw" / "2023"
    raw.mkdir(parents=True)
    members = template(base, ".xlsx")
    sheet = MEMBERS[".xlsx"]
    pattern = re.compile("|".join(str(p) for p in PLACEHOLDER.values()).encode())
    by_text = {str(p).encode(): key for key, p in PLACEHOLDER.items()}
    rng = random.Random(seed)
    truth: dict[str, dict] = {}
    for i in range(count):
        unit, values = unit_name(i), clean_values(rng)
        name = f"{i:05d}号统计表.xlsx"
        with zipfile.ZipFile(raw / name, "w", zipfile.ZIP_STORED) as zf:
            for member, data in members.items():
                if member == sheet:
                    data = pattern.sub(lambda m, v=values: number_text(v[by_text[m.group()]]).encode(), data)
                    data = data.replace(UNIT_PLACEHOLDER.encode(), unit.encode())
                zf.writestr(member, data)
        truth[name] = {"unit": unit, **values}
    units = base / "units.csv"
    units.write_text(
        "name,kind,aliases,since,until\n" + "".join(f"{unit_name(i)},county,,,\n" for i in range(count)),
        encoding="utf-8",
    )
    return raw, units, truth


def measured(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak summed RSS in MB) of ``cmd`` run by measured.py; exits with its output on failure."""
    done = subprocess.run(
        [sys.executable, str(MEASURED), "--cwd", str(ROOT), "--", *cmd], capture_output=True, check=False, text=True
    )
    fields = dict(part.split("=") for part in done.stdout.strip().splitlines()[-1].split())
    if fields.get("rc") != "0":
        raise SystemExit(f"ingest failed:\n{done.stdout[-3000:]}")
    return float(fields["wall_s"]), float(fields["peak_total_rss_mb"])


def ingest_command(raw: Path, out: Path, units: Path, weeks: Path) -> list[str]:
    return [
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


def write_weeks(base: Path) -> Path:
    weeks = base / "weeks.csv"
    weeks.write_text("year,start,end,deadline\n2023,2023-05-20,2023-05-27,2099-12-31\n", encoding="utf-8")
    return weeks


def run_size(count: int, keep: contextlib.ExitStack) -> Run:
    base = Path(keep.enter_context(tempfile.TemporaryDirectory(prefix="bench_units_")))  # removed at the very end
    start = time.perf_counter()
    raw, units, truth = write_year(base, count, seed=count)
    print(f"  生成 {count} 份统计表和 {count} 个单位的名录：{time.perf_counter() - start:.1f} 秒", flush=True)
    os.sync()
    out = base / "out"
    wall, peak = measured(ingest_command(raw, out, units, write_weeks(base)))
    returns = pd.read_parquet(out / "returns.parquet").set_index("source_file")
    exact = sum(
        1
        for name, want in truth.items()
        if name in returns.index
        and returns.loc[name, "unit"] == want["unit"]
        and all(abs(float(returns.loc[name, k]) - want[k]) < 1e-9 for k in PLACEHOLDER)
    )
    issues = pd.read_parquet(out / "issues.parquet")
    return Run(count, wall, peak, exact, int(issues["code"].isin(UNIT_CODES).sum()))


def doc_run(keep: contextlib.ExitStack) -> str:
    """The eight .doc returns in one folder through the command: 'k/8 …' or why it was skipped."""
    if shutil.which("soffice") is None:
        return "跳过：本机未安装 LibreOffice（soffice），旧版 .doc 无法转换"
    sys.path.insert(0, str(DOCS))
    sys.path.insert(0, str(ROOT / "tests"))
    from fixtures import write_units_csv
    from make_docs import RETURNS

    base = Path(keep.enter_context(tempfile.TemporaryDirectory(prefix="bench_doc_")))
    raw = base / "raw" / "2023"
    shutil.copytree(DOCS, raw, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    out = base / "out"
    wall, peak = measured(ingest_command(raw, out, write_units_csv(base / "units.csv"), write_weeks(base)))
    returns = pd.read_parquet(out / "returns.parquet").set_index("source_file")
    good = sum(
        1
        for name, (unit, values) in RETURNS.items()
        if name in returns.index
        and returns.loc[name, "unit"] == unit
        and all(abs(float(returns.loc[name, k]) - float(v)) < 1e-9 for k, v in values.items())
    )
    return f"{good}/{len(RETURNS)} 份读取正确（墙钟 {wall:.1f} s，峰值内存合计 {peak:.0f} MB，{os.cpu_count()} 个读取进程）"


def row(measured_text: str, goal: str, label: str) -> str:
    return f"{measured_text:>12}  {goal:<10}  {label}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Exact unit names at scale; .doc side by side (issue 23)")
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="*",
        default=[3000, 30000],
        help="two sizes: forms = units in the registry (none: skip)",
    )
    parser.add_argument("--no-doc", action="store_true", help="skip the eight .doc returns")
    args = parser.parse_args(argv)
    with contextlib.ExitStack() as keep:
        if args.sizes:
            print(
                "python -m analysis ingest，名录中单位名称以数字结尾（县级单位00000…），每份统计表盖章栏写单位全称：",
                flush=True,
            )
            runs = [run_size(n, keep) for n in args.sizes]
            print(row("实测", "目标", "指标"))
            for r in runs:
                print(
                    row(
                        f"{r.ms_per_form:.2f}",
                        "",
                        f"{r.forms} 份 / {r.forms} 个单位：毫秒/份（墙钟 {r.wall_s:.1f} s，"
                        f"峰值内存合计 {r.peak_mb:.0f} MB）",
                    )
                )
            if len(runs) == 2:
                small, large = runs
                print(
                    row(
                        f"{large.ms_per_form / small.ms_per_form:.2f}×",
                        f"≤ {GOAL_LINEAR:g}×",
                        f"{large.forms} 份与 {small.forms} 份的每份时间之比",
                    )
                )
            print(row(f"{max(r.peak_mb for r in runs):.0f} MB", f"≤ {GOAL_RSS_MB}", "峰值内存（所有进程合计）"))
            for r in runs:
                print(row(f"{r.exact}/{r.forms}", "全部", f"{r.forms} 份：单位和 20 项数值都正确的份数"))
                print(row(f"{r.unit_issues}", "0", f"{r.forms} 份：unit_ambiguous / unit_unknown 问题条数"))
        if not args.no_doc:
            print(f"旧版 Word（.doc）8 份放在同一文件夹，python -m analysis ingest 并行读取：{doc_run(keep)}")


if __name__ == "__main__":
    main()
