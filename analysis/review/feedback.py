"""Feedback to units: one workbook per unit that has findings, plus an overview workbook.

``反馈/<unit>.xlsx`` holds one unit's findings only (what, where, what to fix), so it can be
e-mailed to that unit without showing anyone else's.  The overview (its path is given by
the caller) holds the counts by unit and severity with each unit's file name, the units
that have not returned, the legend and, when given, the materials checklist.

Each file is made by :mod:`analysis.review.unit_files` (the layout written once by xlsxwriter, then only the
cells per file, neutralised text, deterministic bytes); with many units the run's worker processes write them
while the caller writes its other outputs (:func:`feedback_writer`).  The ``反馈`` folder is replaced as a whole
(:func:`analysis.outputs.atomic_folder`): files of units that no longer have findings disappear, and an
interrupted run leaves the previous set.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import unicodedata
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from analysis import catalog
from analysis.issues import SEVERITIES, SEVERITY_ZH, open_findings, readable
from analysis.outputs import atomic_folder, write_atomic
from analysis.review.materials import CHECKLIST_ZH, minutes_seconds
from analysis.review.unit_files import (
    COLUMNS,
    HEADERS,
    NO_UNIT,
    Book,
    Layout,
    Row,
    UnitFeedback,
    heading,
    sheet_title,
    write_units,
)

__all__ = [
    "CHECKLIST_SHEET",
    "HEADERS",
    "MAX_STEM",
    "OVERVIEW",
    "PARALLEL_FROM",
    "FeedbackFiles",
    "UnitFeedback",
    "feedback_writer",
    "file_stem",
    "sheet_title",
    "unit_jobs",
    "write_feedback",
]

OVERVIEW = "总览"
CHECKLIST_SHEET = "材料清单"
SEVERITY_NOTE = {
    "error": "该数值或文件无法使用，必须改正后重新报送",
    "warning": "已按原样使用或暂未计入，请核实并回复",
    "info": "已作处理，供核对备查",
}
FILE_HEADER = "反馈文件"
MAX_STEM = 60  # characters of a unit file's name (CJK: 180 bytes of UTF-8, well below the 255 of a file system)
PARALLEL_FROM = 200  # units: from this many on, the unit files are written by the caller's worker processes

_FORBIDDEN_FILE = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


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
        base = "_" + base[: MAX_STEM - 1]
    stem, n = base, 1
    while stem.casefold() in taken:
        n += 1
        suffix = f"({n})"
        stem = base[: MAX_STEM - len(suffix)].rstrip(" .") + suffix
    taken.add(stem.casefold())
    return stem


@dataclass(frozen=True)
class FeedbackFiles:
    """What :func:`write_feedback` wrote."""

    overview: Path
    units: dict[str, Path]  # unit → its file, in the overview's order (worst first)


def _submitted(
    executor: Executor | None, jobs: list[UnitFeedback], folder: Path, year: int, demo: bool
) -> list[tuple[Future | None, list[UnitFeedback]]]:
    """The jobs in shares, each handed to ``executor`` when there are :data:`PARALLEL_FROM` of them or more
    (its future, else None: written here)."""
    if executor is None or len(jobs) < PARALLEL_FROM:
        return [(None, jobs)]
    size = max(PARALLEL_FROM // 2, math.ceil(len(jobs) / (4 * (os.cpu_count() or 1))))
    shares = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    try:
        return [(executor.submit(write_units, share, folder, year, demo), share) for share in shares]
    except (BrokenExecutor, RuntimeError):  # a pool broken by a crashed reader, or already shut down
        return [(None, jobs)]


def _finish(submitted: list[tuple[Future | None, list[UnitFeedback]]], folder: Path, year: int, demo: bool) -> None:
    """Wait for the workers' shares; a share whose worker failed (and one never handed out) is written here."""
    for future, share in submitted:
        try:
            if future is not None:
                future.result()
                continue
        except Exception:  # noqa: BLE001 - a dead worker or a failed write: this process writes the share again
            pass
        write_units(share, folder, year, demo)


def _counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings by unit × severity, worst first."""
    table = pd.crosstab(issues["unit"], issues["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.assign(total=table.sum(axis=1)).sort_values(list(SEVERITIES), ascending=False, kind="stable")
    return table


_OVERVIEW_LAYOUT = Layout(((0, 0, 28), (1, 5, 10), (6, 6, 34)), None)
OPEN_HEADER = "待核实"  # per unit: errors and warnings no ledger row has settled yet


def _overview_rows(
    issues: pd.DataFrame,
    counts: pd.DataFrame,
    files: dict[str, str],
    year: int,
    demo: bool,
    today: date | None,
    sent: set[str] = frozenset(),
) -> list[Row]:
    """The overview sheet; ``sent``: units that sent some file (a unit without a usable form among them has
    returned something that could not be used, and is not listed as 未报送)."""
    rows = heading(f"{year}年科技活动周统计表核查反馈清单", demo)
    row = rows[-1].at + 1
    if today is not None:
        rows.append(Row(row, (f"生成日期：{today.isoformat()}",), "plain"))
        row += 1
    row += 1
    still = open_findings(issues)["unit"].value_counts()
    rows.append(Row(row, ("单位", *(SEVERITY_ZH[s] for s in SEVERITIES), "合计", OPEN_HEADER, FILE_HEADER), "header"))
    for unit, r in zip(counts.index, counts.to_dict("records")):
        row += 1
        rows.append(
            Row(
                row,
                (unit, *(int(r[s]) for s in SEVERITIES), int(r["total"]), int(still.get(unit, 0)), files[unit]),
                "boxed",
            )
        )
    row += 1
    rows.append(
        Row(
            row,
            ("合计", *(int(counts[s].sum()) for s in SEVERITIES), int(counts["total"].sum()), int(still.sum()), ""),
            "boxed_bold",
        )
    )
    without = sorted(issues.loc[issues["code"] == "missing_return", "unit"].unique())
    for title, units in (
        ("未报送统计表的单位", [u for u in without if u not in sent]),
        ("已报送文件但没有可用统计表的单位", [u for u in without if u in sent]),
    ):
        if units or title.startswith("未报送"):
            row += 2
            rows.append(Row(row, (f"{title}（{len(units)} 个）",), "bold"))
            rows.append(Row(row + 1, ("、".join(units) if units else "无",), "plain"))
    row += 3
    rows.append(Row(row, ("严重程度说明",), "bold"))
    rows.extend(Row(row + n, (SEVERITY_ZH[sev], SEVERITY_NOTE[sev]), "plain") for n, sev in enumerate(SEVERITIES, 1))
    return rows


def _checklist_columns(materials: pd.DataFrame) -> list[str]:
    return [c for c in CHECKLIST_ZH if c in materials.columns]


def _checklist_layout(materials: pd.DataFrame, demo: bool) -> Layout:
    return Layout(((0, 0, 24), (1, max(1, len(_checklist_columns(materials)) - 1), 11)), int(demo) + 1)


def _checklist_rows(materials: pd.DataFrame, year: int, demo: bool) -> list[Row]:
    columns = _checklist_columns(materials)
    header = _checklist_layout(materials, demo).header_row
    rows = [
        *heading(f"{year}年科技活动周报送材料清单（文件数）", demo),
        Row(header, tuple(CHECKLIST_ZH[c].replace("（秒）", "") for c in columns), "header"),
    ]
    for n, r in enumerate(materials.to_dict("records"), start=header + 1):
        cells = [r[c] for c in columns]
        if "longest_video" in columns:
            seconds = r["longest_video"]
            cells[columns.index("longest_video")] = "" if pd.isna(seconds) else minutes_seconds(seconds)
        rows.append(Row(n, tuple(cells), "boxed"))
    return rows


def _sorted_issues(issues_df: pd.DataFrame) -> pd.DataFrame:
    """Text only, a unit for every row (:data:`NO_UNIT` when none), worst first, then by place."""
    issues = issues_df.fillna("").astype(str).assign(unit=lambda f: f["unit"].where(f["unit"] != "", NO_UNIT))
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return (
        issues.assign(_rank=issues["severity"].map(rank))
        .sort_values(["_rank", "source_file", "sheet", "cell", "code"], kind="stable")
        .drop(columns="_rank")
    )


def unit_jobs(issues: pd.DataFrame, units: list[str], folder: Path) -> list[UnitFeedback]:
    """One :class:`UnitFeedback` per unit in ``units`` (files named in that order), from sorted issues."""
    shown = readable(issues, COLUMNS).to_numpy(dtype=object)
    severities = issues["severity"].to_numpy(dtype=object)
    positions = issues.reset_index(drop=True).groupby("unit", sort=False).indices
    taken: set[str] = set()
    return [
        UnitFeedback(
            unit,
            folder / f"{file_stem(unit, taken)}.xlsx",
            tuple(severities[positions[unit]]),
            tuple(tuple(r) for r in shown[positions[unit]]),
        )
        for unit in units
    ]


@contextlib.contextmanager
def feedback_writer(
    path: Path,
    issues_df: pd.DataFrame,
    *,
    year: int,
    demo: bool,
    materials: pd.DataFrame | None = None,
    today: date | None = None,
    executor: Executor | None = None,
) -> Iterator[FeedbackFiles]:
    """Write the overview to ``path`` and one file per unit with findings to ``反馈/`` beside it, while the
    caller's block runs: from :data:`PARALLEL_FROM` units on, ``executor``'s workers write the unit files
    (this process writes them when it has none, or a worker fails); the overview is written and the folder
    put in place when the block ends (not when it raises: then the previous files stay).

    The bytes depend only on the arguments (no clock), so an unchanged year gives unchanged files; what is
    yielded names the files to be written.
    """
    path = Path(path)
    folder = path.parent / catalog.FEEDBACK_FOLDER
    issues = _sorted_issues(issues_df)
    counts = _counts(issues) if not issues.empty else pd.DataFrame(columns=[*SEVERITIES, "total"])
    jobs = unit_jobs(issues, [str(u) for u in counts.index], folder)
    with atomic_folder(folder) as fresh:  # the folder is replaced as a whole: no stale files of other units
        submitted = _submitted(executor, jobs, fresh, year, demo)
        try:
            yield FeedbackFiles(path, {job.unit: job.path for job in jobs})
        except BaseException:
            futures = [future for future, _ in submitted if future is not None]
            for future in futures:
                future.cancel()
            wait(futures)  # no worker still writing into the folder that is now removed
            raise
        files = {job.unit: f"{catalog.FEEDBACK_FOLDER}/{job.path.name}" for job in jobs}
        layouts, names = [_OVERVIEW_LAYOUT], [OVERVIEW]
        sent = (
            set()
            if materials is None
            else set(
                materials.loc[
                    materials[[c for c in materials.columns if c not in ("unit", "longest_video")]].sum(axis=1) > 0,
                    "unit",
                ]
            )
        )
        sheets = [_overview_rows(issues, counts, files, year, demo, today, sent)]
        if materials is not None:
            layouts.append(_checklist_layout(materials, demo))
            names.append(CHECKLIST_SHEET)
            sheets.append(_checklist_rows(materials, year, demo))
        data = Book(layouts).render(names, sheets)
        _finish(submitted, fresh, year, demo)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_feedback(
    path: Path,
    issues_df: pd.DataFrame,
    *,
    year: int,
    demo: bool,
    materials: pd.DataFrame | None = None,
    today: date | None = None,
    executor: Executor | None = None,
) -> FeedbackFiles:
    """:func:`feedback_writer` with nothing else to do meanwhile."""
    with feedback_writer(
        path, issues_df, year=year, demo=demo, materials=materials, today=today, executor=executor
    ) as files:
        return files
