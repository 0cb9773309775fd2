"""Feedback to units: one workbook per unit that has findings, plus an overview workbook.

``反馈/<unit>.xlsx`` holds one unit's findings only (what, where, what to fix), so it can be
e-mailed to that unit without showing anyone else's.  The overview (its path is given by
the caller) holds the counts by unit and severity with each unit's file name, the units
that have not returned, the legend and, when given, the materials checklist.

Each layout (styles, column widths, A4 landscape page set-up, repeated and frozen header row,
document properties) is written once per run by xlsxwriter; every file made from it then only
gets its own cells and sheet names (:class:`_Book`), well under a millisecond a unit, in the run's
worker processes when there are many units, while the caller writes its other outputs (:func:`feedback_writer`).  Every text cell is neutralised and written as text, so
nothing taken from a return can become a formula; the zip entries carry the fixed times of
:func:`analysis.outputs.normalize_zip` (:func:`analysis.outputs.fixed_entry`), so the same findings give
the same bytes.  The ``反馈``
folder is replaced as a whole (:func:`analysis.outputs.atomic_folder`): files of units that no
longer have findings disappear, and an interrupted run leaves the previous set.
"""

from __future__ import annotations

import contextlib
import io
import math
import numbers
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from concurrent.futures import BrokenExecutor, Executor, Future, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from analysis.issues import ISSUE_HEADERS_ZH, SEVERITIES, SEVERITY_ZH, open_findings, readable
from analysis.outputs import FIXED_TIME, atomic_folder, fixed_entry, neutralize, write_atomic
from analysis.paths import DEMO_LABEL
from analysis.review.materials import CHECKLIST_ZH, minutes_seconds

UNIT_FOLDER = "反馈"  # beside the overview: one file per unit with findings
OVERVIEW = "总览"
CHECKLIST_SHEET = "材料清单"
NO_UNIT = "未识别单位"
COLUMNS = ("severity", "title", "source_file", "sheet", "cell", "field", "message", "status")  # a unit's own sheet
HEADERS = tuple(ISSUE_HEADERS_ZH[c] for c in COLUMNS)
WIDTHS = (9, 18, 30, 12, 9, 22, 60, 12)
SEVERITY_NOTE = {"error": "该数值或文件无法使用，必须改正后重新报送",
                 "warning": "已按原样使用或暂未计入，请核实并回复",
                 "info": "已作处理，供核对备查"}
FILE_HEADER = "反馈文件"
MAX_STEM = 60  # characters of a unit file's name (CJK: 180 bytes of UTF-8, well below the 255 of a file system)
PARALLEL_FROM = 200  # units: from this many on, the unit files are written by the caller's worker processes

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


_TOP = {"text_wrap": True, "valign": "top"}
_BOXED = {**_TOP, "border": 1, "border_color": "#808080"}
STYLES: dict[str, dict[str, object]] = {  # the cell formats, by name
    "plain": _TOP, "bold": {**_TOP, "bold": True}, "title": {"bold": True, "font_size": 14, "valign": "top"},
    "demo": {**_TOP, "bold": True, "font_color": "#C00000"},
    "header": {**_BOXED, "bold": True, "pattern": 1, "bg_color": "#DDEBF7"},
    "boxed": _BOXED, "boxed_bold": {**_BOXED, "bold": True},
    "error": {**_BOXED, "pattern": 1, "bg_color": "#F8CBAD"}, "warning": {**_BOXED, "pattern": 1, "bg_color": "#FFE699"},
}
_SHEET_MARK = "SHEETMARK"
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"/>')
_COLUMNS = [chr(65 + i) for i in range(26)]


@dataclass(frozen=True)
class _Row:
    """One row of cells from column A: numbers stay numbers, everything else is text."""

    at: int  # 0-based row
    values: tuple[object, ...]
    style: str  # a key of STYLES


@dataclass(frozen=True)
class _Layout:
    """What a sheet looks like apart from its cells."""

    widths: tuple[tuple[int, int, float], ...]  # (first column, last column, width), 0-based
    header_row: int | None  # repeated on every printed page and frozen; None for none


@dataclass(frozen=True)
class _SheetPart:
    head: bytes  # the sheet XML up to and including <sheetData>
    tail: bytes  # from </sheetData> on


class _Book:
    """A workbook layout written once by xlsxwriter (styles, column widths, page setup, print titles, frozen
    panes, fixed document time); each file made from it differs only in its cells and sheet names.

    Rendering the cells of a sheet directly is what makes a file per unit cheap (well under a millisecond,
    against about 3 ms for a whole xlsxwriter workbook), so thousands of units take seconds.
    """

    def __init__(self, layouts: list[_Layout], *, compressed: bool = True) -> None:
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, _WORKBOOK_OPTIONS)
        wb.set_properties({"created": FIXED_TIME})
        formats = {name: wb.add_format(spec) for name, spec in STYLES.items()}
        for n, layout in enumerate(layouts):
            ws = wb.add_worksheet(f"{_SHEET_MARK}{n}")
            for first, last, width in layout.widths:
                ws.set_column(first, last, width)
            _print_setup(ws, layout.header_row)
            for col, fmt in enumerate(formats.values()):  # so that every format is in the styles part
                ws.write_blank(0, col, None, fmt)
        wb.close()
        self.styles = {name: fmt.xf_index for name, fmt in formats.items()}
        with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as zf:
            self.members = [(info.filename, zf.read(info.filename)) for info in zf.infolist()]
        self.compress_type = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED  # stored: no deflate cost
        self.sheets: dict[str, _SheetPart] = {}
        for n in range(len(layouts)):
            xml = dict(self.members)[f"xl/worksheets/sheet{n + 1}.xml"]
            head, rest = xml.split(b"<sheetData>", 1)
            self.sheets[f"xl/worksheets/sheet{n + 1}.xml"] = _SheetPart(head + b"<sheetData>",
                                                                       rest[rest.index(b"</sheetData>"):])

    def render(self, names: list[str], sheets: list[list[_Row]]) -> bytes:
        """The reproducible bytes of a workbook with these sheet names and rows."""
        members = []
        for member, data in self.members:
            if member in self.sheets:
                part = self.sheets[member]
                rows = sheets[int(member.removeprefix("xl/worksheets/sheet").removesuffix(".xml")) - 1]
                body, ref = self._rows(rows)
                data = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), part.head, count=1) + body + part.tail
            elif member in ("xl/workbook.xml", "docProps/app.xml"):
                for n, name in reversed(list(enumerate(names))):  # SHEETMARK10 is replaced before SHEETMARK1
                    quoted = "'" + name.replace("'", "''") + "'!"
                    data = data.replace(f"{_SHEET_MARK}{n}!".encode(), _xml(quoted).encode())
                    data = data.replace(f"{_SHEET_MARK}{n}".encode(), _xml(name).encode())
            members.append((member, data))
        if self.compress_type == zipfile.ZIP_STORED:
            return _stored_zip(members)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for member, data in members:
                zf.writestr(fixed_entry(member, self.compress_type), data)
        return buffer.getvalue()  # already what normalize_zip would make of it (tests check)

    def _rows(self, rows: list[_Row]) -> tuple[bytes, str]:
        """``<row>`` elements of ``rows`` and the dimension (A1:…) they cover."""
        out, last_col = [], 0
        for row in rows:
            style, n = self.styles[row.style], row.at + 1
            cells = []
            for col, value in enumerate(row.values):
                ref = f"{_COLUMNS[col]}{n}"
                if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
                    cells.append(f'<c r="{ref}" s="{style}"/>')
                elif isinstance(value, numbers.Number) and not isinstance(value, bool):
                    cells.append(f'<c r="{ref}" s="{style}"><v>{float(value)!r}</v></c>' if isinstance(value, float)
                                 else f'<c r="{ref}" s="{style}"><v>{int(value)}</v></c>')
                else:
                    text = _xml(neutralize(_NOT_IN_XML.sub("\ufffd", str(value))))
                    cells.append(f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{text}</t>'
                                 f'</is></c>')
            last_col = max(last_col, len(row.values))
            out.append(f'<row r="{n}">{"".join(cells)}</row>')
        last_row = max((r.at + 1 for r in rows), default=1)
        return "".join(out).encode("utf-8"), f"A1:{_COLUMNS[max(last_col, 1) - 1]}{last_row}"


_LOCAL = struct.Struct("<4s2B4HL2L2H")  # zipfile's local file header, central directory entry, end record
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")


def _stored_zip(members: list[tuple[str, bytes]]) -> bytes:
    """The bytes ``zipfile`` writes for these uncompressed members with :func:`analysis.outputs.fixed_entry`
    entries (tests check it against :func:`analysis.outputs.normalize_zip`), without its per-entry overhead."""
    entry = fixed_entry("x", zipfile.ZIP_STORED)
    year, month, day, hour, minute, second = entry.date_time
    time_, date_ = hour << 11 | minute << 5 | second // 2, (year - 1980) << 9 | month << 5 | day
    local, central, offset = [], [], 0
    for name, data in members:
        raw, crc = name.encode("ascii"), zlib.crc32(data)
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, time_, date_, crc, len(data), len(data), len(raw), 0)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, entry.create_system, 20, 0, 0, 0, time_, date_, crc,
                                     len(data), len(data), len(raw), 0, 0, 0, 0, entry.external_attr, offset) + raw)
        local += [header, raw, data]
        offset += len(header) + len(raw) + len(data)
    directory = b"".join(central)
    return b"".join([*local, directory, _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory),
                                                  offset, 0)])


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _print_setup(ws: Worksheet, header_row: int | None) -> None:
    """A4 landscape, one page wide, centred; the header row repeated on every page and frozen."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    if header_row is not None:
        ws.repeat_rows(header_row)
        ws.freeze_panes(header_row + 1, 0)


def _heading(title: str, demo: bool) -> list[_Row]:
    """Demo label (when demo) and the title."""
    return [*([_Row(0, (DEMO_LABEL,), "demo")] if demo else []), _Row(int(demo), (title,), "title")]


def _unit_layout(demo: bool) -> _Layout:
    return _Layout(tuple((col, col, width) for col, width in enumerate(WIDTHS)), int(demo) + 2)


def _unit_rows(job: UnitFeedback, year: int, demo: bool) -> list[_Row]:
    """A unit's sheet: heading, what to do, the header and its findings only."""
    header = _unit_layout(demo).header_row
    return [*_heading(f"{job.unit}：{year}年科技活动周统计表核查反馈", demo),
            _Row(header - 1, ("请逐条核实；需要改正的，请改正后重新报送统计表或补充材料。",), "plain"),
            _Row(header, HEADERS, "header"),
            *(_Row(n, cells, severity if severity in ("error", "warning") else "boxed")
              for n, (severity, cells) in enumerate(zip(job.severities, job.rows), start=header + 1))]


def unit_workbook(job: UnitFeedback, *, year: int, demo: bool, book: _Book | None = None) -> bytes:
    """The bytes of one unit's feedback file: its findings only (``book``: the layout, made once per run)."""
    book = book or _Book([_unit_layout(demo)])
    return book.render([sheet_title(job.unit, set())], [_unit_rows(job, year, demo)])


def _write_units(jobs: list[UnitFeedback], folder: Path, year: int, demo: bool) -> None:
    """Write each job's file into ``folder`` (a new folder of :func:`analysis.outputs.atomic_folder`)."""
    book = _Book([_unit_layout(demo)], compressed=False)  # about 13 kB a file, and no time spent deflating
    for job in jobs:
        (folder / job.path.name).write_bytes(unit_workbook(job, year=year, demo=demo, book=book))


def _submitted(executor: Executor | None, jobs: list[UnitFeedback], folder: Path, year: int,
               demo: bool) -> list[tuple[Future | None, list[UnitFeedback]]]:
    """The jobs in shares, each handed to ``executor`` when there are :data:`PARALLEL_FROM` of them or more
    (its future, else None: written here)."""
    if executor is None or len(jobs) < PARALLEL_FROM:
        return [(None, jobs)]
    size = max(PARALLEL_FROM // 2, math.ceil(len(jobs) / (4 * (os.cpu_count() or 1))))
    shares = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    try:
        return [(executor.submit(_write_units, share, folder, year, demo), share) for share in shares]
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
        _write_units(share, folder, year, demo)


def _counts(issues: pd.DataFrame) -> pd.DataFrame:
    """Findings by unit × severity, worst first."""
    table = pd.crosstab(issues["unit"], issues["severity"]).reindex(columns=list(SEVERITIES), fill_value=0)
    table = table.assign(total=table.sum(axis=1)).sort_values(list(SEVERITIES), ascending=False, kind="stable")
    return table


_OVERVIEW_LAYOUT = _Layout(((0, 0, 28), (1, 5, 10), (6, 6, 34)), None)
OPEN_HEADER = "待核实"  # per unit: errors and warnings no ledger row has settled yet


def _overview_rows(issues: pd.DataFrame, counts: pd.DataFrame, files: dict[str, str], year: int, demo: bool,
                   today: date | None, sent: set[str] = frozenset()) -> list[_Row]:
    """The overview sheet; ``sent``: units that sent some file (a unit without a usable form among them has
    returned something that could not be used, and is not listed as 未报送)."""
    rows = _heading(f"{year}年科技活动周统计表核查反馈清单", demo)
    row = rows[-1].at + 1
    if today is not None:
        rows.append(_Row(row, (f"生成日期：{today.isoformat()}",), "plain"))
        row += 1
    row += 1
    still = open_findings(issues)["unit"].value_counts()
    rows.append(_Row(row, ("单位", *(SEVERITY_ZH[s] for s in SEVERITIES), "合计", OPEN_HEADER, FILE_HEADER), "header"))
    for unit, r in zip(counts.index, counts.to_dict("records")):
        row += 1
        rows.append(_Row(row, (unit, *(int(r[s]) for s in SEVERITIES), int(r["total"]), int(still.get(unit, 0)),
                               files[unit]), "boxed"))
    row += 1
    rows.append(_Row(row, ("合计", *(int(counts[s].sum()) for s in SEVERITIES), int(counts["total"].sum()),
                           int(still.sum()), ""), "boxed_bold"))
    without = sorted(issues.loc[issues["code"] == "missing_return", "unit"].unique())
    for title, units in (("未报送统计表的单位", [u for u in without if u not in sent]),
                         ("已报送文件但没有可用统计表的单位", [u for u in without if u in sent])):
        if units or title.startswith("未报送"):
            row += 2
            rows.append(_Row(row, (f"{title}（{len(units)} 个）",), "bold"))
            rows.append(_Row(row + 1, ("、".join(units) if units else "无",), "plain"))
    row += 3
    rows.append(_Row(row, ("严重程度说明",), "bold"))
    rows.extend(_Row(row + n, (SEVERITY_ZH[sev], SEVERITY_NOTE[sev]), "plain") for n, sev in enumerate(SEVERITIES, 1))
    return rows


def _checklist_columns(materials: pd.DataFrame) -> list[str]:
    return [c for c in CHECKLIST_ZH if c in materials.columns]


def _checklist_layout(materials: pd.DataFrame, demo: bool) -> _Layout:
    return _Layout(((0, 0, 24), (1, max(1, len(_checklist_columns(materials)) - 1), 11)), int(demo) + 1)


def _checklist_rows(materials: pd.DataFrame, year: int, demo: bool) -> list[_Row]:
    columns = _checklist_columns(materials)
    header = _checklist_layout(materials, demo).header_row
    rows = [*_heading(f"{year}年科技活动周报送材料清单（文件数）", demo),
            _Row(header, tuple(CHECKLIST_ZH[c].replace("（秒）", "") for c in columns), "header")]
    for n, r in enumerate(materials.to_dict("records"), start=header + 1):
        cells = [r[c] for c in columns]
        if "longest_video" in columns:
            seconds = r["longest_video"]
            cells[columns.index("longest_video")] = "" if pd.isna(seconds) else minutes_seconds(seconds)
        rows.append(_Row(n, tuple(cells), "boxed"))
    return rows


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


@contextlib.contextmanager
def feedback_writer(path: Path, issues_df: pd.DataFrame, *, year: int, demo: bool,
                    materials: pd.DataFrame | None = None, today: date | None = None,
                    executor: Executor | None = None) -> Iterator[FeedbackFiles]:
    """Write the overview to ``path`` and one file per unit with findings to ``反馈/`` beside it, while the
    caller's block runs: from :data:`PARALLEL_FROM` units on, ``executor``'s workers write the unit files
    (this process writes them when it has none, or a worker fails); the overview is written and the folder
    put in place when the block ends (not when it raises: then the previous files stay).

    The bytes depend only on the arguments (no clock), so an unchanged year gives unchanged files; what is
    yielded names the files to be written.
    """
    path = Path(path)
    folder = path.parent / UNIT_FOLDER
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
        files = {job.unit: f"{UNIT_FOLDER}/{job.path.name}" for job in jobs}
        layouts, names = [_OVERVIEW_LAYOUT], [OVERVIEW]
        sent = set() if materials is None else set(materials.loc[materials[[c for c in materials.columns
                                                                              if c not in ("unit", "longest_video")]]
                                                                 .sum(axis=1) > 0, "unit"])
        sheets = [_overview_rows(issues, counts, files, year, demo, today, sent)]
        if materials is not None:
            layouts.append(_checklist_layout(materials, demo))
            names.append(CHECKLIST_SHEET)
            sheets.append(_checklist_rows(materials, year, demo))
        data = _Book(layouts).render(names, sheets)
        _finish(submitted, fresh, year, demo)
    write_atomic(path, lambda tmp: tmp.write_bytes(data))


def write_feedback(path: Path, issues_df: pd.DataFrame, *, year: int, demo: bool,
                   materials: pd.DataFrame | None = None, today: date | None = None,
                   executor: Executor | None = None) -> FeedbackFiles:
    """:func:`feedback_writer` with nothing else to do meanwhile."""
    with feedback_writer(path, issues_df, year=year, demo=demo, materials=materials, today=today,
                         executor=executor) as files:
        return files
