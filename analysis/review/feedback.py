"""Feedback to units: one workbook per unit that has findings, plus an overview workbook.

``反馈/<unit>.xlsx`` holds one unit's findings only (what, where, what to fix), so it can be
e-mailed to that unit without showing anyone else's.  The overview (its path is given by
the caller) holds the counts by unit and severity with each unit's file name, the units
that have not returned, the legend and, when given, the materials checklist.

Written with xlsxwriter (about ten times faster than openpyxl), in worker processes when
there are many units.  Every text cell is neutralised and written as text, so nothing taken
from a return can become a formula; every file is written atomically with fixed document
and zip times, so the same findings give the same bytes.  Files of units that no longer
have findings are removed.
"""

from __future__ import annotations

import io
import math
import numbers
import os
import re
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from analysis.issues import ISSUE_HEADERS_ZH, SEVERITIES, SEVERITY_ZH, readable
from analysis.outputs import FIXED_TIME, neutralize, normalize_zip, write_atomic
from analysis.paths import DEMO_LABEL
from analysis.review.materials import CHECKLIST_ZH, minutes_seconds

UNIT_FOLDER = "反馈"  # beside the overview: one file per unit with findings
OVERVIEW = "总览"
CHECKLIST_SHEET = "材料清单"
NO_UNIT = "未识别单位"
COLUMNS = ("severity", "title", "source_file", "sheet", "cell", "field", "message")  # a unit's own sheet
HEADERS = tuple(ISSUE_HEADERS_ZH[c] for c in COLUMNS)
WIDTHS = (9, 18, 30, 12, 9, 22, 60)
SEVERITY_NOTE = {"error": "该数值或文件无法使用，必须改正后重新报送",
                 "warning": "已按原样使用或暂未计入，请核实并回复",
                 "info": "已作处理，供核对备查"}
FILE_HEADER = "反馈文件"
MAX_STEM = 60  # characters of a unit file's name (CJK: 180 bytes of UTF-8, well below the 255 of a file system)
PARALLEL_FROM = 200  # units: from this many on, the unit files are written by worker processes

_FORBIDDEN_SHEET = re.compile(r"[\[\]:*?/\\]")
_FORBIDDEN_FILE = re.compile(r'[<>:"/\\|?*]')
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # shown as U+FFFD
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
_WORKBOOK_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                     "strings_to_numbers": False}


def sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name: no []:*?/\\ or control characters, no leading/trailing quote, ≤ 31 characters."""
    base = _FORBIDDEN_SHEET.sub("_", _NOT_IN_XML.sub("_", name)).strip("'").strip() or NO_UNIT
    title, n = base[:31], 1
    while title.casefold() in {t.casefold() for t in taken}:
        n += 1
        suffix = f"({n})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title)
    return title


def file_stem(name: str, taken: set[str]) -> str:
    """A safe, unique file name (without ``.xlsx``) for a unit, the same on Windows, macOS and Linux.

    Path separators, Windows' reserved characters, control and format characters and undecodable bytes
    become ``_``; leading/trailing dots and spaces go (so ``..`` cannot climb out of the folder);
    Windows' device names (CON, NUL, COM1 …) get a leading ``_``; at most :data:`MAX_STEM` characters;
    names equal but for case get ``(2)``, ``(3)`` ….  ``taken`` (casefolded) is updated.
    """
    text = unicodedata.normalize("NFC", name)
    text = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") else ch for ch in text)
    base = _FORBIDDEN_FILE.sub("_", text).strip(" .")[:MAX_STEM].strip(" .") or NO_UNIT
    if base.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        base = "_" + base[:MAX_STEM - 1]
    stem, n = base, 1
    while stem.casefold() in taken:
        n += 1
        suffix = f"({n})"
        stem = base[:MAX_STEM - len(suffix)].rstrip(" .") + suffix
    taken.add(stem.casefold())
    return stem


@dataclass(frozen=True)
class UnitFeedback:
    """One unit's feedback file: where it goes and its findings, worst first, as display text."""

    unit: str
    path: Path
    severities: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]  # one per finding, cells in :data:`HEADERS` order


@dataclass(frozen=True)
class FeedbackFiles:
    """What :func:`write_feedback` wrote."""

    overview: Path
    units: dict[str, Path]  # unit → its file, in the overview's order (worst first)


class _Styles:
    """The cell formats of one workbook (xlsxwriter formats belong to the workbook that made them)."""

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        top = {"text_wrap": True, "valign": "top"}
        boxed = {**top, "border": 1, "border_color": "#808080"}
        self.plain = wb.add_format(top)
        self.bold = wb.add_format({**top, "bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14, "valign": "top"})
        self.demo = wb.add_format({**top, "bold": True, "font_color": "#C00000"})
        self.header = wb.add_format({**boxed, "bold": True, "pattern": 1, "bg_color": "#DDEBF7"})
        self.boxed = wb.add_format(boxed)
        self.boxed_bold = wb.add_format({**boxed, "bold": True})
        self.severity = {"error": wb.add_format({**boxed, "pattern": 1, "bg_color": "#F8CBAD"}),
                         "warning": wb.add_format({**boxed, "pattern": 1, "bg_color": "#FFE699"})}


def _put(ws: Worksheet, row: int, values: list[object], fmt: Format) -> None:
    """Write one row (0-based) of cells: numbers as numbers, everything else as neutralised text (characters
    XML cannot hold, such as NUL or undecodable bytes of a file name, shown as U+FFFD)."""
    for col, value in enumerate(values):
        if value is None or value == "":
            ws.write_blank(row, col, None, fmt)
        elif isinstance(value, numbers.Number) and not isinstance(value, bool):
            ws.write_number(row, col, value, fmt)
        else:
            ws.write_string(row, col, neutralize(_NOT_IN_XML.sub("\ufffd", str(value))), fmt)


def _heading(ws: Worksheet, styles: _Styles, title: str, demo: bool) -> int:
    """Demo label (when demo) and the title; returns the next free row (0-based)."""
    row = 0
    if demo:
        _put(ws, row, [DEMO_LABEL], styles.demo)
        row += 1
    _put(ws, row, [title], styles.title)
    return row + 1


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    """A4 landscape, one page wide, centred; the header row repeated on every page and frozen."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)


def _workbook_bytes(build) -> bytes:
    """Call ``build(workbook, styles)`` on a new in-memory workbook; the reproducible bytes of the result."""
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
    wb.set_properties({"created": FIXED_TIME})
    build(wb, _Styles(wb))
    wb.close()
    return normalize_zip(buffer.getvalue(), FIXED_TIME)


def unit_workbook(job: UnitFeedback, *, year: int, demo: bool) -> bytes:
    """The bytes of one unit's feedback file: its findings only."""

    def build(wb: xlsxwriter.Workbook, styles: _Styles) -> None:
        ws = wb.add_worksheet(sheet_title(job.unit, set()))
        row = _heading(ws, styles, f"{job.unit}：{year}年科技活动周统计表核查反馈", demo)
        _put(ws, row, ["请逐条核实；需要改正的，请改正后重新报送统计表或补充材料。"], styles.plain)
        header = row + 1
        _put(ws, header, list(HEADERS), styles.header)
        for n, (severity, cells) in enumerate(zip(job.severities, job.rows), start=header + 1):
            _put(ws, n, list(cells), styles.severity.get(severity, styles.boxed))
        for col, width in enumerate(WIDTHS):
            ws.set_column(col, col, width)
        _print_setup(ws, header)

    return _workbook_bytes(build)


def _write_units(jobs: list[UnitFeedback], year: int, demo: bool) -> None:
    for job in jobs:
        data = unit_workbook(job, year=year, demo=demo)
        write_atomic(job.path, lambda tmp, data=data: tmp.write_bytes(data))


def _counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings by unit × severity, worst first."""
    table = pd.crosstab(issues["unit"], issues["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.assign(total=table.sum(axis=1)).sort_values(list(SEVERITIES), ascending=False, kind="stable")
    return table


def _overview(wb: xlsxwriter.Workbook, styles: _Styles, issues: pd.DataFrame, counts: pd.DataFrame,
              files: dict[str, str], year: int, demo: bool, today: date | None) -> None:
    ws = wb.add_worksheet(OVERVIEW)
    row = _heading(ws, styles, f"{year}年科技活动周统计表核查反馈清单", demo)
    if today is not None:
        _put(ws, row, [f"生成日期：{today.isoformat()}"], styles.plain)
        row += 1
    row += 1
    _put(ws, row, ["单位", *(SEVERITY_ZH[s] for s in SEVERITIES), "合计", FILE_HEADER], styles.header)
    for unit, r in zip(counts.index, counts.to_dict("records")):
        row += 1
        _put(ws, row, [unit, *(int(r[s]) for s in SEVERITIES), int(r["total"]), files[unit]], styles.boxed)
    row += 1
    _put(ws, row, ["合计", *(int(counts[s].sum()) for s in SEVERITIES), int(counts["total"].sum()), ""],
         styles.boxed_bold)
    missing = sorted(issues.loc[issues["code"] == "missing_return", "unit"].unique())
    row += 2
    _put(ws, row, [f"未报送统计表的单位（{len(missing)} 个）"], styles.bold)
    _put(ws, row + 1, ["、".join(missing) if missing else "无"], styles.plain)
    row += 3
    _put(ws, row, ["严重程度说明"], styles.bold)
    for sev in SEVERITIES:
        row += 1
        _put(ws, row, [SEVERITY_ZH[sev], SEVERITY_NOTE[sev]], styles.plain)
    ws.set_column(0, 0, 28)
    ws.set_column(1, 4, 10)
    ws.set_column(5, 5, 34)
    _print_setup(ws, None)


def _checklist(wb: xlsxwriter.Workbook, styles: _Styles, materials: pd.DataFrame, year: int, demo: bool) -> None:
    ws = wb.add_worksheet(CHECKLIST_SHEET)
    header = _heading(ws, styles, f"{year}年科技活动周报送材料清单（文件数）", demo)
    columns = [c for c in CHECKLIST_ZH if c in materials.columns]
    _put(ws, header, [CHECKLIST_ZH[c].replace("（秒）", "") for c in columns], styles.header)
    for n, r in enumerate(materials.to_dict("records"), start=header + 1):
        cells = [r[c] for c in columns]
        if "longest_video" in columns:
            seconds = r["longest_video"]
            cells[columns.index("longest_video")] = "" if pd.isna(seconds) or math.isnan(seconds) \
                else minutes_seconds(seconds)
        _put(ws, n, cells, styles.boxed)
    ws.set_column(0, 0, 24)
    ws.set_column(1, max(1, len(columns) - 1), 11)
    _print_setup(ws, header)


def _sorted_issues(issues_df: pd.DataFrame) -> pd.DataFrame:
    """Text only, a unit for every row (:data:`NO_UNIT` when none), worst first, then by place."""
    issues = issues_df.fillna("").astype(str).assign(unit=lambda f: f["unit"].where(f["unit"] != "", NO_UNIT))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return issues.assign(_rank=issues["severity"].map(rank)).sort_values(
        ["_rank", "source_file", "sheet", "cell", "code"], kind="stable").drop(columns="_rank")


def unit_jobs(issues: pd.DataFrame, units: list[str], folder: Path) -> list[UnitFeedback]:
    """One :class:`UnitFeedback` per unit in ``units`` (files named in that order), from sorted issues."""
    shown = readable(issues, COLUMNS).to_numpy(dtype=object)
    severities = issues["severity"].to_numpy(dtype=object)
    positions = issues.reset_index(drop=True).groupby("unit", sort=False).indices
    taken: set[str] = set()
    return [UnitFeedback(unit, folder / f"{file_stem(unit, taken)}.xlsx", tuple(severities[positions[unit]]),
                         tuple(tuple(r) for r in shown[positions[unit]])) for unit in units]


def write_feedback(path: Path, issues_df: pd.DataFrame, *, year: int, demo: bool,
                   materials: pd.DataFrame | None = None, today: date | None = None,
                   workers: int | None = None) -> FeedbackFiles:
    """Write the overview to ``path`` and one file per unit with findings to ``反馈/`` beside it.

    The bytes depend only on the arguments (no clock), so an unchanged year gives unchanged files.
    From :data:`PARALLEL_FROM` units on, the unit files are written by ``workers`` processes (default: all cores).
    """
    path = Path(path)
    folder = path.parent / UNIT_FOLDER
    issues = _sorted_issues(issues_df)
    counts = _counts(issues) if not issues.empty else pd.DataFrame(columns=[*SEVERITIES, "total"])
    jobs = unit_jobs(issues, [str(u) for u in counts.index], folder)
    workers = workers or os.cpu_count() or 1
    if len(jobs) >= PARALLEL_FROM and workers > 1:
        size = math.ceil(len(jobs) / (4 * workers))
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for done in [pool.submit(_write_units, jobs[i:i + size], year, demo) for i in range(0, len(jobs), size)]:
                done.result()
    else:
        _write_units(jobs, year, demo)
    written = {job.path.name for job in jobs}
    if folder.is_dir():
        for stale in folder.glob("*.xlsx"):
            if stale.name not in written:
                stale.unlink()
    files = {job.unit: f"{UNIT_FOLDER}/{job.path.name}" for job in jobs}

    def build(wb: xlsxwriter.Workbook, styles: _Styles) -> None:
        _overview(wb, styles, issues, counts, files, year, demo, today)
        if materials is not None:
            _checklist(wb, styles, materials, year, demo)

    data = _workbook_bytes(build)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))
    return FeedbackFiles(path, {job.unit: job.path for job in jobs})
