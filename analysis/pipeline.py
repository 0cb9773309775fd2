"""One year, end to end on the data side: read every input once → pure checks → outputs.

This is what ``python -m analysis ingest`` and the cleaning notebook run.  The report notebooks read only
what it writes to the processed folder.  The inputs (the year folder, the roster, the week's dates,
received.csv, file times, video durations and the comparison year's returns) are read here, at the edge;
the checks, the materials checklist and the schema validation are pure steps over them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import catalog
from analysis.intake import dates, media
from analysis.intake.ingest import ingest
from analysis.intake.narratives import quotes_frame, read_narratives
from analysis.intake.pool import WorkerPool
from analysis.intake.records import IngestResult
from analysis.intake.store import load_processed, processed_years, write_result
from analysis.intake.units import Registry
from analysis.issues import ISSUE_COLUMNS, Issue, issues_frame, open_findings, summarize
from analysis.outputs import write_csv, write_text
from analysis.paths import DEMO_LABEL, DEMO_MARKER, UNITS_CSV, WEEKS_CSV, comparison_year
from analysis.review import checks, materials, schemas
from analysis.review.feedback import feedback_writer
from analysis.review.ledger import apply_ledger, with_statuses
from analysis.review.ledger_file import ledger_path, read_ledger
from analysis.review.ledger_file import shown as shown_ledger
from analysis.review.narrative_check import narrative_findings
from analysis.review.tally import TALLY_COLUMNS, tally


@dataclass
class YearOutcome:
    """What processing one year produced."""

    result: IngestResult
    materials: pd.DataFrame
    out_dir: Path

    decisions: pd.DataFrame
    ledger: Path
    tally: pd.DataFrame  # rule by rule: values looked at, passed, failed, blank (analysis.review.tally)

    def recap(self) -> str:
        """What the console prints at the end of a year: files, roster, ledger, issues by code."""
        r = self.result
        accepted = int((r.files["status"] == "accepted").sum()) if not r.files.empty else 0
        head = (
            f"{r.meta.get('year') or ''}年：共 {len(r.files)} 个文件，采用统计表 {accepted} 份。"
            f"{roster_line(r)}输出：{self.out_dir}"
        )
        open_now = len(open_findings(r.issues))
        settled = f"核实台账 {shown_ledger(self.ledger)}：已采用 {len(self.decisions)} 项核实结果；" + (
            f"尚有 {open_now} 项错误或警告待核实（结果为初稿）。" if open_now else "没有待核实的问题（结果可定稿）。"
        )
        return head + "\n" + settled + "\n" + summarize(r.issues)


def _named(names: list[str], limit: int = 5) -> str:
    return "（" + "、".join(names[:limit]) + ("等" if len(names) > limit else "") + "）" if names else ""


def roster_line(result: IngestResult) -> str:
    """How the year's roster stands: units with an accepted return, units that sent only files that could not be
    used, units that sent nothing, and accepted returns from units outside the roster."""
    roster = list(dict.fromkeys(result.meta.get("units_expected", [])))
    returned = set(result.returns["unit"])
    sent = set(result.files["unit"].dropna()) - {""}
    unusable = [u for u in roster if u not in returned and u in sent]
    nothing = [u for u in roster if u not in returned and u not in sent]
    outside = sorted(returned - set(roster))
    line = (
        f"应报单位 {len(roster)} 家：{len(roster) - len(unusable) - len(nothing)} 家已有采用的统计表，"
        f"{len(unusable)} 家只报送了无法使用的文件{_named(unusable)}，{len(nothing)} 家未报送{_named(nothing)}"
    )
    return line + (f"；另有名录外单位的统计表 {len(outside)} 份{_named(outside)}。" if outside else "。")


@dataclass(frozen=True)
class PreviousYear:
    """The comparison year of the checks and its accepted returns."""

    year: int
    returns: pd.DataFrame


def previous_returns(out_dir: Path, year: int | None, demo: bool) -> PreviousYear | None:
    """The comparison year (:func:`analysis.paths.comparison_year` among the processed folders beside ``out_dir``)
    with its accepted returns, or None when there is none."""
    if year is None:
        return None
    earlier = comparison_year(year, processed_years(Path(out_dir).parent), demo)
    return (
        None if earlier is None else PreviousYear(earlier, load_processed(Path(out_dir).parent / str(earlier)).returns)
    )


def process_year(
    raw_dir: Path,
    out_dir: Path,
    *,
    year: int | None = None,
    workers: int | None = None,
    progress: bool = False,
    checks_on: bool = True,
    units_csv: Path = UNITS_CSV,
    weeks_csv: Path = WEEKS_CSV,
    review: Path | None = None,
) -> YearOutcome:
    """Ingest ``raw_dir``, apply the review ledger, run every check on the settled data, and write the processed
    folder ``out_dir``.  ``review`` is the ledger (default :func:`analysis.review.ledger_file.ledger_path`)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with WorkerPool(workers or os.cpu_count() or 1).warm() as pool:  # reads the files, later writes the feedback
        registry = Registry.load(units_csv)
        return _process(raw_dir, out_dir, year, pool, progress, checks_on, registry, weeks_csv, review)


def _process(
    raw_dir: Path,
    out_dir: Path,
    year: int | None,
    pool: WorkerPool,
    progress: bool,
    checks_on: bool,
    registry: Registry,
    weeks_csv: Path,
    review: Path | None,
) -> YearOutcome:
    result = ingest(raw_dir, year=year, progress=progress, registry=registry, pool=pool)
    year = result.meta.get("year")
    review = Path(review) if review is not None else ledger_path(raw_dir, year)
    applied = apply_ledger(result, read_ledger(review))
    read_issues = result.issues
    result.returns, result.values = applied.returns, applied.values
    demo = bool(result.meta.get("demo"))
    roster = registry.roster(year)
    names = [u.name for u in roster]
    durations = {
        f: result.video_seconds[f] if f in result.video_seconds else media.video_seconds(raw_dir / f)
        for f in materials.video_files(result.files)
    }  # archive members were timed by the workers
    found = materials.material_files(result.files, durations, names)
    inventory = materials.checklist(found, names)
    quotes = read_narratives(raw_dir, result.files)
    if checks_on:
        earlier = previous_returns(out_dir, year, demo)
        ctx = checks.CheckContext(
            year=year,
            returns=result.returns,
            values=result.values,
            files=result.files,
            roster=checks.roster_frame(roster),
            previous=earlier.returns if earlier else None,
            compare_year=earlier.year if earlier else None,
            event_window=dates.load_weeks(weeks_csv).get(year),
            received=dates.received_of(result.files),
            materials=found,
        )
        ruled = checks.run_checks(ctx)
        rule_tally = tally(ctx, ruled)
        findings = ruled + schemas.validate_processed(result) + narrative_findings(quotes, result.returns)
    else:
        findings, rule_tally = [], pd.DataFrame(columns=list(TALLY_COLUMNS))
    result.issues = with_statuses(
        issues_frame([*_issue_objects(read_issues), *findings, *applied.issues]), read_issues, applied.decisions
    )
    decisions = applied.decisions_frame()
    with feedback_writer(
        out_dir / catalog.FEEDBACK_XLSX,
        result.issues,
        year=year,
        demo=demo,
        materials=inventory,
        executor=pool.executor,
    ):  # the workers write the units' files meanwhile
        write_result(result, out_dir)
        write_csv(decisions, out_dir / catalog.DECISIONS_CSV)
        write_csv(inventory, out_dir / catalog.MATERIALS_CSV)
        write_csv(rule_tally, out_dir / catalog.RULE_TALLY_CSV)
        write_csv(quotes_frame(quotes), out_dir / catalog.QUOTES_CSV)
        if demo:
            write_text(
                f"{DEMO_LABEL}：本文件夹由示例报表（{result.meta['raw_dir']}）生成，不代表真实统计。\n",
                out_dir / DEMO_MARKER,
            )
        else:
            (out_dir / DEMO_MARKER).unlink(missing_ok=True)  # a folder that once held demo results
    return YearOutcome(result, inventory, out_dir, decisions, review, rule_tally)


def _issue_objects(frame: pd.DataFrame):
    for row in frame.to_dict("records"):
        yield Issue(**{c: ("" if pd.isna(row[c]) else str(row[c])) for c in ISSUE_COLUMNS})
