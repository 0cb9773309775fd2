"""Where the project's folders are.  Functions take explicit paths; these are the defaults.

Real years and the bundled demo live apart, each in a :class:`Workspace`: real returns in ``data/raw/<year>/``
(git-ignored: they carry names and telephone numbers), processed into ``data/processed/<year>/``, reviewed in
``data/review/<year>.xlsx`` and reported into ``reports/<year>/``; the synthetic demo in ``data/demo/raw``,
``data/demo/processed``, ``data/demo/review`` and ``reports/demo``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOME_VARIABLE = "SCITECH_WEEK_HOME"  # the project folder, when the package is installed elsewhere


def _project_root() -> Path:
    """The project folder: ``$SCITECH_WEEK_HOME``; else the source tree this package sits in (a clone, an
    editable install); else the nearest folder upward from the working directory holding ``data/reference``."""
    if os.environ.get(HOME_VARIABLE):
        return Path(os.environ[HOME_VARIABLE]).resolve()
    source = Path(__file__).resolve().parent.parent
    if (source / "data" / "reference").is_dir():
        return source
    here = Path.cwd().resolve()
    return next((d for d in (here, *here.parents) if (d / "data" / "reference").is_dir()), here)


ROOT = _project_root()
DATA = ROOT / "data"
RAW = DATA / "raw"
PROCESSED = DATA / "processed"
REVIEW = DATA / "review"
REFERENCE = DATA / "reference"
REPORTS = ROOT / "reports"
NOTEBOOKS = ROOT / "notebooks"
DEMO_DATA = DATA / "demo"
DEMO_TRUTH = DEMO_DATA / "truth"  # the demo's true values and planted problems: read by the tests only
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


@dataclass(frozen=True)
class Workspace:
    """The folders of one kind of data: real years, or the bundled synthetic demo."""

    name: str  # as printed to the user
    raw: Path
    processed: Path
    review: Path
    reports: Path

    def years(self) -> list[int]:
        """Years with a raw folder, oldest first."""
        return [int(p.name) for p in year_dirs(self.raw)]

    def latest_year(self) -> int | None:
        years = self.years()
        return years[-1] if years else None


REAL = Workspace("真实年度（data/raw）", RAW, PROCESSED, REVIEW, REPORTS)
DEMO = Workspace(
    "示例数据（data/demo，非真实统计）",
    DEMO_DATA / "raw",
    DEMO_DATA / "processed",
    DEMO_DATA / "review",
    REPORTS / "demo",
)


def default_workspace() -> Workspace:
    """Real years when ``data/raw`` holds any, otherwise the demo."""
    return REAL if REAL.years() else DEMO


def workspace_of(year: int | None) -> tuple[Workspace, int | None]:
    """The workspace and year a notebook or command means: ``None`` is the latest year of the default workspace;
    a given year is real when ``data/raw/<year>`` exists, else demo when the demo has it, else real."""
    if year is None:
        workspace = default_workspace()
        return workspace, workspace.latest_year()
    if (REAL.raw / str(year)).is_dir() or not (DEMO.raw / str(year)).is_dir():
        return REAL, year
    return DEMO, year
