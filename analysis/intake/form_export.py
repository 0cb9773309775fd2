"""Online-form exports (问卷星, 腾讯文档收集表, 金数据, WPS 表单): recognise a table whose rows are submissions.

This is a locating step (it decides what the cells of a grid mean), so it sits beside :mod:`locate`, not among
the readers, which only turn files into grids.  An export is one header row of question texts as the services
write them — numbered (``2、``, ``Q2.``, ``第2题``), with the measure in brackets (``（次）``), group-prefixed
(``活动经费投入数量（单位：万元）-县级财政经费投入情况``) or reworded within the form's synonyms — next to the
services' meta columns (序号, 提交答卷时间 / 提交时间 / 填写时间, 所用时间 / 填写时长, 来源, IP, 提交者 / 昵称,
设备 …).  Each row under it is one return: :class:`ExportRow` keeps the unit answer (or the submitter), the
submit time and the raw answer cells, addressed in the sheet as Excel numbers them.

A wide table of one unit's sub-units (towns with a 合计 row) has no meta columns and is left to :mod:`locate`.
When a table carries some signs of an export but not enough, or the signs of both, :func:`find_export` says so
(:class:`Undecided`) instead of guessing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from analysis.form import TOTAL_WORDS, Form
from analysis.intake.locate import MIN_FIELDS, RawCell
from analysis.intake.readers.grid import Grid, column_letters
from analysis.intake.records import ROW_UNIT_SOURCES
from analysis.intake.safety import Refused

_NUMBERING = re.compile(r"^\s*(?:第\s*\d+\s*题|[QqＱ]\s*\d+|\d+)\s*[、.．:：)）\s]*")
SUBMIT_TIME = ("提交答卷时间", "提交时间", "填写时间", "答题时间", "填写提交时间")
SUBMITTER = ("提交者", "提交人", "填写人", "昵称", "微信昵称", "填写者", "用户名")
INDEX = ("序号", "编号", "答卷编号")  # hand-made tables number their rows too: no sign of an export on its own
_META = (
    SUBMIT_TIME
    + SUBMITTER
    + (
        "所用时间",
        "填写时长",
        "答题时长",
        "来源",
        "来源详情",
        "来自IP",
        "IP",
        "IP地址",
        "填写IP",
        "设备",
        "填写设备",
        "操作系统",
        "浏览器",
        "修改时间",
        "开始时间",
        "结束时间",
        "作答时长",
        "用时",
        "填写地区",
        "地理位置",
        "省份",
        "城市",
        "地区",
        "总分",
        "微信openid",
    )
)
_UNIT_QUESTION = re.compile(
    r"^(?:单位名称|单位全称|填报单位|报送单位|所在单位|单位|地方/部门|地方／部门|部门名称|"
    r"县市区(?:名称)?|报送单位名称|填报单位名称)(?:（[^）]*）|\([^)]*\))?[:：]?$"
)
# what the services write for a question the person skipped or left empty: not reported, not 0
SKIPPED = ("(跳过)", "（跳过）", "(空)", "（空）", "跳过", "-3", "(未填)", "（未填）")
MAX_EXPORT_COLUMNS = 1_000  # a form of twenty items: far more columns is not an export to read row by row
MAX_EXPORT_ROWS = 20_000  # a city's units submit a few hundred times at most
_TIME = re.compile(
    r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


@dataclass(frozen=True)
class ExportRow:
    """One submission: its sheet row (1-based), who it names, when it was submitted, and its answer cells."""

    row: int
    unit: str  # the unit answer, else the submitter ('' when neither)
    unit_from: str  # the header the unit came from ('' when none)
    unit_cell: str
    submitted: datetime | None
    submitted_raw: str
    submitted_cell: str
    cells: dict[str, RawCell]


@dataclass(frozen=True)
class Export:
    """A recognised export: its sheet, header row, the form items it lacks, and its rows."""

    sheet: str
    header_row: int
    missing: tuple[str, ...]
    rows: tuple[ExportRow, ...]
    has_unit_question: bool


@dataclass(frozen=True)
class Undecided:
    """A table that may be an export or one unit's wide table: why it cannot be told (Chinese)."""

    sheet: str
    reason: str


def question_text(text: str) -> str:
    """A question's text without the services' numbering (``2、``, ``Q2.``, ``第2题``)."""
    return _NUMBERING.sub("", unicodedata.normalize("NFKC", text)).strip()


def _header_kind(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if folded in SUBMIT_TIME:
        return "time"
    if folded in SUBMITTER:
        return "submitter"
    if folded in INDEX:
        return "index"
    if folded in _META:
        return "meta"
    if _UNIT_QUESTION.match(question_text(text).replace(" ", "")):
        return "unit"
    return ""


def find_export(grids: list[Grid], form: Form) -> Export | Undecided | None:
    """The first grid that is an export of the form's items; an :class:`Undecided` when one cannot be told.
    Raises :class:`~analysis.intake.safety.Refused` for an export beyond ``MAX_EXPORT_ROWS`` / ``MAX_EXPORT_COLUMNS``."""
    undecided = None
    for grid in grids:
        found = _export(grid, form)
        if isinstance(found, Export):
            return found
        undecided = undecided or found
    return undecided


def _export(grid: Grid, form: Form) -> Export | Undecided | None:
    for r, row in enumerate(grid.rows[:5]):  # the services write the header on the first row; allow a title
        texts = {c: v.strip() for c, v in enumerate(row) if isinstance(v, str) and v.strip()}
        if len(texts) < MIN_FIELDS:
            continue
        kinds = {c: _header_kind(t) for c, t in texts.items()}
        items: dict[str, int] = {}
        for c, text in texts.items():
            if not kinds[c]:
                key = form.match_label(question_text(text))
                if key is not None and key not in items:
                    items[key] = c
        if len(items) < MIN_FIELDS:
            continue
        time_col = next((c for c, k in kinds.items() if k == "time"), None)
        meta = sum(1 for k in kinds.values() if k in ("time", "submitter", "meta"))
        unit_col = next((c for c, k in kinds.items() if k == "unit"), None)
        submitter_col = next((c for c, k in kinds.items() if k == "submitter"), None)
        total_row = _total_row(grid, r, unit_col if unit_col is not None else min(items.values()))
        numbered = any(k == "index" for k in kinds.values())
        strong = time_col is not None or meta + numbered >= 2  # 序号 counts only beside a column of the services
        if not strong and meta == 0:
            return None  # one unit's wide table (towns), or a transposed form: locate reads it
        if not strong or total_row is not None or (unit_col is None and submitter_col is None):
            why = (
                "表头有在线表单导出的信息列但没有提交时间"
                if not strong
                else f"表中有“合计”行（第{total_row + grid.origin[0] + 1}行）"
                if total_row is not None
                else "表头没有“单位名称”题，也没有提交者列"
            )
            return Undecided(grid.sheet, why)
        _check_size(grid, r)
        letters = {c: column_letters(c + grid.origin[1] + 1) for c in items.values()}  # once per column, not per cell
        rows = tuple(
            _row(grid, i, items, letters, unit_col, submitter_col, time_col)
            for i in range(r + 1, len(grid.rows))
            if any(v not in (None, "") for v in grid.rows[i])
        )
        missing = tuple(k for k in form.keys if k not in items)
        return Export(grid.sheet, r + grid.origin[0] + 1, missing, rows, unit_col is not None)
    return None


def _check_size(grid: Grid, header: int) -> None:
    """An export far larger than any city's returns is refused whole (one issue), not read row by row."""
    columns = max(len(row) for row in grid.rows)
    rows = len(grid.rows) - header - 1
    if columns > MAX_EXPORT_COLUMNS or rows > MAX_EXPORT_ROWS:
        where = f"（工作表“{grid.sheet}”）" if grid.sheet else ""
        raise Refused(
            "form_export_too_large",
            f"在线表单导出表{where}有 {rows} 行、{columns} 列，超过上限 "
            f"{MAX_EXPORT_ROWS} 行、{MAX_EXPORT_COLUMNS} 列（form_export.MAX_EXPORT_ROWS / "
            "MAX_EXPORT_COLUMNS），未读取。请只导出本次科技活动周的问卷结果后重新放入。",
        )


def _total_row(grid: Grid, header: int, col: int) -> int | None:
    for i in range(header + 1, len(grid.rows)):
        row = grid.rows[i]
        text = row[col] if col < len(row) else None
        if isinstance(text, str) and unicodedata.normalize("NFKC", text).replace(" ", "") in TOTAL_WORDS:
            return i
    return None


def _text(row: list[object], col: int | None) -> str:
    if col is None or col >= len(row) or row[col] is None:
        return ""
    return str(row[col]).strip()


def _row(
    grid: Grid,
    i: int,
    items: dict[str, int],
    letters: dict[int, str],
    unit_col: int | None,
    submitter_col: int | None,
    time_col: int | None,
) -> ExportRow:
    row = grid.rows[i]
    number = i + grid.origin[0] + 1
    unit, unit_from, unit_cell = _text(row, unit_col), ROW_UNIT_SOURCES[0], ""
    if unit_col is not None:
        unit_cell = grid.address(i, unit_col)
    if (not unit or unit in SKIPPED) and _text(row, submitter_col):
        unit, unit_from, unit_cell = _text(row, submitter_col), ROW_UNIT_SOURCES[1], grid.address(i, submitter_col)
    if unit in SKIPPED:
        unit = ""
    if not unit:
        unit_from = ""
    raw_time = row[time_col] if time_col is not None and time_col < len(row) else None
    cells = {
        key: RawCell(key, _answer(row[c] if c < len(row) else None), grid.sheet, f"{letters[c]}{number}")
        for key, c in items.items()
    }
    return ExportRow(
        number,
        unit,
        unit_from,
        unit_cell,
        submit_time(raw_time),
        _text(row, time_col),
        grid.address(i, time_col) if time_col is not None else "",
        cells,
    )


def _answer(value: object) -> object:
    """A skipped or empty answer is blank (not reported), never 0."""
    return None if isinstance(value, str) and value.strip() in SKIPPED else value


def submit_time(value: object) -> datetime | None:
    """A submit-time cell (a date-time cell, or text such as ``2023/6/5 14:03:11`` or ``2023年6月5日 14:03``)."""
    if isinstance(value, datetime):
        return value
    m = _TIME.match(str(value)) if value is not None else None
    if not m:
        return None
    try:
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
    except ValueError:
        return None
