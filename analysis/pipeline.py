"""One year, end to end on the data side: read every input once → pure checks → outputs.

This is what ``python -m analysis ingest`` and the cleaning notebook run.  The report notebooks read only
what it writes to the processed folder.  The inputs (the year folder, the roster, the week's dates,
received.csv, file times, video durations and the comparison year's returns) are read here, at the edge;
the checks, the materials checklist and the schema validation are pure steps over them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.intake import dates, media
from analysis.intake.ingest import ingest
from analysis.intake.records import IngestResult
from analysis.intake.store import load_processed, processed_years, write_result
from analysis.intake.units import Registry
from analysis.issues import ISSUE_COLUMNS, Issue, issues_frame, summarize
from analysis.outputs import write_csv, write_text
from analysis.paths import DEMO_LABEL, DEMO_MARKER, UNITS_CSV, WEEKS_CSV, comparison_year
from analysis.review import checks, materials, schemas
from analysis.review.feedback import write_feedback

FEEDBACK_XLSX = "反馈清单.xlsx"
MATERIALS_CSV = "materials.csv"


@dataclass
class YearOutcome:
    """What processing one year produced."""

    result: IngestResult
    materials: pd.DataFrame
    out_dir: Path

    def summary(self) -> str:
        r = self.result
        accepted = int((r.files["status"] == "accepted").sum()) if not r.files.empty else 0
        head = (f"{r.meta.get('year') or ''}年：共 {len(r.files)} 个文件，采用统计表 {accepted} 份，"
                f"应报单位 {len(r.meta.get('units_expected', []))} 家。输出：{self.out_dir}")
        return head + "\n" + summarize(r.issues)


def previous_returns(out_dir: Path, year: int | None, demo: bool) -> pd.DataFrame | None:
    """The accepted returns of the comparison year (:func:`analysis.paths.comparison_year` among the processed
    folders beside ``out_dir``), or None when there is none."""
    if year is None:
        return None
    earlier = comparison_year(year, processed_years(Path(out_dir).parent), demo)
    return None if earlier is None else load_processed(Path(out_dir).parent / str(earlier)).returns


def process_year(raw_dir: Path, out_dir: Path, *, year: int | None = None, workers: int | None = None,
                 progress: bool = False, checks_on: bool = True, units_csv: Path = UNITS_CSV,
                 weeks_csv: Path = WEEKS_CSV) -> YearOutcome:
    """Ingest ``raw_dir``, run every check, and write the processed folder ``out_dir``."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    registry = Registry.load(units_csv)
    result = ingest(raw_dir, year=year, workers=workers, progress=progress, registry=registry)
    year = result.meta.get("year")
    demo = bool(result.meta.get("demo"))
    roster = registry.roster(year)
    names = [u.name for u in roster]
    durations = {f: result.video_seconds[f] if f in result.video_seconds else media.video_seconds(raw_dir / f)
                 for f in materials.video_files(result.files)}  # archive members were timed by the workers
    found = materials.material_files(result.files, durations, names)
    inventory = materials.checklist(found, names)
    if checks_on:
        received = dates.read_received(raw_dir)
        ctx = checks.CheckContext(
            year=year, returns=result.returns, values=result.values, files=result.files,
            roster=checks.roster_frame(roster), previous=previous_returns(out_dir, year, demo),
            week=dates.load_weeks(weeks_csv).get(year),
            received=dates.received_dates(received.listed, result.files, result.file_times), materials=found)
        findings = checks.run_checks(ctx) + received.issues + schemas.validate_processed(result)
        result.issues = issues_frame([*_issue_objects(result.issues), *findings])
    write_result(result, out_dir)
    write_csv(inventory, out_dir / MATERIALS_CSV)
    if demo:
        write_text(f"{DEMO_LABEL}：本文件夹由示例报表（{result.meta['raw_dir']}）生成，不代表真实统计。\n",
                   out_dir / DEMO_MARKER)
    else:
        (out_dir / DEMO_MARKER).unlink(missing_ok=True)  # a folder that once held demo results
    write_feedback(out_dir / FEEDBACK_XLSX, result.issues, year=year, demo=demo, materials=inventory)
    return YearOutcome(result, inventory, out_dir)


def _issue_objects(frame: pd.DataFrame):
    for row in frame.to_dict("records"):
        yield Issue(**{c: ("" if pd.isna(row[c]) else str(row[c])) for c in ISSUE_COLUMNS})
