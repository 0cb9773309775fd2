"""Where the project's folders are.  Functions take explicit paths; these are the defaults."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REFERENCE = DATA / "reference"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
FONTS = Path(__file__).resolve().parent / "report" / "fonts"

UNITS_CSV = REFERENCE / "units.csv"
WEEKS_CSV = REFERENCE / "weeks.csv"

# A file with this name in a year folder marks its returns as synthetic demo data.
DEMO_MARKER = "示例数据说明.txt"
DEMO_LABEL = "示例数据（非真实统计）"


def year_of(folder: Path) -> int | None:
    """The year a folder is named after (``data/raw/2023`` → 2023), or None."""
    name = Path(folder).name
    return int(name) if name.isdigit() and len(name) == 4 else None


def year_dirs(raw_dir: Path = RAW) -> list[Path]:
    """Year folders (four digits) under ``raw_dir``, oldest first."""
    if not Path(raw_dir).is_dir():
        return []
    return sorted(p for p in Path(raw_dir).iterdir() if p.is_dir() and year_of(p) is not None)


def is_demo(folder: Path) -> bool:
    """True when ``folder`` (a raw year folder) holds the synthetic demo returns."""
    return (Path(folder) / DEMO_MARKER).is_file()


def comparison_year(year: int, years: Mapping[int, bool], demo: bool) -> int | None:
    """The year a year is compared with: the latest earlier one of ``years`` (year → holds demo data) of the
    same kind, so real returns are never compared with synthetic ones; None when there is none."""
    earlier = [y for y, is_demo_year in years.items() if y < year and is_demo_year == demo]
    return max(earlier) if earlier else None
