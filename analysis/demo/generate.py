"""Writing the demo out: each year's returns into ``<raw>/<year>/`` with its ``received.csv`` and marker file, its
truth and planted problems into ``<truth>/``, its ledger into ``<raw>/../review/``."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from analysis import paths
from analysis.demo.build import build_year
from analysis.demo.city import DEFAULT_SEED, DEMO_YEARS
from analysis.demo.plans import PLANS
from analysis.intake.dates import RECEIVED_CSV
from analysis.intake.units import Registry
from analysis.outputs import write_atomic, write_csv, write_text
from analysis.review.ledger_file import write_ledger

MARKER_TEXT = (
    "本文件夹中的统计表、总结、照片和视频均为程序生成的示例数据（非真实统计），"
    "只用于演示和测试本项目，不代表任何单位的真实情况。\n"
    "重新生成：python -m analysis demo。放入真实报表时请新建年份文件夹，不要复制本文件。\n"
)


def _refuse_real_returns(folder: Path) -> None:
    """Raise when ``folder`` holds anything but demo data: real returns are never overwritten."""
    if folder.exists() and not folder.is_dir():
        raise FileExistsError(f"{folder} 已存在且不是文件夹，未生成示例数据。")
    if folder.is_dir() and any(folder.iterdir()) and not paths.is_demo(folder):
        raise FileExistsError(
            f"{folder} 中已有非示例数据（没有 {paths.DEMO_MARKER}），为避免覆盖真实报表，未生成示例数据。"
        )


def generate(raw_dir: Path, truth_dir: Path, years: Sequence[int] = DEMO_YEARS, seed: int = DEFAULT_SEED) -> None:
    """Write the demo years into ``raw_dir/<year>/`` (replacing earlier demo data), their truth into ``truth_dir``."""
    unknown = sorted(set(years) - set(PLANS))
    if unknown:
        raise ValueError(
            f"没有 {', '.join(map(str, unknown))} 年的示例数据方案，可生成的年份：{', '.join(map(str, PLANS))}"
        )
    folders = {year: Path(raw_dir) / str(year) for year in years}
    for folder in folders.values():
        _refuse_real_returns(folder)
    units = Registry.load(paths.UNITS_CSV).units
    for year, folder in folders.items():
        built = build_year(units, year, seed)
        if folder.exists():
            shutil.rmtree(folder)
        for rel, data in built.files.items():
            write_atomic(folder / rel, lambda p, d=data: p.write_bytes(d))
        write_csv(built.received, folder / RECEIVED_CSV)
        write_text(MARKER_TEXT, folder / paths.DEMO_MARKER)
        write_csv(built.truth, Path(truth_dir) / f"{year}.csv")
        write_csv(built.planted, Path(truth_dir) / f"{year}_planted.csv")
        write_ledger(built.ledger, Path(raw_dir).parent / "review" / f"{year}.xlsx", year=year, demo=True)
