"""One year, end to end on the data side: ingest → checks → schema validation → outputs.

This is what ``python -m analysis ingest`` and the cleaning notebook run.  The
report notebooks read only what it writes to the processed folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.intake.summaries import SUMMARIES_CSV, quotes_frame, read_summaries
from analysis.review import checks, materials, schemas
from analysis.review.summary_check import summary_findings
from analysis.review.feedback import write_feedback
from analysis.intake.ingest import IngestResult, ingest, is_processed, load_processed, read_meta, write_result
from analysis.issues import issues_frame, summarize
from analysis.outputs import write_csv, write_text
from analysis.paths import DEMO_LABEL, DEMO_MARKER, UNITS_CSV, WEEKS_CSV
from analysis.intake.units import Registry

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
    """The accepted returns of ``year - 1`` when that year has been processed beside ``out_dir`` and is of the
    same kind (real returns are never checked against synthetic ones)."""
    if year is None:
        return None
    folder = Path(out_dir).parent / str(year - 1)
    if not is_processed(folder) or bool(read_meta(folder).get("demo")) != demo:
        return None
    return load_processed(folder).returns


def process_year(raw_dir: Path, out_dir: Path, *, year: int | None = None, workers: int | None = None,
                 progress: bool = False, checks_on: bool = True, units_csv: Path = UNITS_CSV,
                 weeks_csv: Path = WEEKS_CSV) -> YearOutcome:
    """Ingest ``raw_dir``, run every check, and write the processed folder ``out_dir``."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    registry = Registry.load(units_csv)
    result = ingest(raw_dir, year=year, workers=workers, progress=progress, registry=registry)
    year = result.meta.get("year")
    names = [u.name for u in registry.roster(year)]
    found = materials.material_files(result.files, raw_dir, names)
    inventory = materials.checklist(found, names)
    quotes = read_summaries(raw_dir, result.files)
    if checks_on:
        weeks = checks.load_weeks(weeks_csv) if Path(weeks_csv).is_file() else {}
        received, received_issues = checks.received_dates(raw_dir, result.files)
        ctx = checks.CheckContext(
            year=year, returns=result.returns, values=result.values, files=result.files,
            roster=checks.roster_frame(registry.roster(year)),
            previous=previous_returns(out_dir, year, bool(result.meta.get("demo"))),
            week=weeks.get(year), received=received, materials=found)
        findings = (checks.run_checks(ctx) + received_issues + schemas.validate_processed(result)
                    + summary_findings(quotes, result.returns))
        result.issues = issues_frame([*_issue_objects(result.issues), *findings])
    write_result(result, out_dir)
    write_csv(inventory, out_dir / MATERIALS_CSV)
    write_csv(quotes_frame(quotes), out_dir / SUMMARIES_CSV)
    if result.meta.get("demo"):
        write_text(f"{DEMO_LABEL}：本文件夹由示例报表（{result.meta['raw_dir']}）生成，不代表真实统计。\n",
                   out_dir / DEMO_MARKER)
    else:
        (out_dir / DEMO_MARKER).unlink(missing_ok=True)  # a folder that once held demo results
    write_feedback(out_dir / FEEDBACK_XLSX, result.issues, year=year, demo=bool(result.meta.get("demo")),
                   materials=inventory)
    return YearOutcome(result, inventory, out_dir)


def _issue_objects(frame: pd.DataFrame):
    from analysis.issues import ISSUE_COLUMNS, Issue

    for row in frame.to_dict("records"):
        yield Issue(**{c: ("" if pd.isna(row[c]) else str(row[c])) for c in ISSUE_COLUMNS})
